import { badInput } from '../errors/app-error';

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const MAX_PAGE_SIZE = 100;

/** Validates `first`: 1..100, default 20. Lists are always paginated (shield costs per item). */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
    throw badInput({ first: `Use a number from 1 to ${MAX_PAGE_SIZE}.` });
  return first;
}

/** Opaque keyset cursor over (createdAt, id). */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// What encodeCursor writes (Date#toISOString for years 0000-9999), and nothing else.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_CURSOR_LENGTH = 128;

/**
 * Decodes a cursor from encodeCursor. A client can send anything, so everything the database will
 * see is checked here: a forged cursor is BAD_USER_INPUT, never a failed uuid or timestamp cast.
 */
export function decodeCursor(
  cursor: string | null | undefined,
): { createdAt: Date; id: string } | null {
  if (!cursor) return null;
  const invalid = () => badInput({ after: 'This cursor is not valid.' });
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (parts.length !== 2) throw invalid();
  const [at, id] = parts;
  const createdAt = new Date(at);
  if (!ISO_INSTANT.test(at) || Number.isNaN(createdAt.getTime()) || !UUID.test(id)) throw invalid();
  return { createdAt, id };
}

/** Builds a connection from `limit + 1` rows fetched newest first. */
export function toConnection<T extends { createdAt: Date; id: string }>(
  rows: T[],
  limit: number,
): Connection<T> {
  const page = rows.slice(0, limit);
  return {
    edges: page.map((node) => ({ cursor: encodeCursor(node.createdAt, node.id), node })),
    pageInfo: {
      hasNextPage: rows.length > limit,
      endCursor:
        page.length > 0
          ? encodeCursor(page[page.length - 1].createdAt, page[page.length - 1].id)
          : null,
    },
  };
}

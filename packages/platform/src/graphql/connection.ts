import { badInput } from '../errors/app-error';

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const MAX_PAGE_SIZE = 100;

/** Validates `first`: 1..100, default 20. Lists are always paginated (shield costs per item). */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw badInput({ first: `Use a number from 1 to ${MAX_PAGE_SIZE}.` });
  return first;
}

/** Opaque keyset cursor over (createdAt, id). */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): { createdAt: Date; id: string } | null {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at);
  if (!id || Number.isNaN(createdAt.getTime())) throw badInput({ after: 'This cursor is not valid.' });
  return { createdAt, id };
}

/** Builds a connection from `limit + 1` rows fetched newest first. */
export function toConnection<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): Connection<T> {
  const page = rows.slice(0, limit);
  return {
    edges: page.map((node) => ({ cursor: encodeCursor(node.createdAt, node.id), node })),
    pageInfo: { hasNextPage: rows.length > limit, endCursor: page.length > 0 ? encodeCursor(page[page.length - 1].createdAt, page[page.length - 1].id) : null },
  };
}

import { HttpError, assertJsonDepth } from '@bastion/platform';
import { sha256Hex, type TrustedDocuments } from './trusted-documents';

/**
 * Apollo's automatic-persisted-query store, bounded, and readable by the gateway: a request that
 * carries only a hash is resolved to its text here before the limits run, so a hash cannot carry
 * an operation past the cost check and the budget. Apollo stores a text only after checking that
 * its hash matches.
 */
export class PersistedQueryCache {
  private readonly entries = new Map<string, string>();

  constructor(private readonly maxEntries = 1000) {}

  async get(key: string): Promise<string | undefined> {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }

  /** The text Apollo registered for this hash (Apollo prefixes its keys with `apq:`). */
  lookup(hash: string): Promise<string | undefined> {
    return this.get(`apq:${hash}`);
  }
}

interface Slot {
  query: string | null;
  hash: string | null;
  setQuery(query: string): void;
}

function hashOf(extensions: unknown): string | null {
  if (typeof extensions !== 'object' || extensions === null) return null;
  const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } }).persistedQuery;
  return typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : null;
}

function slotsOf(request: { body: unknown; search: URLSearchParams }): Slot[] {
  const { body, search } = request;
  if (body === undefined) {
    let extensions: unknown;
    const text = search.get('extensions') ?? 'null';
    assertJsonDepth(text);
    try {
      extensions = JSON.parse(text);
    } catch {
      // Apollo refuses malformed extensions itself.
    }
    return [
      {
        query: search.get('query'),
        hash: hashOf(extensions),
        setQuery: (query) => search.set('query', query),
      },
    ];
  }
  return (Array.isArray(body) ? body : [body]).flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const operation = item as { query?: unknown; extensions?: unknown };
    return [
      {
        query: typeof operation.query === 'string' ? operation.query : null,
        hash: hashOf(operation.extensions),
        setQuery: (query: string) => {
          operation.query = query;
        },
      },
    ];
  });
}

/**
 * Fills in the text of operations sent as a hash alone (from the trusted documents, else from
 * Apollo's store), then, when `trusted` is given, refuses any operation whose text is not listed.
 */
export async function resolvePersistedQueries(
  request: { body: unknown; search: URLSearchParams },
  store: PersistedQueryCache,
  trusted?: TrustedDocuments,
): Promise<void> {
  for (const slot of slotsOf(request)) {
    let query = slot.query;
    if (query === null && slot.hash !== null) {
      query = trusted?.document(slot.hash) ?? (await store.lookup(slot.hash)) ?? null;
      if (query !== null) slot.setQuery(query);
    }
    // Nothing to run (the explorer page, an empty request): Apollo answers it.
    if (!trusted || (query === null && slot.hash === null)) continue;
    // A listed hash whose text nobody has sent yet passes: Apollo asks the client for the text,
    // whose own hash is checked when it comes.
    const hash = query !== null ? sha256Hex(query) : slot.hash;
    if (hash === null || !trusted.has(hash)) {
      throw new HttpError(400, 'BAD_USER_INPUT', 'Only trusted documents run here.', {
        reason: 'UNTRUSTED_DOCUMENT',
      });
    }
  }
}

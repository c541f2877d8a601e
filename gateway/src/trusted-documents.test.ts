import { createHash } from 'node:crypto';
import { HttpError } from '@bastion/platform';
import { PersistedQueryCache, resolvePersistedQueries } from './persisted-queries';
import { TrustedDocuments } from './trusted-documents';

const DOC = '{ aiModels { id } }';
// Hashed here with node:crypto, not with the module's own helper: sha256 of DOC's exact text.
const HASH = createHash('sha256').update(DOC).digest('hex');
const OTHER = '{ creditPackages { id } }';

const request = (body: unknown) => ({ body, search: new URLSearchParams() });
const refusal = (promise: Promise<void>) =>
  promise.then(
    () => null,
    (error: HttpError) => ({ status: error.status, ...error.extensions }),
  );

describe('trusted documents', () => {
  it("reads an object of hash -> document and refuses a key that is not its document's hash", () => {
    expect(TrustedDocuments.fromJson({ [HASH]: DOC }).document(HASH)).toBe(DOC);
    expect(() => TrustedDocuments.fromJson({ [HASH]: OTHER })).toThrow(
      /is not the sha256 of its document/,
    );
    expect(() => TrustedDocuments.fromJson('nope')).toThrow(/expected a JSON object/);
  });

  it('reads an array of hashes (upper case too) and refuses anything else in it', () => {
    const trusted = TrustedDocuments.fromJson([HASH.toUpperCase()]);
    expect(trusted.has(HASH)).toBe(true);
    expect(trusted.document(HASH)).toBeUndefined();
    expect(() => TrustedDocuments.fromJson([HASH, 'abc'])).toThrow(
      /"abc" is not a sha256 hex hash/,
    );
  });

  it('with hashes only: the text of a listed hash runs, its hash alone goes on to Apollo, others are refused', async () => {
    const trusted = TrustedDocuments.fromJson([HASH]);
    const store = new PersistedQueryCache();
    expect(
      await refusal(resolvePersistedQueries(request({ query: DOC }), store, trusted)),
    ).toBeNull();
    const hashOnly = { extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } };
    expect(await refusal(resolvePersistedQueries(request(hashOnly), store, trusted))).toBeNull();
    expect(
      await refusal(resolvePersistedQueries(request({ query: OTHER }), store, trusted)),
    ).toEqual({ status: 400, reason: 'UNTRUSTED_DOCUMENT' });
    const unlistedHash = {
      extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
    };
    expect(await refusal(resolvePersistedQueries(request(unlistedHash), store, trusted))).toEqual({
      status: 400,
      reason: 'UNTRUSTED_DOCUMENT',
    });
  });

  it("fills in a hash alone from Apollo's store, so the limits see the text", async () => {
    const store = new PersistedQueryCache(2);
    await store.set(`apq:${HASH}`, DOC);
    const body: Record<string, unknown> = {
      extensions: { persistedQuery: { version: 1, sha256Hash: HASH } },
    };
    await resolvePersistedQueries(request(body), store);
    expect(body.query).toBe(DOC);
    // Bounded: the oldest entry goes first.
    await store.set('apq:b', 'b');
    await store.set('apq:c', 'c');
    expect(await store.lookup(HASH)).toBeUndefined();
  });
});

import { createHash } from 'node:crypto';
import { PLATFORM_SETUP_MS, startTestPlatform, type TestPlatform } from '@bastion/testing';

const QUERY = '{ __typename }';
// Apollo's APQ protocol: the hash is the lowercase hex sha256 of the exact query text.
const OTHER_HASH = createHash('sha256').update('{ somethingElse }').digest('hex');

/**
 * A persisted query whose text does not hash to the hash sent is the client's mistake: a coded
 * 400 (BAD_USER_INPUT, reason PERSISTED_QUERY_HASH_MISMATCH), not a masked 500-style
 * INTERNAL_SERVER_ERROR logged with a stack, at the gateway and in a subgraph.
 */
describe('a persisted query with a hash that does not match its text', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform?.stop(), PLATFORM_SETUP_MS);

  it.each([
    ['the gateway', () => platform.gateway.url],
    ['a subgraph', () => platform.auth.url],
  ])('through %s: 400 BAD_USER_INPUT PERSISTED_QUERY_HASH_MISMATCH', async (_name, url) => {
    const response = await fetch(url(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
      },
      body: JSON.stringify({
        query: QUERY,
        extensions: { persistedQuery: { version: 1, sha256Hash: OTHER_HASH } },
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions: unknown }[] };
    expect(body.errors[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'PERSISTED_QUERY_HASH_MISMATCH',
    });
  });
});

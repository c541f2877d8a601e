import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLATFORM_SETUP_MS, startTestPlatform, type TestPlatform } from '@bastion/testing';

const TRUSTED = 'query Models { aiModels { id displayName } }';
const UNLISTED = '{ creditPackages { id } }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

type Body = { data?: Record<string, unknown>; errors?: { extensions?: Record<string, unknown> }[] };

// Refusals are 4xx for clients accepting the spec's media type (application/json alone gets 200).
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Body }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

describe('TRUSTED_DOCUMENTS: the public listener runs only listed documents', () => {
  let platform: TestPlatform;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trusted-'));
    const file = join(dir, 'trusted-documents.json');
    writeFileSync(file, JSON.stringify({ [sha256(TRUSTED)]: TRUSTED }));
    platform = await startTestPlatform({ TRUSTED_DOCUMENTS: file });
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  }, PLATFORM_SETUP_MS);

  const expectUntrusted = (response: { status: number; body: Body }) => {
    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'UNTRUSTED_DOCUMENT',
    });
  };

  it('runs a listed document sent as its text', async () => {
    const response = await post(platform.gateway.url, { query: TRUSTED });
    expect(response.status).toBe(200);
    expect((response.body.data?.aiModels as unknown[]).length).toBeGreaterThan(0);
  });

  it('runs a listed document sent as its hash alone (a persisted query)', async () => {
    const response = await post(platform.gateway.url, {
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(TRUSTED) } },
    });
    expect(response.status).toBe(200);
    expect((response.body.data?.aiModels as unknown[]).length).toBeGreaterThan(0);
  });

  it('refuses an unlisted document, by text, by hash, or with a listed hash that does not match it', async () => {
    expectUntrusted(await post(platform.gateway.url, { query: UNLISTED }));
    // A whitespace change is another document.
    expectUntrusted(await post(platform.gateway.url, { query: `${TRUSTED} ` }));
    expectUntrusted(
      await post(platform.gateway.url, {
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(UNLISTED) } },
      }),
    );
    expectUntrusted(
      await post(platform.gateway.url, {
        query: UNLISTED,
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(TRUSTED) } },
      }),
    );
    expectUntrusted(await post(platform.gateway.url, [{ query: TRUSTED }, { query: UNLISTED }]));
    const get = await fetch(`${platform.gateway.url}?query=${encodeURIComponent(UNLISTED)}`, {
      headers: { 'apollo-require-preflight': 'true', accept: GRAPHQL_RESPONSE },
    });
    expectUntrusted({ status: get.status, body: (await get.json()) as Body });
  });

  it('leaves the internal listener unrestricted', async () => {
    const response = await post(
      platform.gateway.internalUrl,
      { query: UNLISTED },
      { 'x-service-token': platform.devServiceToken! },
    );
    expect(response.status).toBe(200);
    expect(response.body.data?.creditPackages).toEqual(expect.any(Array));
  });
});

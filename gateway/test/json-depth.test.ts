import { PLATFORM_SETUP_MS, startTestPlatform, type TestPlatform } from '@bastion/testing';

const LEVELS = 400_000;
const nested = `${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}`;
/** ~800 KB: a harmless query with a deeply nested array in a variable it never uses. */
const DEEP_BODY = JSON.stringify({ query: '{ __typename }' }).replace(
  /}$/,
  `,"variables":{"unused":${nested}}}`,
);

/**
 * A body of nested brackets is refused by a linear depth scan before JSON.parse sees it, on every
 * route that parses a body. The test counts the work, not the time: JSON.parse is never handed
 * the big text, on any listener, in the gateway or in a subgraph.
 */
describe('deeply nested JSON bodies', () => {
  let platform: TestPlatform;
  let parse: jest.SpyInstance;

  beforeAll(async () => {
    platform = await startTestPlatform({ STRIPE_WEBHOOK_SECRET: 'whsec_json_depth_test_secret' });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform?.stop(), PLATFORM_SETUP_MS);
  beforeEach(() => {
    parse = jest.spyOn(JSON, 'parse');
  });
  afterEach(() => parse.mockRestore());

  /** Every JSON.parse of this process while the request ran, by the length of its text. */
  const bigParses = () =>
    parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length > 100_000);

  async function post(url: string, body: string, headers: Record<string, string> = {}) {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...headers,
      },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  function expectTooDeep(response: { status: number; text: string }) {
    expect(response.status).toBe(400);
    const body = JSON.parse(response.text) as {
      errors: { extensions: Record<string, unknown> }[];
    };
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'JSON_TOO_DEEP' });
    expect(bigParses()).toEqual([]);
  }

  it('is sent at the size the finding measured (within the body limit)', () => {
    expect(DEEP_BODY.length).toBeGreaterThan(800_000);
    expect(DEEP_BODY.length).toBeLessThan(1024 * 1024);
  });

  it('public /graphql: BAD_USER_INPUT JSON_TOO_DEEP, never parsed', async () => {
    expectTooDeep(await post(platform.gateway.url, DEEP_BODY));
  });

  it('internal /graphql, with a service token: the same', async () => {
    expectTooDeep(
      await post(platform.gateway.internalUrl, DEEP_BODY, {
        'x-service-token': platform.devServiceToken!,
      }),
    );
  });

  it('a subgraph called directly: the same', async () => {
    expectTooDeep(await post(platform.auth.url, DEEP_BODY));
  });

  it('GET /graphql with nested variables in the query string: the same', async () => {
    const url = new URL(platform.gateway.url);
    url.searchParams.set('query', '{ __typename }');
    url.searchParams.set('variables', `{"unused":${'['.repeat(2_000)}${']'.repeat(2_000)}}`);
    const response = await fetch(url, {
      headers: { accept: 'application/graphql-response+json', 'apollo-require-preflight': '1' },
    });
    expectTooDeep({ status: response.status, text: await response.text() });
  });

  it('POST /ai/stream: the same', async () => {
    const body = `{"model":"m","prompt":"p","unused":${nested}}`;
    expectTooDeep(await post(new URL('/ai/stream', platform.gateway.url).toString(), body));
  });

  it('the ai subgraph stream route: the same', async () => {
    const body = `{"model":"m","prompt":"p","unused":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expectTooDeep(await post(new URL('/ai/stream', platform.ai.url).toString(), body));
  });

  it('POST /webhooks/stripe: refused before the SDK parses it', async () => {
    const response = await post(
      new URL('/webhooks/stripe', platform.gateway.url).toString(),
      `{"id":"evt_1","data":${'['.repeat(200_000)}${']'.repeat(200_000)}}`,
      { 'stripe-signature': 't=1,v1=00' },
    );
    expect(response.status).toBe(400);
    expect(bigParses()).toEqual([]);
  });

  it('a body within the limit still runs', async () => {
    const ok = `{"query":"{ __typename }","variables":{"v":${'['.repeat(60)}${']'.repeat(60)}}}`;
    const response = await post(platform.gateway.url, ok);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ data: { __typename: 'Query' } });
  });
});

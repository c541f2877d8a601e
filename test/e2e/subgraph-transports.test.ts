import { REFRESH_COOKIE_NAME } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  startTestPlatform,
  type GraphQLResponse,
  type RequestOptions,
  type TestPlatform,
} from '@bastion/testing';

type Transport = 'in-process' | 'http';

/** What a client sees of a response, with what differs between any two runs (ids, tokens) blanked. */
function seen(response: GraphQLResponse) {
  const text = JSON.stringify(response.body)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/ey[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>');
  const cookies = response.headers
    .getSetCookie()
    .map((cookie) => cookie.replace(/^([^=]+)=[^;]*/, '$1=<value>').replace(/Expires=[^;]+/i, ''));
  return { status: response.status, body: JSON.parse(text) as unknown, cookies };
}

/**
 * The same operations through the all-in-one's gateway with its subgraphs called in process and
 * over HTTP (SUBGRAPH_TRANSPORT): a client cannot tell them apart, refusals and their codes included.
 */
describe('subgraph transports answer alike', () => {
  const platforms = {} as Record<Transport, TestPlatform>;
  const calls = { 'in-process': 0, http: 0 };

  beforeAll(async () => {
    for (const transport of ['in-process', 'http'] as const) {
      const platform = await startTestPlatform({
        SUBGRAPH_TRANSPORT: transport,
        REFRESH_COOKIE: 'true',
      });
      platforms[transport] = platform;
      for (const service of Object.values(platform.subgraphs)) {
        const inProcess = service.inProcess!;
        const real = inProcess.executeInProcess.bind(inProcess);
        inProcess.executeInProcess = (...args) => {
          calls[transport] += 1;
          return real(...args);
        };
      }
    }
  }, PLATFORM_SETUP_MS * 2);
  afterAll(async () => {
    for (const platform of Object.values(platforms)) await platform.stop();
  }, PLATFORM_SETUP_MS);

  /** Runs one step on both platforms and expects the same answer; returns both responses. */
  async function both(
    query: string,
    variables: Record<string, unknown> = {},
    options: (transport: Transport) => RequestOptions = () => ({}),
  ): Promise<Record<Transport, GraphQLResponse>> {
    const inProcess = await platforms['in-process'].gql(query, variables, options('in-process'));
    const http = await platforms.http.gql(query, variables, options('http'));
    expect(seen(inProcess)).toEqual(seen(http));
    return { 'in-process': inProcess, http };
  }

  const email = `transports-${Date.now()}@example.com`;
  const tokens = {} as Record<Transport, string>;

  it('a public query', async () => {
    const { http } = await both('{ aiModels { id displayName creditsPerRequest } }');
    expect(http.body.errors).toBeUndefined();
    expect((http.body.data?.aiModels as unknown[]).length).toBeGreaterThan(0);
  });

  it('a mutation that sets the refresh cookie', async () => {
    const responses = await both(
      'mutation ($e: String!) { register(input: { email: $e, password: "same in both transports" }) { accessToken refreshToken user { email } } }',
      { e: email },
    );
    for (const transport of ['in-process', 'http'] as const) {
      const response = responses[transport];
      expect(response.body.errors).toBeUndefined();
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith(REFRESH_COOKIE_NAME));
      expect(cookie).toMatch(/HttpOnly/);
      tokens[transport] = (response.body.data?.register as { accessToken: string }).accessToken;
    }
  });

  it('authenticated queries on one and on two subgraphs', async () => {
    const auth = (transport: Transport) => ({ token: tokens[transport] });
    const one = await both('{ me { id email displayName } }', {}, auth);
    expect(one.http.body.data?.me).toMatchObject({ email });
    const two = await both('{ me { email credits { balance } } }', {}, auth);
    expect(two.http.body.errors).toBeUndefined();
  });

  it('refusals with their codes: anonymous, bad input, wrong credentials, a subgraph tier', async () => {
    const anonymous = await both('{ me { id } }');
    expect(anonymous.http.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const weak = await both(
      'mutation { register(input: { email: "weak@example.com", password: "x" }) { accessToken } }',
    );
    expect(weak.http.body.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: { password: expect.any(String) },
    });
    const wrong = await both(
      'mutation ($e: String!) { login(email: $e, password: "not the password") { accessToken } }',
      { e: email },
    );
    expect(wrong.http.body.errors?.[0].extensions?.code).toBe('INVALID_CREDENTIALS');
    // An unverified user asks for what needs a verified email: refused by the subgraph's tiers.
    const tier = await both(
      'mutation { createOrganization(name: "Acme") { id } }',
      {},
      (transport) => ({ token: tokens[transport] }),
    );
    expect(tier.http.body.errors?.[0].extensions?.code).toBe('EMAIL_NOT_VERIFIED');
  });

  it('went in process on one platform and over HTTP on the other', () => {
    expect(calls['in-process']).toBeGreaterThan(0);
    expect(calls.http).toBe(0);
  });
});

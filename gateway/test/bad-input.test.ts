import { PLATFORM_SETUP_MS, startTestPlatform, type TestPlatform } from '@bastion/testing';

// Request errors are 4xx for clients accepting the spec's media type (application/json alone gets 200).
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

async function raw(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE, ...headers },
    body,
  });
  return {
    status: response.status,
    body: JSON.parse(await response.text()) as {
      errors?: { message: string; extensions?: { code?: string } }[];
      data?: unknown;
    },
  };
}

describe('bad input gets a clear coded error with the right status, and the gateway keeps serving', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  async function stillServing() {
    const response = await platform.gql('{ aiModels { id } }');
    expect(response.status).toBe(200);
    expect((response.body.data as { aiModels: unknown[] }).aiModels.length).toBeGreaterThan(0);
  }

  it('malformed JSON: 400 BAD_USER_INPUT', async () => {
    const response = await raw(platform.gateway.url, '{"query": "{ aiModels { id } }"');
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    await stillServing();
  });

  it('an unknown field: 400 BAD_USER_INPUT naming the field', async () => {
    const response = await raw(
      platform.gateway.url,
      JSON.stringify({ query: '{ aiModels { id secretKey } }' }),
    );
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.body.errors?.[0].message).toContain('secretKey');
    await stillServing();
  });

  it('an internal field on the public listener fails validation', async () => {
    const response = await raw(
      platform.gateway.url,
      JSON.stringify({ query: '{ creditBalance(userId: "x") }' }),
    );
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('an operation nested too deep or with too many aliases: 400 BAD_USER_INPUT before any subgraph is asked', async () => {
    let nested = 'id';
    for (let i = 0; i < 7; i += 1) nested = `members { organization { ${nested} } }`;
    const deep = await raw(
      platform.gateway.url,
      JSON.stringify({ query: `{ myOrganizations { ${nested} } }` }),
    );
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(deep.body.errors?.[0].message).toMatch(/levels deep/);
    const aliases = Array.from({ length: 60 }, (_, i) => `a${i}: aiModels { id }`).join(' ');
    const wide = await raw(platform.gateway.url, JSON.stringify({ query: `{ ${aliases} }` }));
    expect(wide.status).toBe(400);
    expect(wide.body.errors?.[0].message).toMatch(/aliases/);
    await stillServing();
  });

  it('a 2 MB body: 413 BAD_USER_INPUT', async () => {
    const padding = 'x'.repeat(2 * 1024 * 1024);
    const response = await raw(
      platform.gateway.url,
      JSON.stringify({ query: `{ aiModels { id } } # ${padding}` }),
    );
    expect(response.status).toBe(413);
    expect(response.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    await stillServing();
  });

  it('a garbage bearer token: 401 UNAUTHENTICATED, never anonymous', async () => {
    for (const authorization of [
      'Bearer garbage',
      'Bearer a.b.c',
      'Basic dXNlcjpwYXNz',
      'Bearer bst_not-a-real-token',
    ]) {
      const response = await raw(
        platform.gateway.url,
        JSON.stringify({ query: '{ aiModels { id } }' }),
        { authorization },
      );
      expect([authorization, response.status]).toEqual([authorization, 401]);
      expect(response.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.body.data).toBeUndefined();
    }
    await stillServing();
  });

  it('never returns a stack trace, SQL or host in an error', async () => {
    const response = await raw(
      platform.gateway.url,
      JSON.stringify({ query: 'mutation { login(email: "a@b.co", password: 1) { accessToken } }' }),
    );
    const text = JSON.stringify(response.body);
    expect(text).not.toMatch(/stacktrace|at \w+ \(|SELECT |127\.0\.0\.1|node_modules/);
  });

  it('serves the GraphiQL explorer on GET with Accept: text/html outside production', async () => {
    const response = await fetch(platform.gateway.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toMatch(/graphiql/i);
  });

  it('answers CORS preflights for listed origins only, with credentials', async () => {
    const preflight = (origin: string) =>
      fetch(platform.gateway.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      });
    const allowed = await preflight('http://localhost:3000');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const post = await fetch(platform.gateway.url, {
      method: 'POST',
      headers: { origin: 'http://localhost:3000', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ aiModels { id } }' }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  });

  it('serves health, readiness and metrics', async () => {
    const base = platform.gateway.url.replace('/graphql', '');
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    // By dependency, as the subgraphs report them; a subgraph is named only when it does not answer.
    expect(((await ready.json()) as { checks: unknown }).checks).toMatchObject({
      database: true,
      bus: true,
      revocations: true,
    });
    const internalBase = platform.gateway.internalUrl.replace('/graphql', '');
    const metrics = await (await fetch(`${internalBase}/metrics`)).text();
    expect(metrics).toContain('bastion_gateway_requests_total');
    expect(await (await fetch(`${base}/.well-known/jwks.json`)).json()).toEqual({ keys: [] });
  });
});

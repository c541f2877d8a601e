import { startTestPlatform, type TestPlatform } from '@bastion/testing';

/**
 * Every gateway answer carries the security headers of docs/security.md "Security headers and input hygiene", whatever the
 * route or outcome; /metrics and CORS belong to one listener each. Expected values are written
 * here by hand from the contract and OWASP's secure-headers guidance, not read from the code.
 */
describe('security headers on the gateway', () => {
  let platform: TestPlatform;
  let origins: { public: string; internal: string };
  const browserOrigin = 'https://app.example.test';

  beforeAll(async () => {
    platform = await startTestPlatform({ CORS_ORIGINS: browserOrigin });
    origins = {
      public: new URL(platform.gateway.url).origin,
      internal: new URL(platform.gateway.internalUrl).origin,
    };
  });
  afterAll(() => platform.stop());

  const json = { 'content-type': 'application/json' };
  const requests: Record<string, { path: string; init: RequestInit; status: number }> = {
    'a GraphQL query': {
      path: '/graphql',
      init: { method: 'POST', headers: json, body: JSON.stringify({ query: '{ __typename }' }) },
      status: 200,
    },
    '/health': { path: '/health', init: {}, status: 200 },
    'the landing page': { path: '/', init: {}, status: 200 },
    'a 404': { path: '/no-such-route', init: {}, status: 404 },
    'a malformed body (400)': {
      path: '/graphql',
      init: { method: 'POST', headers: json, body: '{"query":' },
      status: 400,
    },
    'a bad credential (401)': {
      path: '/graphql',
      init: {
        method: 'POST',
        headers: { ...json, authorization: 'Bearer not-a-token' },
        body: '{"query":"{ __typename }"}',
      },
      status: 401,
    },
  };

  for (const listener of ['public', 'internal'] as const) {
    for (const [name, { path, init, status }] of Object.entries(requests)) {
      it(`${listener} listener: ${name} carries the headers`, async () => {
        // The internal listener answers GraphQL to service tokens only.
        const service: Record<string, string> =
          listener === 'internal' && path === '/graphql' && !name.includes('credential')
            ? { 'x-service-token': platform.devServiceToken! }
            : {};
        const response = await fetch(`${origins[listener]}${path}`, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), ...service },
        });
        await response.arrayBuffer();
        expect(response.status).toBe(status);
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        const csp = response.headers.get('content-security-policy') ?? '';
        expect(csp).toMatch(/(^|;)\s*default-src 'none'\s*(;|$)/);
        expect(csp).toMatch(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/);
        expect(response.headers.get('x-frame-options')).toBe('DENY');
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        // Plain HTTP here: HSTS is only sent under TLS (see tls.test.ts).
        expect(response.headers.get('strict-transport-security')).toBeNull();
      });
    }
  }

  it('the explorer page (GraphiQL) gets a CSP of its own origin: scripts, workers and requests from here only', async () => {
    const response = await fetch(`${origins.public}/graphql`, { headers: { accept: 'text/html' } });
    const html = await response.text();
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const directives = new Map(
      (response.headers.get('content-security-policy') ?? '')
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    // Every script the page loads is on this origin (Sandbox's CDN policy: gateway/test/explorer.test.ts).
    for (const [, src] of html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)) {
      expect(new URL(src as string, response.url).origin).toBe(origins.public);
    }
  });

  it('/metrics answers on the internal listener only', async () => {
    const publicMetrics = await fetch(`${origins.public}/metrics`);
    await publicMetrics.arrayBuffer();
    expect(publicMetrics.status).toBe(404);
    const internalMetrics = await fetch(`${origins.internal}/metrics`);
    expect(internalMetrics.status).toBe(200);
    expect(await internalMetrics.text()).toMatch(/^# HELP /m);
  });

  const preflight = (origin: string) =>
    fetch(`${origin}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: browserOrigin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });

  it('a preflight from a listed origin is allowed on the public listener', async () => {
    const response = await preflight(origins.public);
    await response.arrayBuffer();
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toBe(browserOrigin);
    expect(response.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });

  it('with CORS_ORIGINS set, only those origins: a local dev server is refused', async () => {
    const response = await fetch(`${origins.public}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    await response.arrayBuffer();
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the internal listener answers no CORS at all, preflight or request', async () => {
    const response = await preflight(origins.internal);
    await response.arrayBuffer();
    const request = await fetch(`${origins.internal}/graphql`, {
      method: 'POST',
      headers: { ...json, origin: browserOrigin },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    await request.arrayBuffer();
    for (const answer of [response, request]) {
      const cors = [...answer.headers.keys()].filter((key) => key.startsWith('access-control-'));
      expect(cors).toEqual([]);
    }
  });
});

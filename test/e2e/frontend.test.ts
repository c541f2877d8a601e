import { REFRESH_COOKIE_NAME } from '@bastion/platform';
import {
  startSmtpCapture,
  startTestPlatform,
  uniqueEmail,
  type SmtpCapture,
  type TestPlatform,
} from '@bastion/testing';

/**
 * What a browser frontend in development meets at the gateway, with the defaults (CORS_ORIGINS
 * unset) and REFRESH_COOKIE on: which origins a preflight admits, the refresh token only in the
 * cookie, the verification mail sent at registration, and verified claims after verifyEmail.
 */
describe('a frontend in development', () => {
  let platform: TestPlatform;
  let mail: SmtpCapture;
  let gatewayOrigin: string;
  const APP_URL = 'http://localhost:5173';

  beforeAll(async () => {
    mail = await startSmtpCapture();
    platform = await startTestPlatform({ REFRESH_COOKIE: 'true', SMTP_URL: mail.url, APP_URL });
    gatewayOrigin = new URL(platform.gateway.url).origin;
  });
  afterAll(async () => {
    await platform?.stop();
    await mail?.close();
  });

  const preflight = (origin: string) =>
    fetch(`${gatewayOrigin}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });

  // Written out by hand: the dev servers people run (React, Next, Vite, Angular, Vue CLI, Django...)
  // on the three loopback names, over http and https.
  const admitted = [
    'http://localhost:3000',
    'http://127.0.0.1:3000',
    'http://[::1]:3000',
    'http://localhost:3001',
    'http://localhost:4200',
    'http://127.0.0.1:4200',
    'http://localhost:5173',
    'http://127.0.0.1:5173',
    'http://[::1]:5173',
    'http://localhost:5174',
    'http://localhost:4173',
    'http://127.0.0.1:8080',
    'http://localhost:8000',
    'http://localhost:4000',
    'https://localhost:3000',
    'https://127.0.0.1:5173',
    'https://[::1]:4200',
  ];
  const refused = [
    'http://localhost:9999',
    'http://localhost',
    'https://localhost',
    'http://127.0.0.1:22',
    'http://127.0.0.2:3000',
    'http://0.0.0.0:3000',
    'http://localhost.attacker.test:3000',
    'http://attacker.test:5173',
    'https://app.example.com',
    'null',
    'ftp://localhost:3000',
    'http://localhost:3000/',
    'http://localhost:3000.attacker.test',
    'http://[::2]:3000',
  ];

  it.each(admitted)('admits %s in a preflight, with credentials', async (origin) => {
    const response = await preflight(origin);
    await response.arrayBuffer();
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toMatch(/\bPOST\b/);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/\bcontent-type\b/);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/\bauthorization\b/);
  });

  it.each(refused)('refuses %s: no access-control-allow-* in the preflight', async (origin) => {
    const response = await preflight(origin);
    await response.arrayBuffer();
    const cors = [...response.headers.keys()].filter((key) =>
      key.startsWith('access-control-allow'),
    );
    expect(cors).toEqual([]);
  });

  it('echoes an admitted origin on the request itself and not a refused one', async () => {
    const post = (origin: string) =>
      fetch(`${gatewayOrigin}/graphql`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
    const ok = await post('http://127.0.0.1:5173');
    expect(await ok.json()).toEqual({ data: { __typename: 'Query' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    const other = await post('http://attacker.test:5173');
    await other.arrayBuffer();
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  const browser = {
    origin: 'http://localhost:5173',
    'content-type': 'application/json',
    accept: 'application/graphql-response+json',
  };
  async function call<T>(
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    const response = await fetch(`${gatewayOrigin}/graphql`, {
      method: 'POST',
      headers: { ...browser, ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as {
      data?: T;
      errors?: { extensions?: { code?: string } }[];
    };
    const cookie = response.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${REFRESH_COOKIE_NAME}=`));
    return { body, cookie: cookie?.split(';')[0] };
  }
  const claimsOf = (jwt: string) =>
    JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
  type Tokens = {
    accessToken: string;
    refreshToken: string | null;
    user?: { emailVerified: boolean };
  };

  it('register -> mailed link -> verifyEmail -> refresh from the cookie: verified claims, never a refresh token in a body', async () => {
    const email = uniqueEmail('frontend');
    const registered = await call<{ register: Tokens }>(
      'mutation ($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { emailVerified } } }',
      { input: { email, password: 'a long frontend passphrase' } },
    );
    expect(registered.body.errors).toBeUndefined();
    const { accessToken, refreshToken, user } = registered.body.data!.register;
    expect(refreshToken).toBeNull();
    expect(user).toEqual({ emailVerified: false });
    expect(claimsOf(accessToken).email_verified).toBe(false);
    expect(registered.cookie).toMatch(new RegExp(`^${REFRESH_COOKIE_NAME}=.{20,}$`));

    // The mail arrives without anyone asking for it; its link points at the app.
    const message = await mail.waitFor(email, /^Verify your email address$/);
    expect(message.link).toBe(`${APP_URL}/verify-email?token=${message.token}`);

    const verified = await call<{ verifyEmail: boolean }>(
      'mutation ($t: String!) { verifyEmail(token: $t) }',
      { t: message.token },
    );
    expect(verified.body).toEqual({ data: { verifyEmail: true } });

    // The token in hand was signed before: it still says unverified (docs/configuration.md "Browser frontends").
    const early = await call(
      'mutation { updateProfile(input: { displayName: "Early" }) { displayName } }',
      {},
      { authorization: `Bearer ${accessToken}` },
    );
    expect(early.body.errors?.[0].extensions?.code).toBe('EMAIL_NOT_VERIFIED');

    const refreshed = await call<{ refreshToken: Tokens }>(
      'mutation { refreshToken { accessToken refreshToken } }',
      {},
      { cookie: registered.cookie! },
    );
    expect(refreshed.body.errors).toBeUndefined();
    expect(refreshed.body.data!.refreshToken.refreshToken).toBeNull();
    expect(refreshed.cookie).toBeDefined();
    expect(refreshed.cookie).not.toBe(registered.cookie);
    const fresh = refreshed.body.data!.refreshToken.accessToken;
    expect(claimsOf(fresh).email_verified).toBe(true);
    const later = await call<{ updateProfile: { displayName: string } }>(
      'mutation { updateProfile(input: { displayName: "Verified" }) { displayName } }',
      {},
      { authorization: `Bearer ${fresh}` },
    );
    expect(later.body).toEqual({ data: { updateProfile: { displayName: 'Verified' } } });

    const login = await call<{ login: Tokens }>(
      'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }',
      { e: email, p: 'a long frontend passphrase' },
    );
    expect(login.body.data!.login.refreshToken).toBeNull();
    expect(claimsOf(login.body.data!.login.accessToken).email_verified).toBe(true);
    expect(login.cookie).toBeDefined();
  });

  it('a refresh without the cookie names the host mismatch when the page is on another host name', async () => {
    type Failed = { errors?: { message: string; extensions?: { code?: string } }[] };
    const refresh = async (headers: Record<string, string>) => {
      const response = await fetch(`${gatewayOrigin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: 'mutation { refreshToken { accessToken } }' }),
      });
      return (await response.json()) as Failed;
    };
    // The page on localhost, the API on 127.0.0.1: a browser never sends 127.0.0.1's cookie.
    const crossHost = await refresh({ origin: 'http://localhost:5173' });
    expect(crossHost.errors?.[0]?.extensions?.code).toBe('INVALID_TOKEN');
    expect(crossHost.errors?.[0]?.message).toContain(
      'the page is on localhost and the API on 127.0.0.1',
    );
    expect(crossHost.errors?.[0]?.message).toContain('same host name');
    // Same host name (another port is the same site): nothing to name, the plain answer.
    const sameHost = await refresh({ origin: 'http://127.0.0.1:5173' });
    expect(sameHost.errors?.[0]?.extensions?.code).toBe('INVALID_TOKEN');
    expect(sameHost.errors?.[0]?.message).toBe('No refresh token was given.');
    // No Origin (a script, curl): the plain answer too.
    const noOrigin = await refresh({});
    expect(noOrigin.errors?.[0]?.message).toBe('No refresh token was given.');
  });
});

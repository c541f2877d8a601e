import { REFRESH_COOKIE_NAME, signForwardedClaims, deriveKey } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  loadJose,
  startTestPlatform,
  uniqueEmail,
  type TestPlatform,
} from '@bastion/testing';

describe('refresh token in an HttpOnly cookie (REFRESH_COOKIE=true)', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ REFRESH_COOKIE: 'true' });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  const cookieOf = (headers: Headers) =>
    headers.getSetCookie().find((c) => c.startsWith(`${REFRESH_COOKIE_NAME}=`));

  it('sets the cookie on sign-in, keeps the token out of the body, refreshes from it, and clears it on logout', async () => {
    const email = uniqueEmail();
    const registered = await platform.gql<{
      register: { accessToken: string; refreshToken: string | null };
    }>(
      'mutation ($e: String!) { register(input: { email: $e, password: "cookie jar password" }) { accessToken refreshToken } }',
      { e: email },
    );
    expect(registered.body.errors).toBeUndefined();
    expect(registered.body.data!.register.refreshToken).toBeNull();
    expect(registered.body.data!.register.accessToken).toMatch(/^ey/);
    const cookie = cookieOf(registered.headers)!;
    expect(cookie).toMatch(new RegExp(`^${REFRESH_COOKIE_NAME}=[^;]{20,};`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);

    const pair = cookie.split(';')[0];
    const refreshed = await platform.gql<{
      refreshToken: { accessToken: string; refreshToken: string | null };
    }>(
      'mutation { refreshToken { accessToken refreshToken } }',
      {},
      { headers: { cookie: `theme=dark; ${pair}` } },
    );
    expect(refreshed.body.errors).toBeUndefined();
    expect(refreshed.body.data!.refreshToken.refreshToken).toBeNull();
    const next = cookieOf(refreshed.headers)!;
    expect(next.split(';')[0]).not.toBe(pair);
    expect(JSON.stringify(refreshed.body)).not.toContain(
      next.split(';')[0].slice(REFRESH_COOKIE_NAME.length + 1),
    );

    const logout = await platform.gql(
      'mutation { logout }',
      {},
      { headers: { cookie: next.split(';')[0] } },
    );
    expect(logout.body.data).toEqual({ logout: true });
    expect(cookieOf(logout.headers)).toMatch(/Max-Age=0/);
    const after = await platform.gql(
      'mutation { refreshToken { accessToken } }',
      {},
      { headers: { cookie: next.split(';')[0] } },
    );
    expect(after.body.errors?.[0].extensions?.code).toBe('INVALID_TOKEN');
  });

  it('forwards the cookie to the auth subgraph only', async () => {
    const { decodeJwt } = await loadJose();
    const key = deriveKey('k'.repeat(40), 'forwarded-claims');
    const client = { ip: null, userAgent: null, refreshCookie: 'brt_secret' };
    const forAuth = decodeJwt(
      await signForwardedClaims({ kind: 'anonymous' }, client, 'auth', { query: '{ a }' }, key),
    );
    const forCredits = decodeJwt(
      await signForwardedClaims({ kind: 'anonymous' }, client, 'credits', { query: '{ a }' }, key),
    );
    expect(forAuth.rc).toBe('brt_secret');
    expect(forCredits.rc).toBeUndefined();
  });
});

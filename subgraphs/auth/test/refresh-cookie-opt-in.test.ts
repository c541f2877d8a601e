import {
  PLATFORM_SETUP_MS,
  startTestPlatform,
  uniqueEmail,
  type GraphQLResponse,
  type TestPlatform,
} from '@bastion/testing';

/**
 * Cookie mode per request with REFRESH_COOKIE at its default (false): the web console sends
 * `x-bastion-refresh-cookie: 1` and gets the refresh token as the HttpOnly cookie only, while a
 * client that does not send the header sees nothing change (docs/configuration.md "Browser
 * frontends", docs/security.md "The web console"). The expectations are the docs' words: the
 * cookie's name and attributes, REFRESH_TOKEN_TTL's default of 7 days, the header's name.
 */
const COOKIE = '__Host-bastion_refresh';
const OPT_IN = { 'x-bastion-refresh-cookie': '1' };
const SEVEN_DAYS = 7 * 24 * 60 * 60;

interface Cookie {
  name: string;
  value: string;
  /** Attribute names lower-cased, values as sent (flags map to ''). */
  attributes: Map<string, string>;
}

/** The Set-Cookie headers of a response, parsed as RFC 6265 section 5.2 reads them. */
function setCookies(response: GraphQLResponse): Cookie[] {
  return response.headers.getSetCookie().map((line) => {
    const [pair, ...rest] = line.split(';');
    const at = pair.indexOf('=');
    const attributes = new Map<string, string>();
    for (const attribute of rest) {
      const eq = attribute.indexOf('=');
      const name = (eq < 0 ? attribute : attribute.slice(0, eq)).trim().toLowerCase();
      attributes.set(name, eq < 0 ? '' : attribute.slice(eq + 1).trim());
    }
    return { name: pair.slice(0, at).trim(), value: pair.slice(at + 1).trim(), attributes };
  });
}

/** The one refresh cookie a response set, checked against the documented attributes. */
function refreshCookie(response: GraphQLResponse, maxAge: number): string {
  const cookies = setCookies(response).filter((cookie) => cookie.name === COOKIE);
  expect(cookies).toHaveLength(1);
  const [cookie] = cookies;
  expect(cookie.attributes.has('httponly')).toBe(true);
  expect(cookie.attributes.has('secure')).toBe(true);
  expect(cookie.attributes.get('samesite')?.toLowerCase()).toBe('strict');
  expect(cookie.attributes.get('path')).toBe('/');
  // RFC 6265bis `__Host-`: Secure, Path=/ and no Domain, or browsers drop the cookie.
  expect(cookie.attributes.has('domain')).toBe(false);
  expect(Number(cookie.attributes.get('max-age'))).toBe(maxAge);
  return cookie.value;
}

type Payload = { accessToken: string; refreshToken: string | null };

const REGISTER =
  'mutation ($e: String!) { register(input: { email: $e, password: "opt-in cookie password" }) { accessToken refreshToken } }';
const LOGIN =
  'mutation ($e: String!) { login(email: $e, password: "opt-in cookie password") { accessToken refreshToken } }';
const REFRESH = 'mutation { refreshToken { accessToken refreshToken } }';

describe.each(['in-process', 'http'] as const)(
  'cookie mode asked for per request, REFRESH_COOKIE unset (SUBGRAPH_TRANSPORT=%s)',
  (transport) => {
    let platform: TestPlatform;

    beforeAll(async () => {
      platform = await startTestPlatform({ SUBGRAPH_TRANSPORT: transport });
    }, PLATFORM_SETUP_MS);
    afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

    it('sets the cookie on every sign-in, keeps the token out of the body, refreshes and logs out from it', async () => {
      const email = uniqueEmail();
      const registered = await platform.gql<{ register: Payload }>(
        REGISTER,
        { e: email },
        { headers: OPT_IN },
      );
      expect(registered.body.errors).toBeUndefined();
      expect(registered.body.data!.register.refreshToken).toBeNull();
      expect(registered.body.data!.register.accessToken).toMatch(/^ey/);
      const first = refreshCookie(registered, SEVEN_DAYS);
      expect(first.length).toBeGreaterThanOrEqual(20);
      expect(JSON.stringify(registered.body)).not.toContain(first);

      const loggedIn = await platform.gql<{ login: Payload }>(
        LOGIN,
        { e: email },
        { headers: OPT_IN },
      );
      expect(loggedIn.body.errors).toBeUndefined();
      expect(loggedIn.body.data!.login.refreshToken).toBeNull();
      const second = refreshCookie(loggedIn, SEVEN_DAYS);

      // Without an argument: the token comes from the cookie, and a rotated one goes back in it.
      const refreshed = await platform.gql<{ refreshToken: Payload }>(
        REFRESH,
        {},
        { headers: { ...OPT_IN, cookie: `theme=dark; ${COOKIE}=${second}` } },
      );
      expect(refreshed.body.errors).toBeUndefined();
      expect(refreshed.body.data!.refreshToken.refreshToken).toBeNull();
      const third = refreshCookie(refreshed, SEVEN_DAYS);
      expect(third).not.toBe(second);

      const switched = await platform.gql<{ switchOrganization: Payload }>(
        'mutation { switchOrganization(organizationId: null) { accessToken refreshToken } }',
        {},
        { token: refreshed.body.data!.refreshToken.accessToken, headers: OPT_IN },
      );
      expect(switched.body.errors).toBeUndefined();
      expect(switched.body.data!.switchOrganization.refreshToken).toBeNull();
      const fourth = refreshCookie(switched, SEVEN_DAYS);

      const logout = await platform.gql(
        'mutation { logout }',
        {},
        { headers: { ...OPT_IN, cookie: `${COOKIE}=${fourth}` } },
      );
      expect(logout.body).toEqual({ data: { logout: true } });
      expect(refreshCookie(logout, 0)).toBe('');
      const after = await platform.gql(
        REFRESH,
        {},
        {
          headers: { ...OPT_IN, cookie: `${COOKIE}=${fourth}` },
        },
      );
      expect(after.body.errors?.[0].extensions?.code).toBe('INVALID_TOKEN');
    });

    it('changes nothing for a client that does not send the header', async () => {
      const email = uniqueEmail();
      const registered = await platform.gql<{ register: Payload }>(REGISTER, { e: email });
      expect(registered.body.errors).toBeUndefined();
      expect(registered.body.data!.register.refreshToken).toMatch(/.{20,}/);
      expect(registered.headers.getSetCookie()).toEqual([]);

      // A session in cookie mode, then the same cookie sent without the header: not read.
      const cookieSession = await platform.gql<{ login: Payload }>(
        LOGIN,
        { e: email },
        { headers: OPT_IN },
      );
      const cookie = `${COOKIE}=${refreshCookie(cookieSession, SEVEN_DAYS)}`;
      const withoutHeader = await platform.gql(REFRESH, {}, { headers: { cookie } });
      expect(withoutHeader.body.errors?.[0].extensions?.code).toBe('INVALID_TOKEN');
      expect(withoutHeader.body.errors?.[0].message).toBe('No refresh token was given.');
      const logoutWithoutHeader = await platform.gql(
        'mutation { logout }',
        {},
        {
          headers: { cookie },
        },
      );
      expect(logoutWithoutHeader.body.errors?.[0].extensions?.code).toBe('INVALID_TOKEN');
      expect(logoutWithoutHeader.headers.getSetCookie()).toEqual([]);
      // Another value than the documented `1` is no opt-in either.
      const otherValue = await platform.gql(
        REFRESH,
        {},
        {
          headers: { cookie, 'x-bastion-refresh-cookie': 'true' },
        },
      );
      expect(otherValue.body.errors?.[0].extensions?.code).toBe('INVALID_TOKEN');

      // The body's token still works as an argument, and the rotated one comes back in the body.
      const refreshed = await platform.gql<{ refreshToken: Payload }>(
        'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken } }',
        { t: registered.body.data!.register.refreshToken },
      );
      expect(refreshed.body.errors).toBeUndefined();
      expect(refreshed.body.data!.refreshToken.refreshToken).toMatch(/.{20,}/);
      expect(refreshed.headers.getSetCookie()).toEqual([]);

      // The cookie session was not spent by the refused attempts.
      const stillThere = await platform.gql<{ refreshToken: Payload }>(
        REFRESH,
        {},
        {
          headers: { ...OPT_IN, cookie },
        },
      );
      expect(stillThere.body.errors).toBeUndefined();
    });
  },
);

describe('the opt-in header across origins (CORS preflight)', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  /**
   * A preflight as a browser sends it, and whether the Fetch standard's CORS-preflight check lets
   * the request follow: the origin echoed, credentials allowed, and every requested header that
   * is not CORS-safelisted named in Access-Control-Allow-Headers (case-insensitively).
   */
  async function preflight(origin: string, headers: string[]) {
    const response = await fetch(platform.gateway.url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': headers.join(','),
      },
    });
    const allowed = (response.headers.get('access-control-allow-headers') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean);
    const passes =
      response.status >= 200 &&
      response.status < 300 &&
      response.headers.get('access-control-allow-origin') === origin &&
      response.headers.get('access-control-allow-credentials') === 'true' &&
      headers.every((name) => allowed.includes(name.toLowerCase()));
    return { passes, allowed };
  }

  it('refuses the header from an admitted development origin, which may send the others', async () => {
    // Outside production with CORS_ORIGINS unset, http://localhost:5173 is admitted (docs/configuration.md).
    const plain = await preflight('http://localhost:5173', ['content-type', 'authorization']);
    expect(plain.passes).toBe(true);
    const optIn = await preflight('http://localhost:5173', [
      'content-type',
      'x-bastion-refresh-cookie',
    ]);
    expect(optIn.passes).toBe(false);
    expect(optIn.allowed).not.toContain('x-bastion-refresh-cookie');
  });

  it('refuses it from an origin that is not admitted at all', async () => {
    const optIn = await preflight('https://attacker.example', [
      'content-type',
      'x-bastion-refresh-cookie',
    ]);
    expect(optIn.passes).toBe(false);
  });
});

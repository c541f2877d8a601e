import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  startOidcProvider,
  startTestPlatform,
  type TestOidcProvider,
  type TestPlatform,
} from '@bastion/testing';
import { REDIRECT_URI, account, auditActions, errorCode, oauthClient } from './oauth-flow';

const ME = '{ me { id email emailVerified linkedProviders credits { balance } } }';
const LOGIN =
  'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { user { id } } }';
const REFRESH = 'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken } }';

describe('oauthLogin with an OpenID Connect provider (provider "oidc")', () => {
  let provider: TestOidcProvider;
  let platform: TestPlatform;
  let oauth: ReturnType<typeof oauthClient>;

  beforeAll(async () => {
    provider = await startOidcProvider([REDIRECT_URI]);
    platform = await startTestPlatform({
      CREDITS_SIGNUP_GRANT: '100',
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      // A google that cannot be reached: nothing listens on port 9 of this machine.
      GOOGLE_ISSUER_URL: 'http://127.0.0.1:9',
      GOOGLE_CLIENT_ID: 'unreachable',
      GOOGLE_CLIENT_SECRET: 'unreachable',
    });
    oauth = oauthClient(platform, provider);
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop();
    await provider?.stop();
  }, PLATFORM_SETUP_MS);

  const schema = () => schemaOf(platform.auth.dataSource);
  const me = (token: string) =>
    platform.gql<{
      me: {
        id: string;
        email: string;
        linkedProviders: string[];
        credits: { balance: number } | null;
      };
    }>(ME, {}, { token });

  it('builds an authorization code URL with PKCE (S256), state and nonce, and stores only the state hash', async () => {
    const response = await oauth.authorizationUrl('oidc');
    const url = new URL(response.body.data!.oauthAuthorizationUrl);
    expect(url.origin).toBe(provider.issuer);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: provider.clientId,
      redirect_uri: REDIRECT_URI,
      code_challenge_method: 'S256',
    });
    expect(params.scope.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));
    expect(params.state.length).toBeGreaterThanOrEqual(43);
    expect(params.nonce.length).toBeGreaterThanOrEqual(43);
    const rows = await platform.auth.dataSource.query(`SELECT * FROM ${schema()}.oauth_states`);
    expect(JSON.stringify(rows)).not.toContain(params.state);
  });

  it('creates a verified, password-less user for a new identity, and credits grant the sign-up credits', async () => {
    const who = account({ name: 'Ada Lovelace' });
    const signedIn = await oauth.signIn('oidc', who);
    expect(signedIn.user).toEqual({
      id: expect.any(String),
      email: who.email,
      emailVerified: true,
      displayName: 'Ada Lovelace',
      linkedProviders: ['oidc'],
    });
    const [row] = await platform.auth.dataSource.query(
      `SELECT password_hash FROM ${schema()}.users WHERE id = $1`,
      [signedIn.user.id],
    );
    expect(row.password_hash).toBeNull();
    await eventually(async () =>
      expect((await me(signedIn.accessToken)).body.data!.me.credits?.balance).toBe(100),
    );
    const created = await platform.auth.dataSource.query(
      `SELECT count(*)::int AS n FROM ${schema()}.outbox WHERE type = 'USER_CREATED' AND data->>'userId' = $1`,
      [signedIn.user.id],
    );
    expect(created[0].n).toBe(1);
    expect(await auditActions(platform, signedIn.user.id)).toEqual([
      'oauth.linked',
      'user.login',
      'user.registered',
    ]);
  });

  it('signs a returning identity in to the same account, even when its email has changed at the provider', async () => {
    const who = account();
    const first = await oauth.signIn('oidc', who);
    const again = await oauth.signIn('oidc', {
      ...who,
      email: 'moved-elsewhere@example.com',
      emailVerified: false,
    });
    expect(again.user.id).toBe(first.user.id);
    expect(again.user.email).toBe(who.email);
    expect((await me(again.accessToken)).body.data!.me.id).toBe(first.user.id);
    const users = await platform.auth.dataSource.query(
      `SELECT count(*)::int AS n FROM ${schema()}.users WHERE email = $1`,
      [who.email],
    );
    expect(users[0].n).toBe(1);
  });

  it('links a verified email to the existing password account, which keeps its password', async () => {
    const user = await registerUser(platform, { verified: true });
    const signedIn = await oauth.signIn('oidc', account({ email: user.email.toUpperCase() }));
    expect(signedIn.user.id).toBe(user.id);
    expect(signedIn.user.linkedProviders).toEqual(['oidc']);
    expect(
      (await platform.gql(LOGIN, { email: user.email, password: user.password })).body.errors,
    ).toBeUndefined();
    expect(await auditActions(platform, user.id)).toEqual(
      expect.arrayContaining(['oauth.linked', 'user.login']),
    );
  });

  it('refuses an email the provider has not verified: no account is created, none is linked', async () => {
    const user = await registerUser(platform, { verified: true });
    const response = await oauth.login(
      'oidc',
      await oauth.callback('oidc', account({ email: user.email, emailVerified: false })),
    );
    expect(errorCode(response)).toBe('FORBIDDEN');
    expect(response.body.errors![0].message).toMatch(/did not confirm an email/);
    const links = await platform.auth.dataSource.query(
      `SELECT count(*)::int AS n FROM ${schema()}.oauth_accounts WHERE user_id = $1`,
      [user.id],
    );
    expect(links[0].n).toBe(0);
    const stranger = account({ emailVerified: false });
    expect(errorCode(await oauth.login('oidc', await oauth.callback('oidc', stranger)))).toBe(
      'FORBIDDEN',
    );
    const users = await platform.auth.dataSource.query(
      `SELECT count(*)::int AS n FROM ${schema()}.users WHERE email = $1`,
      [stranger.email],
    );
    expect(users[0].n).toBe(0);
  });

  it('takes an unverified account back for the proven owner: the unproven password and sessions stop working', async () => {
    const squatter = await registerUser(platform);
    const signedIn = await oauth.signIn('oidc', account({ email: squatter.email }));
    expect(signedIn.user).toMatchObject({ id: squatter.id, emailVerified: true });
    expect(
      errorCode(await platform.gql(LOGIN, { email: squatter.email, password: squatter.password })),
    ).toBe('INVALID_CREDENTIALS');
    expect(errorCode(await platform.gql(REFRESH, { t: squatter.refreshToken }))).toBe(
      'INVALID_TOKEN',
    );
    expect((await me(squatter.accessToken)).status).toBe(401);
    expect((await me(signedIn.accessToken)).body.data!.me.id).toBe(squatter.id);
  });

  it('accepts a state once: a replay is INVALID_TOKEN, as are unknown and tampered states', async () => {
    const callback = await oauth.callback('oidc', account());
    expect((await oauth.login('oidc', callback)).body.errors).toBeUndefined();
    expect(errorCode(await oauth.login('oidc', callback))).toBe('INVALID_TOKEN');
    const fresh = await oauth.callback('oidc', account());
    expect(
      errorCode(await oauth.login('oidc', { ...fresh, state: `${fresh.state.slice(0, -2)}xx` })),
    ).toBe('INVALID_TOKEN');
    // The tampered attempt did not burn the real state, which still works.
    expect((await oauth.login('oidc', fresh)).body.errors).toBeUndefined();
  });

  it('refuses an expired state with INVALID_TOKEN', async () => {
    const callback = await oauth.callback('oidc', account());
    await platform.auth.dataSource.query(
      `UPDATE ${schema()}.oauth_states SET expires_at = now() - interval '1 second'`,
    );
    expect(errorCode(await oauth.login('oidc', callback))).toBe('INVALID_TOKEN');
  });

  it('refuses a code that does not belong to the state with INVALID_TOKEN', async () => {
    const callback = await oauth.callback('oidc', account());
    expect(errorCode(await oauth.login('oidc', { ...callback, code: 'not-a-real-code' }))).toBe(
      'INVALID_TOKEN',
    );
  });

  it('refuses a redirect URI that is not on the allow-list with BAD_USER_INPUT', async () => {
    const response = await oauth.authorizationUrl('oidc', {
      redirectUri: 'https://attacker.example/oauth/callback',
    });
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    const callback = await oauth.callback('oidc', account());
    expect(errorCode(await oauth.login('oidc', callback, `${REDIRECT_URI}/extra`))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('names an unknown or unconfigured provider in BAD_USER_INPUT, and says when one cannot be reached', async () => {
    const unknown = await oauth.authorizationUrl('github');
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.body.errors![0].message).toContain('github');
    const down = await oauth.authorizationUrl('google');
    expect(errorCode(down)).toBe('UPSTREAM_UNAVAILABLE');
    expect(down.body.errors![0].message).not.toContain('127.0.0.1');
  });

  it('does not accept a state for another provider', async () => {
    const callback = await oauth.callback('oidc', account());
    expect(errorCode(await oauth.login('google', callback))).toBe('INVALID_TOKEN');
  });
});

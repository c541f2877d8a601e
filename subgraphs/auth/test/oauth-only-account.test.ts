import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  startOidcProvider,
  startTestPlatform,
  type TestOidcProvider,
  type TestPlatform,
} from '@bastion/testing';
import { REDIRECT_URI, account, errorCode, oauthClient } from './oauth-flow';

/** An account that signs in only through a provider proves itself with a fresh sign-in instead of a password. */
describe('sensitive changes on a password-less (provider-only) account', () => {
  let provider: TestOidcProvider;
  let platform: TestPlatform;
  let oauth: ReturnType<typeof oauthClient>;

  beforeAll(async () => {
    provider = await startOidcProvider([REDIRECT_URI]);
    platform = await startTestPlatform({
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
    });
    oauth = oauthClient(platform, provider);
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop();
    await provider?.stop();
  }, PLATFORM_SETUP_MS);

  const age = (userId: string) =>
    platform.auth.dataSource.query(
      `UPDATE ${schemaOf(platform.auth.dataSource)}.sessions SET created_at = now() - interval '11 minutes' WHERE user_id = $1`,
      [userId],
    );

  it('sets a first password only within ten minutes of a provider sign-in', async () => {
    const who = account();
    const signedIn = await oauth.signIn('oidc', who);
    const change =
      'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';
    await age(signedIn.user.id);
    const stale = await platform.gql(
      change,
      { c: '', n: 'a first real password' },
      { token: signedIn.accessToken },
    );
    expect(errorCode(stale)).toBe('INVALID_CREDENTIALS');
    const fresh = await oauth.signIn('oidc', who);
    expect(fresh.user.id).toBe(signedIn.user.id);
    expect(
      errorCode(
        await platform.gql(
          change,
          { c: '', n: 'a first real password' },
          { token: fresh.accessToken },
        ),
      ),
    ).toBeUndefined();
  });

  it('deletes the account right after a provider sign-in, whatever the password argument', async () => {
    const signedIn = await oauth.signIn('oidc', account());
    const deleted = await platform.gql(
      'mutation { deleteAccount(password: "") }',
      {},
      { token: signedIn.accessToken },
    );
    expect(deleted.body.data).toEqual({ deleteAccount: true });
    expect((await platform.gql('{ me { id } }', {}, { token: signedIn.accessToken })).status).toBe(
      401,
    );
  });
});

import {
  PLATFORM_SETUP_MS,
  registerUser,
  startOidcProvider,
  startTestPlatform,
  type TestOidcProvider,
  type TestPlatform,
} from '@bastion/testing';
import { REDIRECT_URI, account, auditActions, errorCode, oauthClient } from './oauth-flow';

const ME = '{ me { id linkedProviders } }';

/** Provider `google` pointed at a local issuer through GOOGLE_ISSUER_URL, beside `oidc` on the same issuer. */
describe('linking and unlinking providers (google on a local issuer, and oidc)', () => {
  let provider: TestOidcProvider;
  let platform: TestPlatform;
  let oauth: ReturnType<typeof oauthClient>;

  beforeAll(async () => {
    provider = await startOidcProvider([REDIRECT_URI]);
    platform = await startTestPlatform({
      GOOGLE_ISSUER_URL: provider.issuer,
      GOOGLE_CLIENT_ID: provider.clientId,
      GOOGLE_CLIENT_SECRET: provider.clientSecret,
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

  const linkedProviders = async (token: string) =>
    (await platform.gql<{ me: { linkedProviders: string[] } }>(ME, {}, { token })).body.data!.me
      .linkedProviders;

  it('signs in with google through GOOGLE_ISSUER_URL', async () => {
    const signedIn = await oauth.signIn('google', account());
    expect(signedIn.user.linkedProviders).toEqual(['google']);
  });

  it('links google to a signed-in password account; google then signs in to it', async () => {
    const user = await registerUser(platform, { verified: true });
    const who = account({ email: 'someone-else@example.com' });
    const linked = await oauth.link(
      'google',
      await oauth.callback('google', who, { token: user.accessToken, purpose: 'LINK' }),
      user.accessToken,
    );
    expect(linked.body.errors).toBeUndefined();
    expect(linked.body.data!.linkOAuthAccount).toEqual({
      id: user.id,
      linkedProviders: ['google'],
    });
    expect((await oauth.signIn('google', who)).user.id).toBe(user.id);
    expect(await auditActions(platform, user.id)).toContain('oauth.linked');
  });

  it('links even when the provider has not verified the email: the signed-in user proves both sides', async () => {
    const user = await registerUser(platform, { verified: true });
    const callback = await oauth.callback('oidc', account({ emailVerified: false }), {
      token: user.accessToken,
      purpose: 'LINK',
    });
    expect(
      (await oauth.link('oidc', callback, user.accessToken)).body.data!.linkOAuthAccount
        .linkedProviders,
    ).toEqual(['oidc']);
  });

  it('keeps login and link states apart, and a link state to the user who started it', async () => {
    const alice = await registerUser(platform, { verified: true });
    const mallory = await registerUser(platform, { verified: true });
    const linkState = await oauth.callback('google', account(), {
      token: alice.accessToken,
      purpose: 'LINK',
    });
    expect(errorCode(await oauth.login('google', linkState))).toBe('INVALID_TOKEN');
    const aliceLink = await oauth.callback('google', account(), {
      token: alice.accessToken,
      purpose: 'LINK',
    });
    expect(errorCode(await oauth.link('google', aliceLink, mallory.accessToken))).toBe(
      'INVALID_TOKEN',
    );
    const loginState = await oauth.callback('google', account());
    expect(errorCode(await oauth.link('google', loginState, alice.accessToken))).toBe(
      'INVALID_TOKEN',
    );
    expect(await linkedProviders(alice.accessToken)).toEqual([]);
    expect(await linkedProviders(mallory.accessToken)).toEqual([]);
  });

  it('starts a link flow only for a signed-in, verified caller', async () => {
    expect(errorCode(await oauth.authorizationUrl('google', { purpose: 'LINK' }))).toBe(
      'UNAUTHENTICATED',
    );
    const unverified = await registerUser(platform);
    expect(
      errorCode(
        await oauth.authorizationUrl('google', { purpose: 'LINK', token: unverified.accessToken }),
      ),
    ).toBe('EMAIL_NOT_VERIFIED');
  });

  it('refuses with CONFLICT an identity linked to another user, or a second account of one provider', async () => {
    const taken = account();
    await oauth.signIn('google', taken);
    const other = await registerUser(platform, { verified: true });
    const stolen = await oauth.link(
      'google',
      await oauth.callback('google', taken, { token: other.accessToken, purpose: 'LINK' }),
      other.accessToken,
    );
    expect(errorCode(stolen)).toBe('CONFLICT');
    await oauth.link(
      'google',
      await oauth.callback('google', account(), { token: other.accessToken, purpose: 'LINK' }),
      other.accessToken,
    );
    const second = await oauth.link(
      'google',
      await oauth.callback('google', account(), { token: other.accessToken, purpose: 'LINK' }),
      other.accessToken,
    );
    expect(errorCode(second)).toBe('CONFLICT');
  });

  it('unlinks from a password account, and records it', async () => {
    const user = await registerUser(platform, { verified: true });
    await oauth.link(
      'google',
      await oauth.callback('google', account(), { token: user.accessToken, purpose: 'LINK' }),
      user.accessToken,
    );
    const unlinked = await oauth.unlink('google', user.accessToken);
    expect(unlinked.body.data!.unlinkOAuthAccount).toEqual({ id: user.id, linkedProviders: [] });
    expect(await auditActions(platform, user.id)).toContain('oauth.unlinked');
    expect(errorCode(await oauth.unlink('google', user.accessToken))).toBe('NOT_FOUND');
    expect(errorCode(await oauth.unlink('github', user.accessToken))).toBe('BAD_USER_INPUT');
  });

  it('never removes the last way to sign in', async () => {
    const who = account();
    const signedIn = await oauth.signIn('oidc', who);
    const token = signedIn.accessToken;
    expect(errorCode(await oauth.unlink('oidc', token))).toBe('CONFLICT');
    await oauth.link(
      'google',
      await oauth.callback('google', account(), { token, purpose: 'LINK' }),
      token,
    );
    expect(await linkedProviders(token)).toEqual(['google', 'oidc']);
    expect(
      (await oauth.unlink('oidc', token)).body.data!.unlinkOAuthAccount.linkedProviders,
    ).toEqual(['google']);
    expect(errorCode(await oauth.unlink('google', token))).toBe('CONFLICT');
    expect(await linkedProviders(token)).toEqual(['google']);
  });

  it('lets two concurrent unlinks of the last two links leave one', async () => {
    const signedIn = await oauth.signIn('oidc', account());
    const token = signedIn.accessToken;
    await oauth.link(
      'google',
      await oauth.callback('google', account(), { token, purpose: 'LINK' }),
      token,
    );
    const results = await Promise.all([oauth.unlink('oidc', token), oauth.unlink('google', token)]);
    expect(results.map(errorCode).sort()).toEqual(['CONFLICT', undefined]);
    expect(await linkedProviders(token)).toHaveLength(1);
  });
});

import { randomUUID } from 'node:crypto';
import {
  CLAIMS_HEADER,
  deriveKey,
  loadJose,
  signForwardedClaims,
  type Viewer,
} from '@bastion/platform';
import {
  postGraphQL,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

/** A subgraph called directly serves nothing above PUBLIC unless the gateway's claims verify. */
describe('a subgraph called directly with bad claims treats the caller as anonymous', () => {
  let platform: TestPlatform;
  let user: TestUser;
  let viewer: Viewer;
  const ME = '{ me { id email } }';

  beforeAll(async () => {
    platform = await startTestPlatform();
    user = await registerUser(platform, { verified: true });
    viewer = {
      kind: 'user',
      userId: user.id,
      sessionId: randomUUID(),
      emailVerified: true,
      organizationId: null,
      role: null,
      tokenId: randomUUID(),
      issuedAt: 0,
    };
  });
  afterAll(() => platform.stop());

  const call = (
    query: string,
    headers: Record<string, string>,
    variables: Record<string, unknown> = {},
  ) => postGraphQL(platform.auth.url, query, variables, { headers });
  const client = { ip: '127.0.0.1', userAgent: 'jest' };

  function expectAnonymous(response: Awaited<ReturnType<typeof call>>) {
    expect(response.body.data?.me ?? null).toBeNull();
    expect(response.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  }

  it('serves the owner with genuine claims (the control)', async () => {
    const claims = await signForwardedClaims(
      viewer,
      client,
      'auth',
      { query: ME, operationName: null, variables: {} },
      platform.deps.claimsKey,
    );
    const response = await call(ME, { [CLAIMS_HEADER]: claims });
    expect(response.body.data?.me).toEqual({ id: user.id, email: user.email });
  });

  it('refuses no claims, or an identity in a plain header', async () => {
    expectAnonymous(await call(ME, {}));
    expectAnonymous(
      await call(ME, { 'x-user-id': user.id, authorization: `Bearer ${user.accessToken}` }),
    );
  });

  it('refuses claims signed with another key', async () => {
    const forged = await signForwardedClaims(
      viewer,
      client,
      'auth',
      { query: ME, variables: {} },
      deriveKey('x'.repeat(40), 'forwarded-claims'),
    );
    expectAnonymous(await call(ME, { [CLAIMS_HEADER]: forged }));
  });

  it('refuses unsigned (alg none) claims', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { UnsecuredJWT } = await loadJose();
    const unsigned = new UnsecuredJWT({
      k: 'u',
      sub: user.id,
      sid: randomUUID(),
      ev: true,
      op: 'x',
      iat: now,
      exp: now + 30,
      jti: randomUUID(),
    })
      .setAudience('auth')
      .setIssuer('bastion-gateway')
      .encode();
    expect(unsigned.endsWith('.')).toBe(true);
    expectAnonymous(await call(ME, { [CLAIMS_HEADER]: unsigned }));
  });

  it('refuses expired claims', async () => {
    const past = Math.floor(Date.now() / 1000) - 120;
    const { decodeJwt, SignJWT } = await loadJose();
    const payload = decodeJwt(
      await signForwardedClaims(
        viewer,
        client,
        'auth',
        { query: ME, variables: {} },
        platform.deps.claimsKey,
      ),
    );
    // Re-signed with the real key: only the times say it is stale.
    const expired = await new SignJWT({ ...payload, iat: past, exp: past + 30 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(platform.deps.claimsKey);
    expectAnonymous(await call(ME, { [CLAIMS_HEADER]: expired }));
  });

  it('refuses claims the right key signed without a jti, or living longer than one hop', async () => {
    const { decodeJwt, SignJWT } = await loadJose();
    const { jti: _jti, ...payload } = decodeJwt(
      await signForwardedClaims(
        viewer,
        client,
        'auth',
        { query: ME, variables: {} },
        platform.deps.claimsKey,
      ),
    );
    const resign = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(platform.deps.claimsKey);
    expectAnonymous(await call(ME, { [CLAIMS_HEADER]: await resign(payload) }));
    const longLived = await resign({
      ...payload,
      jti: randomUUID(),
      exp: (payload.iat as number) + 86_400,
    });
    expectAnonymous(await call(ME, { [CLAIMS_HEADER]: longLived }));
  });

  it('refuses claims replayed a second time', async () => {
    const claims = await signForwardedClaims(
      viewer,
      client,
      'auth',
      { query: ME, variables: {} },
      platform.deps.claimsKey,
    );
    expect((await call(ME, { [CLAIMS_HEADER]: claims })).body.data?.me).toBeTruthy();
    expectAnonymous(await call(ME, { [CLAIMS_HEADER]: claims }));
  });

  it('refuses claims made for another subgraph or another operation', async () => {
    const forCredits = await signForwardedClaims(
      viewer,
      client,
      'credits',
      { query: ME, variables: {} },
      platform.deps.claimsKey,
    );
    expectAnonymous(await call(ME, { [CLAIMS_HEADER]: forCredits }));
    const forOther = await signForwardedClaims(
      viewer,
      client,
      'auth',
      { query: '{ me { id } }', variables: {} },
      platform.deps.claimsKey,
    );
    expectAnonymous(await call(ME, { [CLAIMS_HEADER]: forOther }));
  });

  it('refuses internal fields to forged service claims', async () => {
    const service: Viewer = { kind: 'service', name: 'evil', scopes: ['users:read'] };
    const query = 'query ($id: ID!) { user(id: $id) { email } }';
    const forged = await signForwardedClaims(
      service,
      client,
      'auth',
      { query, variables: { id: user.id } },
      deriveKey('y'.repeat(40), 'forwarded-claims'),
    );
    const response = await call(query, { [CLAIMS_HEADER]: forged }, { id: user.id });
    expect(response.body.data?.user ?? null).toBeNull();
    expect(response.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

import { randomUUID } from 'node:crypto';
import { CLAIMS_HEADER, deriveKey, signForwardedClaims, type Viewer } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  loadJose,
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
      amr: ['pwd'],
      authTime: Math.floor(Date.now() / 1000),
      mfaEnrolled: false,
    };
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

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
      platform.deps.claimsKeys.keyFor('auth'),
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
        platform.deps.claimsKeys.keyFor('auth'),
      ),
    );
    // Re-signed with the real key: only the times say it is stale.
    const expired = await new SignJWT({ ...payload, iat: past, exp: past + 30 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(platform.deps.claimsKeys.keyFor('auth'));
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
        platform.deps.claimsKeys.keyFor('auth'),
      ),
    );
    const resign = (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .sign(platform.deps.claimsKeys.keyFor('auth'));
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
      platform.deps.claimsKeys.keyFor('auth'),
    );
    expect((await call(ME, { [CLAIMS_HEADER]: claims })).body.data?.me).toEqual({
      id: user.id,
      email: user.email,
    });
    expectAnonymous(await call(ME, { [CLAIMS_HEADER]: claims }));
  });

  it('refuses claims made for another subgraph or another operation', async () => {
    const forCredits = await signForwardedClaims(
      viewer,
      client,
      'credits',
      { query: ME, variables: {} },
      platform.deps.claimsKeys.keyFor('auth'),
    );
    expectAnonymous(await call(ME, { [CLAIMS_HEADER]: forCredits }));
    const forOther = await signForwardedClaims(
      viewer,
      client,
      'auth',
      { query: '{ me { id } }', variables: {} },
      platform.deps.claimsKeys.keyFor('auth'),
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

/**
 * Issue 16: every subgraph held the one claims key, so ai's copy forged claims auth and credits
 * accepted (a `tokens:admin` service token minted, credits added, another user's email read).
 * Now each subgraph verifies with its own key, and a subgraph holds no other's.
 */
describe("one subgraph's claims key opens no other subgraph", () => {
  let platform: TestPlatform;
  let user: TestUser;
  const attacker: Viewer = {
    kind: 'service',
    name: 'ai',
    scopes: ['tokens:admin', 'credits:read', 'credits:write', 'users:read'],
  };
  const client = { ip: '127.0.0.1', userAgent: 'jest' };
  const MINT = 'mutation { issueServiceToken(name: "backdoor", scopes: ["tokens:admin"]) }';
  const ADD =
    'mutation ($userId: ID!, $key: String!) { addCredits(userId: $userId, amount: 1000000, type: ADJUSTMENT, idempotencyKey: $key) { balanceAfter } }';
  const EMAIL = 'query ($id: ID!) { user(id: $id) { email } }';

  beforeAll(async () => {
    platform = await startTestPlatform();
    user = await registerUser(platform, { verified: true });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  async function send(
    target: 'auth' | 'credits',
    signedWith: string,
    query: string,
    variables: Record<string, unknown> = {},
  ) {
    const claims = await signForwardedClaims(
      attacker,
      client,
      target,
      { query, variables },
      platform.deps.claimsKeys.keyFor(signedWith),
    );
    return postGraphQL<Record<string, unknown>>(platform.subgraphs[target]!.url, query, variables, {
      headers: { [CLAIMS_HEADER]: claims },
    });
  }

  it("refuses claims made with ai's key at auth and credits: no token, no credits, no email", async () => {
    const mint = await send('auth', 'ai', MINT);
    expect(mint.body.data?.issueServiceToken ?? null).toBeNull();
    expect(mint.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const add = await send('credits', 'ai', ADD, { userId: user.id, key: randomUUID() });
    expect(add.body.data?.addCredits ?? null).toBeNull();
    expect(add.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const email = await send('auth', 'ai', EMAIL, { id: user.id });
    expect(email.body.data?.user ?? null).toBeNull();
    expect(email.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const balance = await platform.gql<{ me: { credits: { balance: number } } }>(
      '{ me { credits { balance } } }',
      {},
      { token: user.accessToken },
    );
    expect(balance.body.data?.me.credits.balance).toBe(100);
  });

  it("refuses claims made with credits' key at auth, and auth's at credits", async () => {
    expect((await send('auth', 'credits', EMAIL, { id: user.id })).body.data?.user ?? null).toBe(
      null,
    );
    const add = await send('credits', 'auth', ADD, { userId: user.id, key: randomUUID() });
    expect(add.body.data?.addCredits ?? null).toBeNull();
  });

  it("serves claims made with the receiver's own key (the control)", async () => {
    const email = await send('auth', 'auth', EMAIL, { id: user.id });
    expect(email.body.data?.user).toEqual({ email: user.email });
    const add = await send('credits', 'credits', ADD, { userId: user.id, key: randomUUID() });
    expect(add.body.errors).toBeUndefined();
    expect(add.body.data?.addCredits).toEqual({ balanceAfter: 1_000_100 });
  });
});

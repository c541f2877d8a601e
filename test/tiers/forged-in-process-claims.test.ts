import * as platformExports from '@bastion/platform';
import { createClaimsChannel, type Viewer } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

type Execute = NonNullable<TestPlatform['auth']['inProcess']>['executeInProcess'];
type Claims = Parameters<Execute>[1];
type Request = Parameters<Execute>[0];

/**
 * In the all-in-one process (SUBGRAPH_TRANSPORT=in-process, the default) a subgraph takes the
 * caller from claims objects only its own gateway can mint: anything else serves as anonymous,
 * as forged signed claims do over HTTP (forged-claims.test.ts).
 */
describe('a subgraph called in process with claims its gateway did not mint treats the caller as anonymous', () => {
  let platform: TestPlatform;
  let user: TestUser;
  const ME = '{ me { id email } }';
  const noSink = { setCookie: () => undefined };

  beforeAll(async () => {
    platform = await startTestPlatform();
    user = await registerUser(platform, { verified: true });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  const auth = () => platform.auth.inProcess!;
  const orgs = () => platform.orgs.inProcess!;

  function expectAnonymous(response: Awaited<ReturnType<Execute>>) {
    expect(response.data?.me ?? null).toBeNull();
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  }

  /** Runs `inspect` on the genuine claims and request of the gateway's next call to auth, then lets the call go on. */
  async function withGatewayClaims(
    inspect: (request: Request, claims: Claims, real: Execute) => Promise<void>,
  ): Promise<void> {
    const target = auth();
    const real = target.executeInProcess.bind(target);
    let inspected = false;
    const spy = jest
      .spyOn(target, 'executeInProcess')
      .mockImplementation(async (request, claims, sink) => {
        if (!inspected) {
          inspected = true;
          await inspect(request, claims, real);
        }
        return real(request, claims, sink);
      });
    try {
      const response = await platform.gql(ME, {}, { token: user.accessToken });
      // The genuine claims still served the owner once the forgeries were refused.
      expect(response.body.data?.me).toEqual({ id: user.id, email: user.email });
      expect(inspected).toBe(true);
    } finally {
      spy.mockRestore();
    }
  }

  it('the gateway calls auth in process and serves the owner (the control)', async () => {
    await withGatewayClaims(async () => undefined);
  });

  it('refuses no claims, a plain object, a copy, a spread or a prototype of genuine claims', async () => {
    await withGatewayClaims(async (request, claims) => {
      const forgeries: unknown[] = [
        undefined,
        null,
        { audience: 'auth', requestId: 'r' },
        { ...(claims as object) },
        Object.assign({}, claims),
        structuredClone(claims),
        Object.create(claims as object),
        new Proxy(claims as object, {}),
      ];
      for (const forged of forgeries)
        expectAnonymous(await auth().executeInProcess(request, forged, noSink));
    });
  });

  it('refuses genuine claims presented to another subgraph or with another request object', async () => {
    await withGatewayClaims(async (request, claims) => {
      // orgs has no `me`: asked for its own root field, it answers as to an anonymous caller.
      const forOrgs = await orgs().executeInProcess(
        { ...request, query: '{ myOrganizations { id } }' },
        claims,
        noSink,
      );
      expect(forOrgs.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expectAnonymous(await auth().executeInProcess({ ...request }, claims, noSink));
      expectAnonymous(await auth().executeInProcess({ query: ME }, claims, noSink));
    });
  });

  it('refuses claims spent by the request they were minted for (a replay)', async () => {
    let captured: { request: Request; claims: Claims } | undefined;
    await withGatewayClaims(async (request, claims) => {
      captured = { request, claims };
    });
    expectAnonymous(await auth().executeInProcess(captured!.request, captured!.claims, noSink));
  });

  it('refuses claims minted by a channel of its own, and no export mints claims without one', async () => {
    const viewer: Viewer = {
      kind: 'user',
      userId: user.id,
      sessionId: 's',
      emailVerified: true,
      organizationId: null,
      role: null,
      tokenId: 't',
      issuedAt: 0,
      amr: ['pwd'],
      authTime: Math.floor(Date.now() / 1000),
      mfaEnrolled: false,
    };
    const request = { query: ME };
    const claims = createClaimsChannel().mint(
      viewer,
      { ip: null, userAgent: null },
      'auth',
      request,
      'r',
    );
    expectAnonymous(await auth().executeInProcess(request, claims, noSink));
    // The channel is the platform's only way to make in-process claims; the running process
    // exposes no mint (the gateway's is captured in its data sources).
    const minting = Object.keys(platformExports).filter((name) =>
      /mint|inprocessclaims/i.test(name),
    );
    expect(minting).toEqual([]);
    expect(JSON.stringify(Object.keys(platform.gateway))).not.toMatch(/mint|channel/i);
  });
});

import { randomUUID } from 'node:crypto';
import {
  CLAIMS_HEADER,
  connectRedis,
  createLogger,
  createRateLimiter,
  signForwardedClaims,
  type Viewer,
} from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  postGraphQL,
  registerUser,
  startPrivateRedis,
  startTestPlatform,
  type PrivateService,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

const PUBLIC_QUERIES = ['{ creditPackages { id } }', '{ aiModels { id } }'];
const LOGIN =
  'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }';
const ME = '{ me { id email } }';

/**
 * Redis killed under a running platform: every feature that uses it falls back per process (docs/operations.md
 * "What happens when a part fails"), so public queries and login keep answering; Redis back empty
 * and the platform uses it again without a restart.
 */
describe('Redis down', () => {
  let redis: PrivateService;
  let platform: TestPlatform;
  let user: TestUser;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    platform = await startTestPlatform({ REDIS_URL: redis.url });
    user = await registerUser(platform);
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop();
    await redis?.destroy();
  }, PLATFORM_SETUP_MS);

  const ready = async () =>
    (await fetch(platform.gateway.url.replace('/graphql', '/ready'))).json();
  const login = () =>
    platform.gql<{ login: { accessToken: string } }>(LOGIN, {
      email: user.email,
      password: user.password,
    });

  function expectAnswered(response: Awaited<ReturnType<typeof platform.gql>>) {
    // Each public query has one root field, a list (the seeded packages / models).
    expect(response.body.errors).toBeUndefined();
    expect(Object.values(response.body.data ?? {})).toEqual([expect.any(Array)]);
  }

  it('is reported in /ready while it answers', async () => {
    expect(await ready()).toMatchObject({ status: 'ready', checks: { redis: true } });
  });

  describe('killed', () => {
    beforeAll(() => redis.kill(), PLATFORM_SETUP_MS);

    it('is reported by name in /ready, which stays ready: the platform serves without it', async () => {
      const body = await ready();
      expect(body).toMatchObject({
        status: 'ready',
        checks: { redis: false },
        degraded: ['redis'],
      });
    });

    it('still answers public queries', async () => {
      for (const query of PUBLIC_QUERIES) expectAnswered(await platform.gql(query));
    });

    it('still logs in (limits count per process), with public queries answering alongside', async () => {
      const [signedIn, ...queries] = await Promise.all([
        login(),
        ...PUBLIC_QUERIES.map((query) => platform.gql(query)),
      ]);
      expect(signedIn.body.data?.login.accessToken).toEqual(expect.any(String));
      queries.forEach(expectAnswered);
    });

    it('still refuses forwarded claims replayed to the same subgraph instance', async () => {
      const viewer: Viewer = {
        kind: 'user',
        userId: user.id,
        sessionId: randomUUID(),
        emailVerified: false,
        organizationId: null,
        role: null,
        tokenId: randomUUID(),
        issuedAt: 0,
        amr: ['pwd'],
        authTime: Math.floor(Date.now() / 1000),
        mfaEnrolled: false,
      };
      const claims = await signForwardedClaims(
        viewer,
        { ip: '127.0.0.1', userAgent: 'jest' },
        'auth',
        { query: ME, variables: {} },
        platform.deps.claimsKeys.keyFor('auth'),
      );
      const send = () =>
        postGraphQL<{ me: { id: string } | null }>(
          platform.auth.url,
          ME,
          {},
          { headers: { [CLAIMS_HEADER]: claims } },
        );
      expect((await send()).body.data?.me?.id).toBe(user.id);
      const replay = await send();
      expect(replay.body.data?.me ?? null).toBeNull();
      expect(replay.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('back, empty', () => {
    beforeAll(() => redis.start(), PLATFORM_SETUP_MS);

    it('is used again without restarting the platform', async () => {
      await eventually(
        async () =>
          expect(await ready()).toMatchObject({ status: 'ready', checks: { redis: true } }),
        15_000,
      );
      for (const query of PUBLIC_QUERIES) expectAnswered(await platform.gql(query));
      const signedIn = await login();
      const token = signedIn.body.data?.login.accessToken;
      expect(token).toEqual(expect.any(String));
      const me = await platform.gql<{ me: { id: string } }>(ME, {}, { token });
      expect(me.body.data?.me.id).toBe(user.id);
    });
  });
});

/** The limiter itself, on a Redis that is gone: counts go on in this process instead of failing. */
describe('a rate limiter whose Redis is gone', () => {
  it('counts in process memory, and in Redis again once it is back', async () => {
    const redis = await startPrivateRedis();
    const client = await connectRedis(redis.url, createLogger({ name: 'test', level: 'silent' }));
    try {
      const limiter = createRateLimiter(client, 'limits:');
      expect((await limiter.hit('k', 60)).count).toBe(1);
      await redis.kill();
      expect((await limiter.hit('k', 60)).count).toBe(1);
      expect((await limiter.hit('k', 60)).count).toBe(2);
      expect((await limiter.peek('k')).count).toBe(2);
      await redis.start();
      await eventually(async () => expect(client.status).toBe('ready'), 15_000);
      expect((await limiter.hit('k', 60)).count).toBe(1);
    } finally {
      client.disconnect();
      await redis.destroy();
    }
  });
});

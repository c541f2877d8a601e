import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { Redis } from 'ioredis';
import {
  REDIS_COMMAND_TIMEOUT_MS,
  connectRedis,
  createRateLimiter,
  redisHealth,
} from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  startPrivateRedis,
  startTestPlatform,
  type PrivateService,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

const PUBLIC = '{ creditPackages { id } }';
const LOGIN =
  'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }';
const ME = '{ me { id } }';

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/**
 * Redis hung, not closed (SIGSTOP: its socket stays open and nothing answers). Each Redis command
 * is bounded by REDIS_COMMAND_TIMEOUT_MS and the connection is dropped after the first wait, so a
 * request costs at most one such wait, then the per-process fallbacks answer; SIGCONT and the
 * platform uses Redis again. The bounds are relative to the same requests measured just before
 * in the same run: the old client made each request wait a 1 s timeout per Redis call (2-5 s).
 */
describe('Redis hung (SIGSTOP) under a running platform', () => {
  let redis: PrivateService;
  let platform: TestPlatform;
  let user: TestUser;
  let token: string;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    platform = await startTestPlatform({ REDIS_URL: redis.url });
    user = await registerUser(platform);
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    if (redis?.isRunning) redis.resume();
    await platform?.stop();
    await redis?.destroy();
  }, PLATFORM_SETUP_MS);

  const ready = async () =>
    (await fetch(platform.gateway.url.replace('/graphql', '/ready'))).json();
  const metrics = async () =>
    (await fetch(platform.gateway.internalUrl.replace('/graphql', '/metrics'))).text();

  /** The three kinds of request that use Redis: cost budget; login limits; revocations and replay guard. */
  const kinds: Record<string, () => Promise<unknown>> = {
    public: async () => {
      const response = await platform.gql<{ creditPackages: unknown[] }>(PUBLIC);
      expect(response.body.errors).toBeUndefined();
      return response.body.data?.creditPackages;
    },
    login: async () => {
      const response = await platform.gql<{ login: { accessToken: string } }>(LOGIN, {
        email: user.email,
        password: user.password,
      });
      expect(response.body.errors).toBeUndefined();
      token = response.body.data!.login.accessToken;
      return token;
    },
    me: async () => {
      const response = await platform.gql<{ me: { id: string } }>(ME, {}, { token });
      expect(response.body.data?.me.id).toBe(user.id);
      return response.body.data?.me.id;
    },
  };

  async function measureRounds(rounds: number): Promise<Record<string, number[]>> {
    const times: Record<string, number[]> = {};
    for (let round = 0; round < rounds; round++) {
      for (const [name, run] of Object.entries(kinds)) {
        const { ms, value } = await timed(run);
        expect(value).toBeTruthy();
        (times[name] ??= []).push(ms);
      }
    }
    return times;
  }

  it('serves every request with at most one short wait each, reports it, and recovers on SIGCONT', async () => {
    const client = platform.deps.redis!;
    await measureRounds(1); // warm-up: first plans and connections
    const baseline = await measureRounds(3);
    expect(await ready()).toMatchObject({ status: 'ready', checks: { redis: true } });
    const failedBefore = redisHealth(client).failedCommands;

    redis.pause();
    try {
      const hung = await measureRounds(4);
      for (const [name, times] of Object.entries(hung)) {
        // One wait for Redis at most, on top of what the same request took with Redis answering
        // (twice the slowest, for a loaded machine): never a wait per Redis call.
        const bound = 2 * Math.max(...baseline[name]) + REDIS_COMMAND_TIMEOUT_MS + 250;
        expect(Math.max(...times)).toBeLessThan(bound);
      }
      // After the first wait the connection is dropped: the later rounds do not wait at all.
      const later = Object.values(hung).flatMap((times) => times.slice(1));
      const laterBound =
        2 * Math.max(...Object.values(baseline).flat()) + REDIS_COMMAND_TIMEOUT_MS / 2;
      expect(Math.max(...later)).toBeLessThan(laterBound);

      expect(await ready()).toMatchObject({
        status: 'ready',
        checks: { redis: false },
        degraded: ['redis'],
      });
      expect(redisHealth(client).isUp).toBe(false);
      expect(redisHealth(client).failedCommands).toBeGreaterThan(failedBefore);
      const text = await metrics();
      expect(text).toMatch(/^bastion_gateway_redis_up 0$/m);
      expect(text).toMatch(/^bastion_gateway_redis_outages_total [1-9]/m);
      expect(text).toMatch(/^bastion_gateway_redis_failed_commands_total [1-9]/m);
    } finally {
      redis.resume();
    }

    await eventually(
      async () => expect(await ready()).toMatchObject({ checks: { redis: true } }),
      20_000,
    );
    await measureRounds(1);
    expect(await metrics()).toMatch(/^bastion_gateway_redis_up 1$/m);
  });
});

/** The client itself on a hung Redis: bounded waits, one warning per outage, the limiter falls back. */
describe('a Redis client whose Redis hangs', () => {
  it('fails each command within one timeout, warns once, counts per process, and recovers', async () => {
    const redis = await startPrivateRedis();
    const lines: { level: number; msg: string }[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    const client = await connectRedis(redis.url, logger);
    const probe = new Redis(redis.url, { lazyConnect: true });
    try {
      const limiter = createRateLimiter(client, 'hang:');
      expect((await limiter.hit('k', 60)).count).toBe(1);
      const { ms: answered } = await timed(() => limiter.hit('k', 60));

      redis.pause();
      const waits: number[] = [];
      const counts: number[] = [];
      for (let i = 0; i < 20; i++) {
        const { ms, value } = await timed(() => limiter.hit('k', 60));
        waits.push(ms);
        counts.push(value.count);
      }
      // Counted in memory from the first failure on: 1, 2, 3, ...
      expect(counts).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      // The first hit waits the timeout; the 19 after it do not wait for Redis at all.
      expect(waits[0]).toBeLessThan(REDIS_COMMAND_TIMEOUT_MS + 250 + 2 * answered);
      expect(waits.slice(1).reduce((a, b) => a + b, 0)).toBeLessThan(REDIS_COMMAND_TIMEOUT_MS);
      const warnings = lines.filter((line) => line.level === 40);
      expect(warnings).toHaveLength(1);
      expect(warnings[0].msg).toMatch(/^redis unavailable/);
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);

      redis.resume();
      // ioredis emits 'ready' on the tick after its status says so: wait for the line itself.
      await eventually(async () => expect(lines.at(-1)?.msg).toMatch(/^redis is back/), 20_000);
      expect(client.status).toBe('ready');
      expect(lines.filter((line) => line.level === 40)).toHaveLength(1);
      // Back in Redis: the count is Redis's (2 before the hang, plus the hit it received but could
      // not answer, then this one), not this process's 21.
      const back = await limiter.hit('k', 60);
      await probe.connect();
      expect(await probe.get('hang:rl:k')).toBe(String(back.count));
      expect(back.count).toBeLessThan(5);
    } finally {
      if (redis.isRunning) redis.resume();
      client.disconnect();
      probe.disconnect();
      await redis.destroy();
    }
  });
});

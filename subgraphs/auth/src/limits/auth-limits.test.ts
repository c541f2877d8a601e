import { Redis } from 'ioredis';
import {
  AppError,
  MemoryFailureLimiter,
  MemoryRateLimiter,
  RedisFailureLimiter,
  RedisRateLimiter,
  type ClientInfo,
  type FailureLimiter,
  type RateLimiter,
} from '@bastion/platform';
import { AuthLimits, type AuthLimitSettings } from './auth-limits';

type Limiters = () => { rate: RateLimiter; failures: (slotTtlSeconds?: number) => FailureLimiter };
const stacks: [string, Limiters][] = [
  [
    'memory',
    () => ({ rate: new MemoryRateLimiter(), failures: (ttl) => new MemoryFailureLimiter(ttl) }),
  ],
];
const url = process.env.REDIS_URL;
const connections: Redis[] = [];
afterAll(() => Promise.all(connections.map((redis) => redis.quit())));
/** A connection that is ready: the failure limiter counts in its insurance memory until it is. */
async function connect(redisUrl: string): Promise<Redis> {
  const redis = new Redis(redisUrl);
  connections.push(redis);
  await redis.ping();
  return redis;
}
if (url) {
  const redis = new Redis(url);
  connections.push(redis);
  beforeAll(() => redis.ping());
  stacks.push([
    'redis',
    () => {
      const prefix = `bastion:test:${Date.now()}:${Math.random().toString(36).slice(2)}:`;
      return {
        rate: new RedisRateLimiter(redis, prefix),
        failures: (ttl) => new RedisFailureLimiter(redis, prefix, ttl),
      };
    },
  ]);
}

const CLIENT: ClientInfo = { ip: '203.0.113.7', userAgent: 'jest' };
const SETTINGS: AuthLimitSettings = {
  perIpAttempts: 1000,
  failuresPerEmail: 10,
  windowSeconds: 900,
  maxWaitMs: 30_000,
};
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A sign-in as the account service does it: a per-address attempt, then one slot for the password check. */
async function signIn(
  limits: AuthLimits,
  email: string,
  check: () => Promise<boolean>,
): Promise<string> {
  try {
    return await limits.attempt('login', CLIENT, async () => {
      const attempt = await limits.beginLogin(email);
      try {
        if (await check()) return 'OK';
        await attempt.failed();
        throw new AppError('INVALID_CREDENTIALS');
      } finally {
        await attempt.release();
      }
    });
  } catch (error) {
    if (error instanceof AppError) return error.code;
    return 'INFRASTRUCTURE';
  }
}

const right = async () => {
  await tick();
  return true;
};
const wrong = async () => {
  await tick();
  return false;
};
const databaseDown = async (): Promise<boolean> => {
  await tick();
  throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
};

describe.each(stacks)('login limits on the %s limiters', (_name, make) => {
  it('lets twenty concurrent right passwords of one email all through', async () => {
    const { rate, failures } = make();
    const limits = new AuthLimits(rate, failures(), SETTINGS);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => signIn(limits, 'many@example.com', right)),
    );
    expect(outcomes).toEqual(Array(20).fill('OK'));
  });

  it('checks at most ten of many concurrent wrong guesses, then refuses the right password too', async () => {
    const { rate, failures } = make();
    const limits = new AuthLimits(rate, failures(), SETTINGS);
    let checked = 0;
    const guess = async () => {
      checked += 1;
      return wrong();
    };
    const outcomes = await Promise.all(
      Array.from({ length: 14 }, () => signIn(limits, 'victim@example.com', guess)),
    );
    expect(checked).toBe(10);
    expect(outcomes.filter((o) => o === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'RATE_LIMITED')).toHaveLength(4);
    const attempt = limits.beginLogin('victim@example.com');
    await expect(attempt).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      extensions: { retryAfter: expect.any(Number) },
    });
    expect(await signIn(limits, 'victim@example.com', right)).toBe('RATE_LIMITED');
  });

  it('counts no failure and charges no address for a check that failed on the database', async () => {
    const { rate, failures } = make();
    const limits = new AuthLimits(rate, failures(), { ...SETTINGS, perIpAttempts: 5 });
    const outcomes = [];
    for (let i = 0; i < 15; i += 1)
      outcomes.push(await signIn(limits, 'outage@example.com', databaseDown));
    expect(outcomes).toEqual(Array(15).fill('INFRASTRUCTURE'));
    // After the outage: the right password works, and the address still has its five attempts.
    expect(await signIn(limits, 'outage@example.com', right)).toBe('OK');
    const later = [];
    for (let i = 0; i < 5; i += 1)
      later.push(await signIn(limits, `other-${i}@example.com`, wrong));
    expect(later).toEqual([...Array(4).fill('INVALID_CREDENTIALS'), 'RATE_LIMITED']);
  });

  it('frees a slot a crashed process never released, once its time is up', async () => {
    const { rate, failures } = make();
    const limiter = failures(1);
    const limits = new AuthLimits(rate, limiter, { ...SETTINGS, failuresPerEmail: 2 });
    for (let i = 0; i < 2; i += 1)
      expect((await limiter.reserve('login:crash@example.com', 2)).kind).toBe('reserved');
    expect((await limiter.reserve('login:crash@example.com', 2)).kind).toBe('busy');
    expect(await signIn(limits, 'crash@example.com', right)).toBe('OK');
  });
});

if (url) {
  describe('login limits on two instances sharing one Redis', () => {
    it('check at most ten of many concurrent wrong guesses between them, then both refuse', async () => {
      const prefix = `bastion:test:${Date.now()}:${Math.random().toString(36).slice(2)}:`;
      const instances = [await connect(url), await connect(url)].map(
        (redis) =>
          new AuthLimits(
            new RedisRateLimiter(redis, prefix),
            new RedisFailureLimiter(redis, prefix),
            SETTINGS,
          ),
      );
      let checked = 0;
      const guess = async () => {
        checked += 1;
        return wrong();
      };
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => signIn(instances[i % 2], 'shared@example.com', guess)),
      );
      expect(checked).toBe(10);
      expect(outcomes.filter((o) => o === 'INVALID_CREDENTIALS')).toHaveLength(10);
      expect(outcomes.filter((o) => o === 'RATE_LIMITED')).toHaveLength(10);
      for (const limits of instances)
        expect(await signIn(limits, 'shared@example.com', right)).toBe('RATE_LIMITED');
    });
  });
}

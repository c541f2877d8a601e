import { Redis } from 'ioredis';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './rate-limiter';

const limiters: [string, () => RateLimiter][] = [['memory', () => new MemoryRateLimiter()]];
if (process.env.REDIS_URL) {
  const redis = new Redis(process.env.REDIS_URL);
  afterAll(() => redis.quit());
  limiters.push(['redis', () => new RedisRateLimiter(redis, `bastion:test:${Date.now()}:`)]);
}

describe.each(limiters)('%s rate limiter', (_name, make) => {
  it('counts hits in a window and reports when it ends', async () => {
    const limiter = make();
    expect(await limiter.peek('k')).toEqual({ count: 0, retryAfter: 0 });
    for (let i = 1; i <= 3; i += 1) expect((await limiter.hit('k', 60)).count).toBe(i);
    const state = await limiter.peek('k');
    expect(state.count).toBe(3);
    expect(state.retryAfter).toBeGreaterThan(50);
    expect(state.retryAfter).toBeLessThanOrEqual(60);
    expect((await limiter.hit('other', 60)).count).toBe(1);
  });

  it('starts a new window when the old one has passed', async () => {
    const limiter = make();
    expect((await limiter.hit('short', 1)).count).toBe(1);
    expect((await limiter.hit('short', 1)).count).toBe(2);
    // Waits for the window to end as the limiter reports it (bounded), not for a fixed time.
    const deadline = Date.now() + 10_000;
    while ((await limiter.peek('short')).count !== 0) {
      if (Date.now() > deadline) throw new Error('the 1 s window did not end within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await limiter.hit('short', 1)).count).toBe(1);
  });

  it('an undo takes back a hit but never earns a spare one', async () => {
    const limiter = make();
    await limiter.undo('fresh');
    expect(await limiter.peek('fresh')).toEqual({ count: 0, retryAfter: 0 });
    await limiter.hit('once', 60);
    await limiter.undo('once');
    await limiter.undo('once');
    expect((await limiter.peek('once')).count).toBe(0);
    expect((await limiter.hit('once', 60)).count).toBe(1);
  });
});

import { MemoryFailureLimiter } from './failure-limiter';
import { MAX_MEMORY_LIMIT_KEYS } from './memory-fallback';
import { MemoryRateLimiter } from './rate-limiter';

/**
 * A process's own limiters hold a bounded number of keys: a flood of distinct keys inside one
 * window (every address or email new) no longer grows them until the windows end.
 */
/** The bound docs/operations.md "What happens when a part fails" states. */
const CAP = 100_000;

describe('memory limiters are bounded', () => {
  afterEach(() => jest.useRealTimers());

  it('at 100,000 keys', () => expect(MAX_MEMORY_LIMIT_KEYS).toBe(CAP));

  it('the rate limiter keeps at most 100,000 keys under a flood of 15-minute windows', async () => {
    const limiter = new MemoryRateLimiter();
    const flood = CAP + 50_000;
    for (let i = 0; i < flood; i++) await limiter.hit(`ip:${i}`, 900);
    expect(limiter.size).toBe(CAP);
    // The newest windows are kept whole; the oldest made room.
    expect((await limiter.peek(`ip:${flood - 1}`)).count).toBe(1);
    expect((await limiter.peek('ip:0')).count).toBe(0);
  });

  it('the rate limiter evicts the oldest window first, and a restarted window counts as new', async () => {
    const limiter = new MemoryRateLimiter(3);
    jest.useFakeTimers({ now: 1_000_000 });
    await limiter.hit('a', 10);
    await limiter.hit('b', 1);
    await limiter.hit('c', 10);
    jest.setSystemTime(1_000_000 + 2_000); // b's window has passed
    await limiter.hit('b', 10); // b restarts: now the newest
    await limiter.hit('a', 10); // a's second hit, same window
    await limiter.hit('d', 10); // over 3: the oldest window (a) goes
    expect(limiter.size).toBe(3);
    expect((await limiter.peek('a')).count).toBe(0);
    expect((await limiter.peek('b')).count).toBe(1);
    expect((await limiter.peek('c')).count).toBe(1);
    expect((await limiter.peek('d')).count).toBe(1);
  });

  it('the rate limiter drops expired windows at the front before the cap is reached', async () => {
    const limiter = new MemoryRateLimiter(100);
    jest.useFakeTimers({ now: 1_000_000 });
    await limiter.hit('a', 1);
    await limiter.hit('b', 1);
    jest.setSystemTime(1_000_000 + 1_500);
    await limiter.hit('c', 60);
    expect(limiter.size).toBe(1);
  });

  it('the failure limiter keeps at most 100,000 keys', async () => {
    const limiter = new MemoryFailureLimiter();
    const flood = CAP + 20_000;
    for (let i = 0; i < flood; i++) {
      const reservation = await limiter.reserve(`email:${i}`, 10);
      if (reservation.kind !== 'reserved') throw new Error(`unexpected ${reservation.kind}`);
      await limiter.fail(`email:${i}`, reservation.slot, 900);
    }
    expect(limiter.size).toBe(CAP);
  });

  it('the failure limiter still refuses at the limit within the bound', async () => {
    const limiter = new MemoryFailureLimiter(30, 10);
    for (let i = 0; i < 3; i++) {
      const reservation = await limiter.reserve('victim', 3);
      if (reservation.kind !== 'reserved') throw new Error(`unexpected ${reservation.kind}`);
      await limiter.fail('victim', reservation.slot, 900);
    }
    expect(await limiter.reserve('victim', 3)).toMatchObject({ kind: 'refused' });
  });
});

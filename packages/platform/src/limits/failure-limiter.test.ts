import { Redis } from 'ioredis';
import {
  MemoryFailureLimiter,
  RedisFailureLimiter,
  type FailureLimiter,
  type Reservation,
} from './failure-limiter';

const connections: Redis[] = [];
afterAll(() => Promise.all(connections.map((redis) => redis.quit())));

/** A connection that is ready: the limiters count in their insurance memory until it is. */
async function connect(url: string): Promise<Redis> {
  const redis = new Redis(url);
  connections.push(redis);
  await redis.ping();
  return redis;
}

const uniquePrefix = () => `bastion:test:${Date.now()}:${Math.random().toString(36).slice(2)}:`;

const stacks: [string, () => Promise<FailureLimiter>][] = [
  ['memory', async () => new MemoryFailureLimiter()],
];
const url = process.env.REDIS_URL;
if (url)
  stacks.push(['redis', async () => new RedisFailureLimiter(await connect(url), uniquePrefix())]);

const kinds = (reservations: Reservation[]) => reservations.map((r) => r.kind).sort();

describe.each(stacks)('%s failure limiter', (_name, make) => {
  it('holds failures + checks in flight at the limit, and refuses once the failures reach it', async () => {
    const limiter = await make();
    const taken = await Promise.all(Array.from({ length: 5 }, () => limiter.reserve('k', 3)));
    expect(kinds(taken)).toEqual(['busy', 'busy', 'reserved', 'reserved', 'reserved']);
    const slots = taken.flatMap((r) => (r.kind === 'reserved' ? [r.slot] : []));
    // A released slot (a right password) is free again; a failed one stays taken, as a failure.
    await limiter.release('k', slots[0]);
    await limiter.fail('k', slots[1], 60);
    await limiter.fail('k', slots[2], 60);
    const next = await limiter.reserve('k', 3);
    expect(next.kind).toBe('reserved');
    expect((await limiter.reserve('k', 3)).kind).toBe('busy');
    if (next.kind === 'reserved') await limiter.fail('k', next.slot, 60);
    const refused = await limiter.reserve('k', 3);
    expect(refused.kind).toBe('refused');
    if (refused.kind === 'refused') {
      expect(refused.retryAfter).toBeGreaterThan(50);
      expect(refused.retryAfter).toBeLessThanOrEqual(60);
    }
    // Other keys are counted apart.
    expect((await limiter.reserve('other', 3)).kind).toBe('reserved');
  });

  it('of many concurrent reservations takes exactly the limit', async () => {
    const limiter = await make();
    const taken = await Promise.all(Array.from({ length: 30 }, () => limiter.reserve('many', 10)));
    expect(taken.filter((r) => r.kind === 'reserved')).toHaveLength(10);
    expect(taken.filter((r) => r.kind === 'busy')).toHaveLength(20);
  });

  it('frees one slot per release: the slot of a right password is free again', async () => {
    const limiter = await make();
    const first = await limiter.reserve('once', 2);
    const second = await limiter.reserve('once', 2);
    if (first.kind !== 'reserved' || second.kind !== 'reserved') throw new Error('not reserved');
    await limiter.release('once', first.slot);
    expect((await limiter.reserve('once', 2)).kind).toBe('reserved');
    expect((await limiter.reserve('once', 2)).kind).toBe('busy');
  });
});

describe('a slot a crashed process never released', () => {
  // Slots of 10 s: buckets [0, 10 s), [10 s, 20 s), ... of the (fake) clock.
  const SLOT_SECONDS = 10;
  const at = (ms: number) => jest.setSystemTime(1_000_000_000_000 + ms);
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('still counts in the next bucket (at least the slot time), and not two buckets on', async () => {
    const limiter = new MemoryFailureLimiter(SLOT_SECONDS);
    at(9_999); // the last millisecond of a bucket
    expect((await limiter.reserve('crash', 1)).kind).toBe('reserved');
    at(10_000);
    expect((await limiter.reserve('crash', 1)).kind).toBe('busy');
    at(19_999);
    expect((await limiter.reserve('crash', 1)).kind).toBe('busy');
    at(20_000);
    expect((await limiter.reserve('crash', 1)).kind).toBe('reserved');
  });

  it('frees nothing when released after it stopped counting', async () => {
    const limiter = new MemoryFailureLimiter(SLOT_SECONDS);
    at(0);
    const old = await limiter.reserve('late', 1);
    if (old.kind !== 'reserved') throw new Error('not reserved');
    at(35_000);
    expect((await limiter.reserve('late', 1)).kind).toBe('reserved');
    await limiter.release('late', old.slot);
    expect((await limiter.reserve('late', 1)).kind).toBe('busy');
  });
});

if (url) {
  describe('two instances on one Redis', () => {
    it('share one limit: together they take no more than it', async () => {
      const prefix = uniquePrefix();
      const a = new RedisFailureLimiter(await connect(url), prefix);
      const b = new RedisFailureLimiter(await connect(url), prefix);
      const taken = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).reserve('shared', 10)),
      );
      const reserved = taken.flatMap((r) => (r.kind === 'reserved' ? [r.slot] : []));
      expect(reserved).toHaveLength(10);
      // Failed on one instance, refused on the other.
      for (const slot of reserved) await a.fail('shared', slot, 60);
      expect((await b.reserve('shared', 10)).kind).toBe('refused');
    });
  });
}

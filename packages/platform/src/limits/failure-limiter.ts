import type { Redis } from 'ioredis';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { BoundedMemoryLimiter } from './bounded-memory-limiter';
import { UNLIMITED_POINTS, createFlexibleLimiter } from './rate-limiter';

export type Reservation =
  | { kind: 'reserved'; slot: string }
  /** Every remaining attempt is in flight: try again in a moment. */
  | { kind: 'busy' }
  /** The failures alone reached the limit; the window ends in `retryAfter` seconds. */
  | { kind: 'refused'; retryAfter: number };

/**
 * Counts failures per key (a fixed window from the first failure) and the attempts in flight,
 * so a limit on failures holds under concurrency without charging attempts that never failed.
 * An attempt reserves a slot while failures + in-flight <= limit; it then either `fail`s (counted)
 * or is `release`d (success, or an error that says nothing about the guess). A slot not released
 * (a crashed process) stops counting between `slotTtlSeconds` and twice that after it was taken.
 * Each slot ends once, by `fail` or `release`: a second end would free another check's slot.
 */
export interface FailureLimiter {
  reserve(key: string, limit: number): Promise<Reservation>;
  fail(key: string, slot: string, windowSeconds: number): Promise<void>;
  release(key: string, slot: string): Promise<void>;
}

/** How long a slot counts at least: far longer than a password check takes. */
export const DEFAULT_SLOT_TTL_SECONDS = 30;

/**
 * A FailureLimiter on rate-limiter-flexible counters (points unlimited, compared here, as the
 * RateLimiter does): per key one counter of failures (window `windowSeconds` from the first
 * failure) and counters of the checks in flight, one per time bucket of `slotTtlSeconds`.
 *
 * reserve: +1 on the current bucket, THEN read the failures and the two neighbouring buckets;
 * refused if the failures reached the limit, busy if failures + in flight exceed it (both take
 * their +1 back), else the slot is the bucket. fail: +1 on the failures FIRST, then -1 on the
 * slot's bucket; release: -1 on the slot's bucket. Why no interleaving lets failures + in flight
 * pass the limit: of two checks whose buckets are at most one apart, the one that incremented
 * later reads the other's bucket after both increments, and the other is still there or, having
 * failed, already in the failures (it counts there before it leaves its bucket; read in between,
 * it counts twice, which only refuses early). Each increment is atomic, so two instances cannot
 * both take the last slot.
 *
 * Why buckets and not one counter with a window: a window that ends forgets the checks still in
 * flight (and their later -1 would free someone else's slot), so a burst timed at its end could
 * double the limit. A bucket is read through the end of the next one, so a slot counts for at
 * least `slotTtlSeconds` and at most twice that, like the per-slot expiry this replaced; bucket
 * numbers come from each instance's clock, and the neighbour reads absorb any skew under one
 * bucket. A -1 never takes a counter below zero nor starts one (the shared INCREMENT script, and
 * BoundedMemoryLimiter), so a slot whose bucket expired frees nothing. While Redis is away the
 * counters are the bounded in-memory insurance limiter's (docs/operations.md "What happens when a
 * part fails"): limits hold per instance, and a slot taken there and freed in Redis after its
 * return may free one slot of Redis's count, within that outage's allowance.
 */
export class FlexibleFailureLimiter implements FailureLimiter {
  constructor(
    private readonly counters: RateLimiterAbstract | BoundedMemoryLimiter,
    private readonly slotTtlSeconds = DEFAULT_SLOT_TTL_SECONDS,
  ) {}

  async reserve(key: string, limit: number): Promise<Reservation> {
    const bucket = Math.floor(Date.now() / (this.slotTtlSeconds * 1000));
    const own = this.bucketKey(key, bucket);
    // Through the end of the next bucket, which still reads this one.
    const taken = await this.counters.penalty(own, 1, { customDuration: 2 * this.slotTtlSeconds });
    const [failures, before, after] = await Promise.all([
      this.counters.get(this.failuresKey(key)),
      this.counters.get(this.bucketKey(key, bucket - 1)),
      this.counters.get(this.bucketKey(key, bucket + 1)),
    ]);
    const failed = pointsOf(failures);
    const inFlight = taken.consumedPoints + pointsOf(before) + pointsOf(after);
    if (failed < limit && failed + inFlight <= limit)
      return { kind: 'reserved', slot: `${bucket}` };
    await this.counters.reward(own, 1);
    if (failed < limit) return { kind: 'busy' };
    const msLeft = failures?.msBeforeNext ?? 0;
    return { kind: 'refused', retryAfter: Math.max(1, Math.ceil(msLeft / 1000)) };
  }

  async fail(key: string, slot: string, windowSeconds: number): Promise<void> {
    // Counted before the slot is freed: see the ordering above.
    await this.counters.penalty(this.failuresKey(key), 1, { customDuration: windowSeconds });
    await this.release(key, slot);
  }

  async release(key: string, slot: string): Promise<void> {
    await this.counters.reward(this.bucketKey(key, Number(slot)), 1);
  }

  private failuresKey(key: string): string {
    return `failures:${key}`;
  }

  private bucketKey(key: string, bucket: number): string {
    return `inflight:${bucket}:${key}`;
  }
}

function pointsOf(res: RateLimiterRes | null): number {
  return res?.consumedPoints ?? 0;
}

/** This process's own counters, bounded at `maxKeys` keys (BoundedMemoryLimiter). */
export class MemoryFailureLimiter extends FlexibleFailureLimiter {
  private readonly store: BoundedMemoryLimiter;

  constructor(slotTtlSeconds = DEFAULT_SLOT_TTL_SECONDS, maxKeys?: number) {
    const store = createFlexibleLimiter({
      points: UNLIMITED_POINTS,
      duration: 2 * slotTtlSeconds,
      keyPrefix: 'fl',
      maxKeys,
    }) as BoundedMemoryLimiter;
    super(store, slotTtlSeconds);
    this.store = store;
  }

  /** Keys held now, failures and buckets together (for tests and metrics). */
  get size(): number {
    return this.store.size;
  }
}

/** Shared by every instance: keys `<prefix>fl:failures:<key>` and `<prefix>fl:inflight:<bucket>:<key>`. */
export class RedisFailureLimiter extends FlexibleFailureLimiter {
  constructor(redis: Redis, prefix = 'bastion:', slotTtlSeconds = DEFAULT_SLOT_TTL_SECONDS) {
    super(
      createFlexibleLimiter({
        points: UNLIMITED_POINTS,
        duration: 2 * slotTtlSeconds,
        keyPrefix: `${prefix}fl`,
        redis,
      }),
      slotTtlSeconds,
    );
  }
}

export function createFailureLimiter(redis: Redis | undefined, prefix: string): FailureLimiter {
  // Redis away: counted per process, like the other limits (docs/operations.md "What happens when a part fails").
  return redis ? new RedisFailureLimiter(redis, prefix) : new MemoryFailureLimiter();
}

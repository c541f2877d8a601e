import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MAX_MEMORY_LIMIT_KEYS, evictOldest, withLocalFallback } from './memory-fallback';

export type Reservation =
  | { kind: 'reserved'; slot: string }
  /** Every remaining attempt is in flight: try again in a moment. */
  | { kind: 'busy' }
  /** The failures alone reached the limit; the window ends in `retryAfter` seconds. */
  | { kind: 'refused'; retryAfter: number };

/**
 * Counts failures per key (a fixed window from the first failure) and the attempts in flight,
 * so a limit on failures holds under concurrency without charging attempts that never failed.
 * An attempt reserves a slot while failures + in-flight < limit; it then either `fail`s (counted)
 * or is `release`d (success, or an error that says nothing about the guess). A slot not released
 * expires after `slotTtlSeconds`, so a crashed process leaks none.
 */
export interface FailureLimiter {
  reserve(key: string, limit: number): Promise<Reservation>;
  fail(key: string, slot: string, windowSeconds: number): Promise<void>;
  release(key: string, slot: string): Promise<void>;
}

export const DEFAULT_SLOT_TTL_SECONDS = 30;

export class MemoryFailureLimiter implements FailureLimiter {
  private readonly entries = new Map<
    string,
    { failures: number; endsAt: number; slots: Map<string, number> }
  >();

  constructor(
    private readonly slotTtlSeconds = DEFAULT_SLOT_TTL_SECONDS,
    private readonly maxKeys = MAX_MEMORY_LIMIT_KEYS,
  ) {}

  /** Keys held now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  async reserve(key: string, limit: number): Promise<Reservation> {
    const now = Date.now();
    const entry = this.entry(key, now);
    for (const [slot, expiresAt] of entry.slots) if (expiresAt <= now) entry.slots.delete(slot);
    if (entry.failures >= limit)
      return { kind: 'refused', retryAfter: Math.max(1, Math.ceil((entry.endsAt - now) / 1000)) };
    if (entry.failures + entry.slots.size >= limit) return { kind: 'busy' };
    const slot = randomUUID();
    entry.slots.set(slot, now + this.slotTtlSeconds * 1000);
    return { kind: 'reserved', slot };
  }

  async fail(key: string, slot: string, windowSeconds: number): Promise<void> {
    const now = Date.now();
    const entry = this.entry(key, now);
    entry.slots.delete(slot);
    if (entry.failures === 0) entry.endsAt = now + windowSeconds * 1000;
    entry.failures += 1;
  }

  async release(key: string, slot: string): Promise<void> {
    this.entries.get(key)?.slots.delete(slot);
  }

  private entry(key: string, now: number) {
    let entry = this.entries.get(key);
    if (!entry) {
      // Until its first failure an entry's window is its slots' lifetime.
      entry = { failures: 0, endsAt: now + this.slotTtlSeconds * 1000, slots: new Map() };
      this.entries.set(key, entry);
      evictOldest(this.entries, this.maxKeys, (e) => e.endsAt <= now && e.slots.size === 0);
    }
    if (entry.failures > 0 && entry.endsAt <= now) {
      // A new window: to the end of the order, so the front stays the oldest.
      entry.failures = 0;
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }
}

// Check and reserve in one step: two instances must not both take the last slot.
const RESERVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[2])
if failures >= limit then return {2, redis.call('TTL', KEYS[1])} end
if failures + redis.call('ZCARD', KEYS[2]) >= limit then return {1, 0} end
redis.call('ZADD', KEYS[2], tonumber(ARGV[1]) + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return {0, 0}`;

const FAIL = `
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/** Shared by every instance: the failures and the slots in flight live in Redis. */
export class RedisFailureLimiter implements FailureLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'bastion:',
    private readonly slotTtlSeconds = DEFAULT_SLOT_TTL_SECONDS,
  ) {}

  async reserve(key: string, limit: number): Promise<Reservation> {
    const slot = randomUUID();
    const [outcome, ttl] = (await this.redis.eval(
      RESERVE,
      2,
      ...this.keys(key),
      Date.now(),
      limit,
      this.slotTtlSeconds * 1000,
      slot,
    )) as [number, number];
    if (outcome === 2) return { kind: 'refused', retryAfter: Math.max(1, ttl) };
    return outcome === 1 ? { kind: 'busy' } : { kind: 'reserved', slot };
  }

  async fail(key: string, slot: string, windowSeconds: number): Promise<void> {
    await this.redis.eval(FAIL, 2, ...this.keys(key), slot, windowSeconds);
  }

  async release(key: string, slot: string): Promise<void> {
    await this.redis.zrem(this.keys(key)[1], slot);
  }

  /** Both keys of one limit in one hash slot, so the scripts also run on a Redis Cluster. */
  private keys(key: string): [string, string] {
    return [`${this.prefix}fl:{${key}}:failures`, `${this.prefix}fl:{${key}}:inflight`];
  }
}

export function createFailureLimiter(redis: Redis | undefined, prefix: string): FailureLimiter {
  // Redis away: counted per process, like the other limits (docs/operations.md "What happens when a part fails").
  return redis
    ? withLocalFallback<FailureLimiter>(
        new RedisFailureLimiter(redis, prefix),
        new MemoryFailureLimiter(),
      )
    : new MemoryFailureLimiter();
}

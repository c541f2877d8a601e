import type { Redis } from 'ioredis';
import { MAX_MEMORY_LIMIT_KEYS, evictOldest, withLocalFallback } from './memory-fallback';

export interface RateLimitState {
  /** Hits counted in the current window, this one included. */
  count: number;
  /** Seconds until the window ends. */
  retryAfter: number;
}

/**
 * Fixed-window counters. `hit` counts one attempt; `peek` reads without counting. Windows start
 * at the first hit and last `windowSeconds`, so a locked key frees itself when its window passes.
 */
export interface RateLimiter {
  hit(key: string, windowSeconds: number): Promise<RateLimitState>;
  peek(key: string): Promise<RateLimitState>;
  /** Takes back one hit (an attempt that turned out not to count, e.g. a successful login). */
  undo(key: string): Promise<void>;
}

export class MemoryRateLimiter implements RateLimiter {
  /** In the order the windows started: the oldest first (evictOldest). */
  private readonly windows = new Map<string, { count: number; endsAt: number }>();

  constructor(private readonly maxKeys = MAX_MEMORY_LIMIT_KEYS) {}

  /** Keys held now (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  async hit(key: string, windowSeconds: number): Promise<RateLimitState> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowSeconds * 1000 };
      this.windows.delete(key);
      this.windows.set(key, window);
      evictOldest(this.windows, this.maxKeys, (w) => w.endsAt <= now);
    }
    window.count += 1;
    return { count: window.count, retryAfter: Math.ceil((window.endsAt - now) / 1000) };
  }

  async undo(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count -= 1;
  }

  async peek(key: string): Promise<RateLimitState> {
    const now = Date.now();
    const window = this.windows.get(key);
    if (!window || window.endsAt <= now) return { count: 0, retryAfter: 0 };
    return { count: window.count, retryAfter: Math.ceil((window.endsAt - now) / 1000) };
  }
}

/** Shared by every instance, so a limit holds however many replicas serve the requests. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'bastion:',
  ) {}

  async hit(key: string, windowSeconds: number): Promise<RateLimitState> {
    const full = `${this.prefix}rl:${key}`;
    const [[, count], , [, ttl]] = (await this.redis
      .multi()
      .incr(full)
      .expire(full, windowSeconds, 'NX')
      .ttl(full)
      .exec()) as [unknown, number][];
    return { count: Number(count), retryAfter: Math.max(1, Number(ttl)) };
  }

  async undo(key: string): Promise<void> {
    await this.redis.eval(
      `if (tonumber(redis.call('GET', KEYS[1]) or '0')) > 0 then redis.call('DECR', KEYS[1]) end return 1`,
      1,
      `${this.prefix}rl:${key}`,
    );
  }

  async peek(key: string): Promise<RateLimitState> {
    const full = `${this.prefix}rl:${key}`;
    const [[, count], [, ttl]] = (await this.redis.multi().get(full).ttl(full).exec()) as [
      unknown,
      unknown,
    ][];
    return count === null
      ? { count: 0, retryAfter: 0 }
      : { count: Number(count), retryAfter: Math.max(1, Number(ttl)) };
  }
}

/**
 * Redis-backed when Redis is configured. While Redis is away each call falls back to this
 * process's own counters: limits then hold per instance instead of across instances (an attacker
 * gains at most one budget per instance for the outage) rather than refusing every login.
 */
export function createRateLimiter(redis: Redis | undefined, prefix: string): RateLimiter {
  return redis
    ? withLocalFallback<RateLimiter>(new RedisRateLimiter(redis, prefix), new MemoryRateLimiter())
    : new MemoryRateLimiter();
}

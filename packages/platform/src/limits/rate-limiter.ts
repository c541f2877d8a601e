import type { Redis } from 'ioredis';
import {
  RateLimiterRedis,
  type RateLimiterAbstract,
  type RateLimiterCompatibleAbstract,
  type RateLimiterRes,
} from 'rate-limiter-flexible';
import { BoundedMemoryLimiter } from './bounded-memory-limiter';
import { MAX_MEMORY_LIMIT_KEYS } from './memory-fallback';

export interface RateLimitState {
  /** Hits counted in the current window, this one included. */
  count: number;
  /** Seconds until the window ends. */
  retryAfter: number;
}

/**
 * Fixed-window counters. `hit` counts one attempt; `peek` reads without counting. Windows start
 * at the first hit and last `windowSeconds`, so a locked key frees itself when its window passes.
 * Every implementation is a rate-limiter-flexible limiter underneath (docs/operations.md "What happens when a part fails").
 */
export interface RateLimiter {
  hit(key: string, windowSeconds: number): Promise<RateLimitState>;
  peek(key: string): Promise<RateLimitState>;
  /** Takes back one hit (an attempt that turned out not to count, e.g. a successful login). */
  undo(key: string): Promise<void>;
}

/** Callers compare counts themselves, so the limiters never refuse: `points` is only a ceiling. */
export const UNLIMITED_POINTS = Number.MAX_SAFE_INTEGER;
const DEFAULT_WINDOW_SECONDS = 60;

function stateOf(res: RateLimiterRes): RateLimitState {
  return {
    count: res.consumedPoints,
    retryAfter: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}

/** The RateLimiter calls on any rate-limiter-flexible limiter: a hit is a penalty, an undo a reward. */
class FlexibleRateLimiter implements RateLimiter {
  constructor(private readonly limiter: RateLimiterAbstract | RateLimiterCompatibleAbstract) {}

  async hit(key: string, windowSeconds: number): Promise<RateLimitState> {
    return stateOf(await this.limiter.penalty(key, 1, { customDuration: windowSeconds }));
  }

  async undo(key: string): Promise<void> {
    await this.limiter.reward(key, 1);
  }

  async peek(key: string): Promise<RateLimitState> {
    const res = await this.limiter.get(key);
    return res ? stateOf(res) : { count: 0, retryAfter: 0 };
  }
}

/** This process's own counters, bounded at `maxKeys` (BoundedMemoryLimiter). */
export class MemoryRateLimiter extends FlexibleRateLimiter {
  private readonly store: BoundedMemoryLimiter;

  constructor(maxKeys = MAX_MEMORY_LIMIT_KEYS) {
    const store = new BoundedMemoryLimiter({
      points: UNLIMITED_POINTS,
      duration: DEFAULT_WINDOW_SECONDS,
      maxKeys,
    });
    super(store);
    this.store = store;
  }

  /** Keys held now (for tests and metrics). */
  get size(): number {
    return this.store.size;
  }
}

// The library's increment, except that a reward (negative points) leaves a missing or zero key
// alone: an undo cannot create a window or earn a spare attempt.
const INCREMENT = `
local points = tonumber(ARGV[1])
if points < 0 and tonumber(redis.call('get', KEYS[1]) or '0') <= 0 then
  return {tonumber(redis.call('get', KEYS[1]) or '0'), redis.call('pttl', KEYS[1])}
end
redis.call('set', KEYS[1], 0, 'EX', ARGV[2], 'NX')
local consumed = redis.call('incrby', KEYS[1], points)
local ttl = redis.call('pttl', KEYS[1])
if ttl == -1 then
  redis.call('expire', KEYS[1], ARGV[2])
  ttl = 1000 * ARGV[2]
end
return {consumed, ttl}`;

/** Shared by every instance, so a limit holds however many replicas serve the requests. */
export class RedisRateLimiter extends FlexibleRateLimiter {
  constructor(redis: Redis, prefix = 'bastion:') {
    super(
      new RateLimiterRedis({
        storeClient: redis,
        points: UNLIMITED_POINTS,
        duration: DEFAULT_WINDOW_SECONDS,
        // Keys stay `<prefix>rl:<key>`, as before the move to rate-limiter-flexible.
        keyPrefix: `${prefix}rl`,
        customIncrTtlLuaScript: INCREMENT,
      }),
    );
  }
}

export interface FlexibleLimiterOptions {
  /** Points per window: `consume` rejects past them. */
  points: number;
  duration: number;
  keyPrefix: string;
  redis?: Redis;
  /** Keys the memory limiter keeps (default MAX_MEMORY_LIMIT_KEYS). */
  maxKeys?: number;
}

/**
 * The one way this code base builds a rate-limiter-flexible limiter, and every limit counter is
 * one (the rate limits here, the login failure limit, the gateway's cost budget): on Redis with a
 * bounded in-memory insurance limiter (each instance counts on its own while Redis is away), or
 * bounded in memory alone. One increment script for every limiter on a Redis client: the library names
 * it per client, so two scripts on one client would replace each other.
 */
export function createFlexibleLimiter(
  options: FlexibleLimiterOptions,
): RateLimiterAbstract | BoundedMemoryLimiter {
  const memory = new BoundedMemoryLimiter(options);
  if (!options.redis) return memory;
  return new RateLimiterRedis({
    storeClient: options.redis,
    points: options.points,
    duration: options.duration,
    keyPrefix: options.keyPrefix,
    customIncrTtlLuaScript: INCREMENT,
    // The client has no offline queue: not ready means away.
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
}

/**
 * Redis-backed when Redis is configured. While Redis is away each call falls back to this
 * process's own counters (the insurance limiter): limits then hold per instance instead of across
 * instances (an attacker gains at most one budget per instance for the outage) rather than
 * refusing every login.
 */
export function createRateLimiter(redis: Redis | undefined, prefix: string): RateLimiter {
  return redis
    ? new FlexibleRateLimiter(
        createFlexibleLimiter({
          points: UNLIMITED_POINTS,
          duration: DEFAULT_WINDOW_SECONDS,
          keyPrefix: `${prefix}rl`,
          redis,
        }),
      )
    : new MemoryRateLimiter();
}

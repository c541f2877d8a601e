import { RateLimiterCompatibleAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { MAX_MEMORY_LIMIT_KEYS, evictOldest } from './memory-fallback';

export interface BoundedMemoryLimiterOptions {
  /** Points per window; `consume` rejects past them (`penalty` and `reward` never reject). */
  points: number;
  /** The window in seconds, from a key's first point; `customDuration` overrides it per call. */
  duration: number;
  keyPrefix?: string;
  maxKeys?: number;
}

interface Window {
  value: number;
  expiresAt: number;
}

/**
 * A rate-limiter-flexible limiter in this process's memory, with a bound on its keys. The
 * library's RateLimiterMemory keeps a timer per key and no cap, so a flood of distinct keys
 * (addresses, emails) grows it until the windows end; this one keeps the windows in the order they
 * started and drops the oldest past `maxKeys` (expired ones first), with no timers. Also the
 * insurance limiter of the Redis-backed limiters while Redis is away. A reward never takes a
 * key below zero (an attempt taken back cannot earn a spare one).
 */
export class BoundedMemoryLimiter extends RateLimiterCompatibleAbstract {
  private readonly windows = new Map<string, Window>();
  private readonly points: number;
  private readonly duration: number;
  private readonly prefix: string;
  private readonly maxKeys: number;
  // Set by a limiter that takes this one as its insurance; neither applies to the callers here.
  declare blockDuration: number;
  declare execEvenly: boolean;
  declare readonly keyPrefix: string;

  constructor(options: BoundedMemoryLimiterOptions) {
    super();
    this.points = options.points;
    this.duration = options.duration;
    this.prefix = options.keyPrefix ?? '';
    this.maxKeys = options.maxKeys ?? MAX_MEMORY_LIMIT_KEYS;
    // Own properties: the base class declares these as accessors that throw until overridden.
    Object.defineProperties(this, {
      keyPrefix: { value: this.prefix },
      blockDuration: { value: 0, writable: true },
      execEvenly: { value: false, writable: true },
    });
  }

  /** Keys held now (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  override async consume(key: string | number, points = 1, options?: { customDuration?: number }) {
    const res = this.add(key, points, this.secondsOf(options));
    if (res.consumedPoints > this.points) throw res;
    return res;
  }

  override async penalty(key: string | number, points = 1, options?: { customDuration?: number }) {
    return this.add(key, points, this.secondsOf(options));
  }

  override async reward(key: string | number, points = 1, options?: { customDuration?: number }) {
    return this.add(key, -points, this.secondsOf(options));
  }

  override async get(key: string | number): Promise<RateLimiterRes | null> {
    const window = this.live(this.keyOf(key), Date.now());
    return window ? this.resOf(window, Date.now(), false) : null;
  }

  override async set(key: string | number, points: number, secDuration: number) {
    return this.put(this.keyOf(key), points, secDuration > 0 ? secDuration : this.duration);
  }

  override async block(key: string | number, secDuration: number) {
    return this.put(this.keyOf(key), this.points + 1, secDuration);
  }

  override async delete(key: string | number): Promise<boolean> {
    return this.windows.delete(this.keyOf(key));
  }

  private add(key: string | number, points: number, seconds: number): RateLimiterRes {
    const now = Date.now();
    const full = this.keyOf(key);
    const window = this.live(full, now);
    if (!window) {
      // Nothing to take back from a window that is not there.
      if (points <= 0) return new RateLimiterRes(this.points, 0, 0, false);
      return this.resOf(this.start(full, points, seconds, now), now, true);
    }
    window.value = Math.max(0, window.value + points);
    return this.resOf(window, now, false);
  }

  private put(full: string, points: number, seconds: number): RateLimiterRes {
    const now = Date.now();
    return this.resOf(this.start(full, points, seconds, now), now, false);
  }

  /** A new window, at the end of the order, so the front stays the oldest. */
  private start(full: string, value: number, seconds: number, now: number): Window {
    const window = { value, expiresAt: now + seconds * 1000 };
    this.windows.delete(full);
    this.windows.set(full, window);
    evictOldest(this.windows, this.maxKeys, (w) => w.expiresAt <= now);
    return window;
  }

  private live(full: string, now: number): Window | undefined {
    const window = this.windows.get(full);
    return window && window.expiresAt > now ? window : undefined;
  }

  private resOf(window: Window, now: number, first: boolean): RateLimiterRes {
    return new RateLimiterRes(
      Math.max(this.points - window.value, 0),
      window.expiresAt - now,
      window.value,
      first,
    );
  }

  private secondsOf(options?: { customDuration?: number }): number {
    const custom = options?.customDuration;
    return custom !== undefined && custom >= 0 ? custom : this.duration;
  }

  private keyOf(key: string | number): string {
    return this.prefix ? `${this.prefix}:${key}` : String(key);
  }
}

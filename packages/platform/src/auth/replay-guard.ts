import type { Redis } from 'ioredis';

/** Remembers one-time identifiers (claims `jti`) until they expire. */
export interface ReplayGuard {
  /** True the first time an id is seen; false for a replay. */
  claim(id: string, expiresAtSeconds: number): Promise<boolean>;
}

export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;

  async claim(id: string, expiresAtSeconds: number): Promise<boolean> {
    const now = Date.now() / 1000;
    if (now - this.lastSweep > 5) this.sweep(now);
    if (this.seen.has(id)) return false;
    this.seen.set(id, expiresAtSeconds);
    return true;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [id, exp] of this.seen) if (exp < now) this.seen.delete(id);
  }
}

/** Shared across instances of a subgraph, so a replay to a sibling instance is caught too. */
export class RedisReplayGuard implements ReplayGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'bastion:jti:',
  ) {}

  async claim(id: string, expiresAtSeconds: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(expiresAtSeconds - Date.now() / 1000) + 1);
    const result = await this.redis.set(this.prefix + id, '1', 'EX', ttl, 'NX');
    return result === 'OK';
  }
}

/**
 * Redis while it answers, this process's memory always. Every id is also kept locally, so with
 * Redis away (or back empty after a restart) a replay to the same instance is still refused;
 * only a replay to a sibling instance during the outage gets through. That is acceptable:
 * forwarded claims live 30 s, are signed with a key only the platform holds, and are bound to
 * one operation with its variables and to one subgraph, so a replay can only repeat the very
 * request the gateway already authorized, within 30 s.
 */
export class FallbackReplayGuard implements ReplayGuard {
  private readonly local = new MemoryReplayGuard();

  constructor(private readonly shared: ReplayGuard) {}

  async claim(id: string, expiresAtSeconds: number): Promise<boolean> {
    const isFirstHere = await this.local.claim(id, expiresAtSeconds);
    try {
      return (await this.shared.claim(id, expiresAtSeconds)) && isFirstHere;
    } catch {
      return isFirstHere;
    }
  }
}

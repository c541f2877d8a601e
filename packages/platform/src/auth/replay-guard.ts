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
  constructor(private readonly redis: Redis, private readonly prefix = 'bastion:jti:') {}

  async claim(id: string, expiresAtSeconds: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(expiresAtSeconds - Date.now() / 1000) + 1);
    const result = await this.redis.set(this.prefix + id, '1', 'EX', ttl, 'NX');
    return result === 'OK';
  }
}

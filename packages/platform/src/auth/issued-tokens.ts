import type { Redis } from 'ioredis';
import type { ServiceTokenEntry } from './service-tokens';

/**
 * Service tokens issued at run time (issueServiceToken), by hash. The gateway consults it after
 * the configured SERVICE_TOKENS; auth writes to it once the token is committed.
 */
export interface IssuedTokenStore {
  add(entry: ServiceTokenEntry): Promise<void>;
  find(sha256: string): Promise<{ name: string; scopes: string[] } | null>;
}

export class MemoryIssuedTokenStore implements IssuedTokenStore {
  private readonly entries = new Map<string, { name: string; scopes: string[] }>();

  async add(entry: ServiceTokenEntry): Promise<void> {
    this.entries.set(entry.sha256, { name: entry.name, scopes: [...entry.scopes] });
  }

  async find(sha256: string): Promise<{ name: string; scopes: string[] } | null> {
    return this.entries.get(sha256) ?? null;
  }
}

export class RedisIssuedTokenStore implements IssuedTokenStore {
  constructor(private readonly redis: Redis, private readonly prefix = 'bastion:') {}

  async add(entry: ServiceTokenEntry): Promise<void> {
    await this.redis.hset(`${this.prefix}service-tokens`, entry.sha256, JSON.stringify({ name: entry.name, scopes: entry.scopes }));
  }

  async find(sha256: string): Promise<{ name: string; scopes: string[] } | null> {
    const raw = await this.redis.hget(`${this.prefix}service-tokens`, sha256);
    return raw ? (JSON.parse(raw) as { name: string; scopes: string[] }) : null;
  }
}

export function createIssuedTokenStore(redis: Redis | undefined, prefix: string): IssuedTokenStore {
  return redis ? new RedisIssuedTokenStore(redis, prefix) : new MemoryIssuedTokenStore();
}

import type { Redis } from 'ioredis';
import type { UserViewer } from './viewer';

/**
 * Revoked sessions and per-user "valid after" times, consulted by the gateway on every request so
 * logout, logout-all, password changes and deletion bite at once instead of at token expiry.
 * Entries only need to outlive the longest access token.
 */
export interface RevocationList {
  isRevoked(viewer: Pick<UserViewer, 'userId' | 'sessionId' | 'issuedAt'>): Promise<boolean>;
  revokeSession(sessionId: string): Promise<void>;
  /** Tokens of this user issued before `validAfterSeconds` (epoch seconds) are void. */
  revokeUserTokens(userId: string, validAfterSeconds: number): Promise<void>;
}

export class MemoryRevocationList implements RevocationList {
  private readonly sessions = new Map<string, number>();
  private readonly users = new Map<string, { validAfter: number; expires: number }>();

  constructor(private readonly retentionSeconds: number) {}

  async isRevoked(viewer: Pick<UserViewer, 'userId' | 'sessionId' | 'issuedAt'>): Promise<boolean> {
    const now = Date.now() / 1000;
    const session = this.sessions.get(viewer.sessionId);
    if (session !== undefined && session > now) return true;
    const user = this.users.get(viewer.userId);
    return user !== undefined && user.expires > now && viewer.issuedAt < user.validAfter;
  }

  async revokeSession(sessionId: string): Promise<void> {
    this.sessions.set(sessionId, Date.now() / 1000 + this.retentionSeconds);
    if (this.sessions.size > 10_000) this.sweep();
  }

  async revokeUserTokens(userId: string, validAfterSeconds: number): Promise<void> {
    const current = this.users.get(userId)?.validAfter ?? 0;
    this.users.set(userId, { validAfter: Math.max(current, validAfterSeconds), expires: Date.now() / 1000 + this.retentionSeconds });
  }

  private sweep(): void {
    const now = Date.now() / 1000;
    for (const [id, expires] of this.sessions) if (expires <= now) this.sessions.delete(id);
    for (const [id, entry] of this.users) if (entry.expires <= now) this.users.delete(id);
  }
}

export class RedisRevocationList implements RevocationList {
  constructor(
    private readonly redis: Redis,
    private readonly retentionSeconds: number,
    private readonly prefix = 'bastion:',
  ) {}

  async isRevoked(viewer: Pick<UserViewer, 'userId' | 'sessionId' | 'issuedAt'>): Promise<boolean> {
    const [session, validAfter] = await this.redis.mget(`${this.prefix}revoked:sid:${viewer.sessionId}`, `${this.prefix}revoked:user:${viewer.userId}`);
    return session !== null || (validAfter !== null && viewer.issuedAt < Number(validAfter));
  }

  async revokeSession(sessionId: string): Promise<void> {
    await this.redis.set(`${this.prefix}revoked:sid:${sessionId}`, '1', 'EX', this.retentionSeconds);
  }

  async revokeUserTokens(userId: string, validAfterSeconds: number): Promise<void> {
    // Keep the later time if two revocations race.
    await this.redis.eval(
      `local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
       if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
       return 1`,
      1, `${this.prefix}revoked:user:${userId}`, String(validAfterSeconds), String(this.retentionSeconds),
    );
  }
}

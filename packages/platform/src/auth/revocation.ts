import type { Redis } from 'ioredis';
import type { UserViewer } from './viewer';

/**
 * Revoked sessions, per-user "valid after" times and revoked issued service tokens, consulted by
 * the gateway on every request so logout, logout-all, password changes, deletion and
 * revokeServiceToken bite at once instead of at token expiry. Session and user entries only
 * need to outlive the longest access token; service tokens never expire, so theirs stay.
 */
export interface RevocationList {
  isRevoked(viewer: Pick<UserViewer, 'userId' | 'sessionId' | 'issuedAt'>): Promise<boolean>;
  revokeSession(sessionId: string): Promise<void>;
  /** Tokens of this user issued before `validAfterSeconds` (epoch seconds) are void. */
  revokeUserTokens(userId: string, validAfterSeconds: number): Promise<void>;
  /** Issued service tokens (by SHA-256 hex) that are void from now on. */
  revokeServiceTokens(sha256s: readonly string[]): Promise<void>;
  isServiceTokenRevoked(sha256: string): Promise<boolean>;
}

export class MemoryRevocationList implements RevocationList {
  private readonly sessions = new Map<string, number>();
  private readonly users = new Map<string, { validAfter: number; expires: number }>();
  private readonly serviceTokens = new Set<string>();

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

  async revokeServiceTokens(sha256s: readonly string[]): Promise<void> {
    for (const sha256 of sha256s) this.serviceTokens.add(sha256);
  }

  async isServiceTokenRevoked(sha256: string): Promise<boolean> {
    return this.serviceTokens.has(sha256);
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

  async revokeServiceTokens(sha256s: readonly string[]): Promise<void> {
    if (sha256s.length > 0) await this.redis.sadd(`${this.prefix}revoked:service-tokens`, ...sha256s);
  }

  async isServiceTokenRevoked(sha256: string): Promise<boolean> {
    return (await this.redis.sismember(`${this.prefix}revoked:service-tokens`, sha256)) === 1;
  }
}

/**
 * Writes every revocation to each list (auth's fast paths: the list a single process shares with
 * its gateway, and Redis); a failure of one list does not keep the others from hearing it.
 */
export class RevocationFanOut implements RevocationList {
  constructor(private readonly lists: readonly RevocationList[]) {}

  async isRevoked(viewer: Pick<UserViewer, 'userId' | 'sessionId' | 'issuedAt'>): Promise<boolean> {
    const answers = await Promise.all(this.lists.map((list) => list.isRevoked(viewer)));
    return answers.some(Boolean);
  }

  revokeSession(sessionId: string): Promise<void> {
    return this.each((list) => list.revokeSession(sessionId));
  }

  revokeUserTokens(userId: string, validAfterSeconds: number): Promise<void> {
    return this.each((list) => list.revokeUserTokens(userId, validAfterSeconds));
  }

  revokeServiceTokens(sha256s: readonly string[]): Promise<void> {
    return this.each((list) => list.revokeServiceTokens(sha256s));
  }

  async isServiceTokenRevoked(sha256: string): Promise<boolean> {
    const answers = await Promise.all(this.lists.map((list) => list.isServiceTokenRevoked(sha256)));
    return answers.some(Boolean);
  }

  private async each(write: (list: RevocationList) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(this.lists.map(write));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

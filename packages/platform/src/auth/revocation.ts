import type { Redis } from 'ioredis';
import {
  cutoffKey,
  voidsToken,
  type OrganizationTokenCutoff,
  type RevocationSubject,
} from './organization-cutoff';
import { ROLES, type Role } from './viewer';

/**
 * Revoked sessions, per-user "valid after" times, organization cut-offs and revoked issued service
 * tokens, consulted by the gateway on every request so logout, logout-all, password changes,
 * deletion, role changes and revokeServiceToken bite at once instead of at token expiry. Session,
 * user and organization entries only need to outlive the longest access token; service tokens
 * never expire, so theirs stay.
 */
export interface RevocationList {
  isRevoked(viewer: RevocationSubject): Promise<boolean>;
  revokeSession(sessionId: string): Promise<void>;
  /** Tokens of this user issued before `validAfterSeconds` (epoch seconds) are void. */
  revokeUserTokens(userId: string, validAfterSeconds: number): Promise<void>;
  /** Stale organization claims are void (see OrganizationTokenCutoff); the later change wins. */
  revokeOrganizationTokens(cutoff: OrganizationTokenCutoff): Promise<void>;
  /**
   * Issued service tokens and personal API keys (by SHA-256 hex) that are void from now on: one
   * set of revoked credential hashes (a `bst_` and a `bk_` credential never share a hash).
   */
  revokeServiceTokens(sha256s: readonly string[]): Promise<void>;
  isServiceTokenRevoked(sha256: string): Promise<boolean>;
}

export class MemoryRevocationList implements RevocationList {
  private readonly sessions = new Map<string, number>();
  private readonly users = new Map<string, { validAfter: number; expires: number }>();
  private readonly organizations = new Map<
    string,
    { cutoff: OrganizationTokenCutoff; expires: number }
  >();
  private readonly serviceTokens = new Set<string>();

  constructor(private readonly retentionSeconds: number) {}

  async isRevoked(viewer: RevocationSubject): Promise<boolean> {
    const now = Date.now() / 1000;
    const session = this.sessions.get(viewer.sessionId);
    if (session !== undefined && session > now) return true;
    const user = this.users.get(viewer.userId);
    if (user !== undefined && user.expires > now && viewer.issuedAt < user.validAfter) return true;
    if (viewer.organizationId === null) return false;
    return [
      cutoffKey(viewer.organizationId, null),
      cutoffKey(viewer.organizationId, viewer.userId),
    ].some((key) => {
      const entry = this.organizations.get(key);
      return entry !== undefined && entry.expires > now && voidsToken(entry.cutoff, viewer);
    });
  }

  async revokeSession(sessionId: string): Promise<void> {
    this.sessions.set(sessionId, Date.now() / 1000 + this.retentionSeconds);
    if (this.sessions.size > 10_000) this.sweep();
  }

  async revokeUserTokens(userId: string, validAfterSeconds: number): Promise<void> {
    const current = this.users.get(userId)?.validAfter ?? 0;
    this.users.set(userId, {
      validAfter: Math.max(current, validAfterSeconds),
      expires: Date.now() / 1000 + this.retentionSeconds,
    });
  }

  async revokeOrganizationTokens(cutoff: OrganizationTokenCutoff): Promise<void> {
    const key = cutoffKey(cutoff.organizationId, cutoff.userId);
    const current = this.organizations.get(key);
    if (current && current.cutoff.changedAtMs > cutoff.changedAtMs) return;
    this.organizations.set(key, {
      cutoff: { ...cutoff },
      expires: Date.now() / 1000 + this.retentionSeconds,
    });
    if (this.organizations.size > 10_000) this.sweep();
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
    for (const [key, entry] of this.organizations)
      if (entry.expires <= now) this.organizations.delete(key);
  }
}

export class RedisRevocationList implements RevocationList {
  constructor(
    private readonly redis: Redis,
    private readonly retentionSeconds: number,
    private readonly prefix = 'bastion:',
  ) {}

  async isRevoked(viewer: RevocationSubject): Promise<boolean> {
    const organization = viewer.organizationId;
    const keys = [
      `${this.prefix}revoked:sid:${viewer.sessionId}`,
      `${this.prefix}revoked:user:${viewer.userId}`,
    ];
    if (organization !== null)
      keys.push(this.cutoffKey(organization, null), this.cutoffKey(organization, viewer.userId));
    const [session, validAfter, wholeOrganization, member] = await this.redis.mget(...keys);
    if (session !== null || (validAfter !== null && viewer.issuedAt < Number(validAfter)))
      return true;
    if (organization === null) return false;
    return [
      [wholeOrganization, null],
      [member, viewer.userId],
    ].some(([value, userId]) => {
      const stored = value ? parseStoredCutoff(value) : null;
      return (
        stored !== null && voidsToken({ organizationId: organization, userId, ...stored }, viewer)
      );
    });
  }

  async revokeSession(sessionId: string): Promise<void> {
    await this.redis.set(
      `${this.prefix}revoked:sid:${sessionId}`,
      '1',
      'EX',
      this.retentionSeconds,
    );
  }

  async revokeUserTokens(userId: string, validAfterSeconds: number): Promise<void> {
    // Keep the later time if two revocations race.
    await this.redis.eval(
      `local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
       if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
       return 1`,
      1,
      `${this.prefix}revoked:user:${userId}`,
      String(validAfterSeconds),
      String(this.retentionSeconds),
    );
  }

  async revokeOrganizationTokens(cutoff: OrganizationTokenCutoff): Promise<void> {
    // "<changedAtMs>:<role>"; the later change wins if two race.
    await this.redis.eval(
      `local cur = redis.call('GET', KEYS[1])
       if (not cur) or tonumber(string.match(cur, '^%d+')) <= tonumber(ARGV[1]) then
         redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'EX', ARGV[3])
       end
       return 1`,
      1,
      this.cutoffKey(cutoff.organizationId, cutoff.userId),
      String(Math.trunc(cutoff.changedAtMs)),
      cutoff.role ?? '',
      String(this.retentionSeconds),
    );
  }

  private cutoffKey(organizationId: string, userId: string | null): string {
    return `${this.prefix}revoked:${cutoffKey(organizationId, userId)}`;
  }

  async revokeServiceTokens(sha256s: readonly string[]): Promise<void> {
    if (sha256s.length > 0)
      await this.redis.sadd(`${this.prefix}revoked:service-tokens`, ...sha256s);
  }

  async isServiceTokenRevoked(sha256: string): Promise<boolean> {
    return (await this.redis.sismember(`${this.prefix}revoked:service-tokens`, sha256)) === 1;
  }
}

/** Reads "<changedAtMs>:<role>"; anything else is no cutoff (Redis may only add refusals it understands). */
function parseStoredCutoff(value: string): { changedAtMs: number; role: Role | null } | null {
  const match = /^(\d+):([A-Z]*)$/.exec(value);
  if (!match) return null;
  const role = match[2] === '' ? null : (match[2] as Role);
  if (role !== null && !ROLES.includes(role)) return null;
  return { changedAtMs: Number(match[1]), role };
}

/**
 * Writes every revocation to each list (auth's fast paths: the list a single process shares with
 * its gateway, and Redis); a failure of one list does not keep the others from hearing it.
 */
export class RevocationFanOut implements RevocationList {
  constructor(private readonly lists: readonly RevocationList[]) {}

  async isRevoked(viewer: RevocationSubject): Promise<boolean> {
    const answers = await Promise.all(this.lists.map((list) => list.isRevoked(viewer)));
    return answers.some(Boolean);
  }

  revokeSession(sessionId: string): Promise<void> {
    return this.each((list) => list.revokeSession(sessionId));
  }

  revokeUserTokens(userId: string, validAfterSeconds: number): Promise<void> {
    return this.each((list) => list.revokeUserTokens(userId, validAfterSeconds));
  }

  revokeOrganizationTokens(cutoff: OrganizationTokenCutoff): Promise<void> {
    return this.each((list) => list.revokeOrganizationTokens(cutoff));
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

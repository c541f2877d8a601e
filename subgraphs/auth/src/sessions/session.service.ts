import { randomUUID, type KeyObject } from 'node:crypto';
import { IsNull, MoreThan, Not, type DataSource, type EntityManager } from 'typeorm';
import {
  AccessTokenSigner,
  auditPayload,
  enqueueEvent,
  invalidToken,
  notFound,
  outboxRecord,
  schemaOf,
  type ClientInfo,
  type Logger,
  type Role,
  type OutboxRelay,
  type RevocationList,
} from '@bastion/platform';
import { recordAudit, type AuditEntry } from '../audit/audit';
import { recordSessionRevocation, recordUserCutoff } from '../revocations/revocation-records';
import { UserEntity } from '../users/user.entity';
import {
  hashRefreshToken,
  looksLikeRefreshToken,
  newRefreshToken,
  successorOf,
} from './refresh-token';
import { RefreshTokenEntity, SessionEntity } from './session.entity';

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
  user: UserEntity;
}

/** What a revocation touched, for `afterRevocation`. */
export interface RevokedSessions {
  sessionIds: string[];
  userId: string;
  /** Epoch seconds before which every access token of the user is void. */
  validAfter?: number;
}

export interface SessionSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  sessionMaxAgeSeconds: number;
  /** How long a rotated token still yields its successor (concurrent refreshes from two tabs). */
  reuseGraceSeconds: number;
}

/** Sessions are refresh-token families: issue, rotate with reuse detection, revoke. */
export class SessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly signer: AccessTokenSigner,
    private readonly refreshKey: KeyObject,
    private readonly revocations: RevocationList,
    private readonly relay: OutboxRelay,
    private readonly settings: SessionSettings,
    /** Looks up the user's current role in an organization (orgs, over the internal gateway). */
    private readonly currentRole?: (organizationId: string, userId: string) => Promise<Role | null>,
    private readonly logger?: Logger,
  ) {}

  /**
   * Opens a session for a user inside the caller's transaction and returns its first tokens.
   * `amr` says how the user authenticated (RFC 8176 values; see docs/security.md "Sign-in security").
   */
  async start(
    manager: EntityManager,
    user: UserEntity,
    client: ClientInfo,
    amr: string[],
  ): Promise<AuthPayload> {
    return (await this.open(manager, user, client, amr)).payload;
  }

  /**
   * Opens a session, with its first refresh token and the audit entry of the sign-in, in one
   * statement (atomic on its own, one round trip), unless the user has a second factor by now:
   * then nothing is written and the answer is null (the caller goes on to the challenge). The
   * user's flags are read by the same statement, so a factor confirmed since the caller loaded
   * the user counts, as in SignIn.firstFactorPassed. Statements per sign-in: docs/performance.md.
   */
  async startUnlessSecondFactor(
    user: UserEntity,
    client: ClientInfo,
    amr: string[],
    audit: AuditEntry,
  ): Promise<AuthPayload | null> {
    const now = new Date();
    const session = this.dataSource.manager.create(SessionEntity, {
      id: randomUUID(),
      userId: user.id,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.settings.sessionMaxAgeSeconds * 1000),
      revokedAt: null,
      revokedReason: null,
      organizationId: null,
      role: null,
      amr,
      authTime: now,
      userAgent: client.userAgent,
      ip: client.ip,
      impersonatedBy: null,
      impersonationReason: null,
    });
    const refreshToken = newRefreshToken();
    const event = outboxRecord('AUDIT_RECORDED', auditPayload(audit));
    const s = schemaOf(this.dataSource);
    const rows: { mfa_enabled: boolean; email_verified_at: Date | null }[] =
      await this.dataSource.query(
        `WITH u AS (
           SELECT mfa_enabled, email_verified_at FROM ${s}.users WHERE id = $1
         ), opened AS (
           INSERT INTO ${s}.sessions (id, user_id, created_at, last_used_at, expires_at, amr, auth_time, user_agent, ip)
           SELECT $2, $1, $3, $3, $4, $5, $3, $6, $7 FROM u WHERE NOT u.mfa_enabled
           RETURNING id
         ), token AS (
           INSERT INTO ${s}.refresh_tokens (id, session_id, token_hash, created_at, expires_at)
           SELECT $8, id, $9, $3, $10 FROM opened
         ), audited AS (
           INSERT INTO ${s}.outbox (id, type, data, occurred_at, published_at, attempts)
           SELECT $11, $12, $13::jsonb, $14, NULL, 0 FROM opened
         )
         SELECT mfa_enabled, email_verified_at FROM u`,
        [
          user.id,
          session.id,
          now,
          session.expiresAt,
          amr,
          client.userAgent,
          client.ip,
          randomUUID(),
          hashRefreshToken(refreshToken),
          this.refreshTokenExpiry(session, now),
          event.id,
          event.type,
          JSON.stringify(event.data),
          new Date(event.occurredAt),
        ],
      );
    const current = rows[0];
    // Gone since the caller read it, or with a second factor now: nothing was written.
    if (!current || current.mfa_enabled) return null;
    user.emailVerifiedAt = current.email_verified_at;
    return this.payload(user, session, refreshToken);
  }

  /**
   * A support service's read-only session as the user (ImpersonationService), in the caller's
   * transaction: `seconds` long at most, its tokens carrying the actor (`act`), no amr.
   */
  startImpersonation(
    manager: EntityManager,
    user: UserEntity,
    client: ClientInfo,
    impersonation: { actor: string; reason: string; seconds: number },
  ): Promise<{ session: SessionEntity; payload: AuthPayload }> {
    return this.open(manager, user, client, [], impersonation);
  }

  private async open(
    manager: EntityManager,
    user: UserEntity,
    client: ClientInfo,
    amr: string[],
    impersonation?: { actor: string; reason: string; seconds: number },
  ): Promise<{ session: SessionEntity; payload: AuthPayload }> {
    const now = new Date();
    const lifetime = impersonation?.seconds ?? this.settings.sessionMaxAgeSeconds;
    const session = manager.create(SessionEntity, {
      id: randomUUID(),
      userId: user.id,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + lifetime * 1000),
      revokedAt: null,
      revokedReason: null,
      organizationId: null,
      role: null,
      amr,
      // Nobody authenticated as the user for an impersonation: no step-up is ever recent.
      authTime: impersonation ? null : now,
      userAgent: client.userAgent,
      ip: client.ip,
      impersonatedBy: impersonation?.actor ?? null,
      impersonationReason: impersonation?.reason ?? null,
    });
    await manager.insert(SessionEntity, session);
    const refreshToken = newRefreshToken();
    await this.storeRefreshToken(manager, session, refreshToken, now);
    return { session, payload: await this.payload(user, session, refreshToken) };
  }

  /**
   * Rotates a refresh token. A token already rotated is answered with its successor inside the
   * grace window; after it, the reuse means the token leaked, and the whole family is revoked.
   */
  async refresh(presented: string, client: ClientInfo): Promise<AuthPayload> {
    if (!looksLikeRefreshToken(presented)) throw invalidToken();
    const organization = await this.organizationContext(presented);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const token = await manager.findOne(RefreshTokenEntity, {
        where: { tokenHash: hashRefreshToken(presented) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!token) return { error: invalidToken() };
      const session = await manager.findOne(SessionEntity, {
        where: { id: token.sessionId },
        lock: { mode: 'pessimistic_write' },
      });
      const now = new Date();
      if (!session || session.revokedAt || session.expiresAt <= now || token.expiresAt <= now)
        return { error: invalidToken() };
      const user = await manager.findOneByOrFail(UserEntity, { id: session.userId });
      const successor = successorOf(presented, this.refreshKey);
      if (token.rotatedAt) {
        const age = (now.getTime() - token.rotatedAt.getTime()) / 1000;
        if (age > this.settings.reuseGraceSeconds) {
          await this.revokeInTransaction(manager, session, 'refresh token reuse');
          return {
            error: invalidToken(
              'This refresh token was already used; the session has been signed out.',
            ),
            revoked: session,
          };
        }
        // Inside the grace window: the same successor as the first refresh, if that is what replaced it.
        const replacement = token.replacedById
          ? await manager.findOneBy(RefreshTokenEntity, { id: token.replacedById })
          : null;
        if (!replacement || replacement.tokenHash !== hashRefreshToken(successor))
          return { error: invalidToken() };
        return { payload: await this.payload(user, session, successor) };
      }
      if (organization && session.organizationId === organization.id) {
        session.organizationId = organization.role ? organization.id : null;
        session.role = organization.role;
      }
      token.rotatedAt = now;
      const next = await this.storeRefreshToken(manager, session, successor, now);
      token.replacedById = next.id;
      await manager.save(token);
      session.lastUsedAt = now;
      if (client.ip) session.ip = client.ip;
      if (client.userAgent) session.userAgent = client.userAgent;
      await manager.save(session);
      return { payload: await this.payload(user, session, successor) };
    });
    if (outcome.revoked)
      await this.afterRevocation({
        sessionIds: [outcome.revoked.id],
        userId: outcome.revoked.userId,
      });
    if (outcome.error) throw outcome.error;
    return outcome.payload!;
  }

  /**
   * A session in an organization re-reads the role on each refresh, so a changed role or a removal
   * reaches the next access token. Asked before the transaction: a call to another service must
   * never hold the database. If orgs cannot answer, the session falls back to personal context.
   */
  private async organizationContext(
    presented: string,
  ): Promise<{ id: string; role: Role | null } | null> {
    if (!this.currentRole) return null;
    const token = await this.dataSource
      .getRepository(RefreshTokenEntity)
      .findOneBy({ tokenHash: hashRefreshToken(presented) });
    const session = token
      ? await this.dataSource.getRepository(SessionEntity).findOneBy({ id: token.sessionId })
      : null;
    if (!session?.organizationId) return null;
    const role = await this.currentRole(session.organizationId, session.userId).catch(() => null);
    return { id: session.organizationId, role };
  }

  /** Revokes the family a refresh token belongs to. Revoking twice is not an error. */
  async logout(presented: string, client: ClientInfo): Promise<boolean> {
    if (!looksLikeRefreshToken(presented)) throw invalidToken();
    const session = await this.dataSource.transaction(async (manager) => {
      const token = await manager.findOneBy(RefreshTokenEntity, {
        tokenHash: hashRefreshToken(presented),
      });
      if (!token) return null;
      const found = await manager.findOne(SessionEntity, {
        where: { id: token.sessionId },
        lock: { mode: 'pessimistic_write' },
      });
      if (found && !found.revokedAt) {
        await this.revokeInTransaction(manager, found, 'logout');
        await recordAudit(manager, {
          actorId: found.userId,
          action: 'user.logout',
          targetType: 'session',
          targetId: found.id,
          client,
        });
      }
      return found;
    });
    if (!session) throw invalidToken();
    await this.afterRevocation({ sessionIds: [session.id], userId: session.userId });
    return true;
  }

  /**
   * Revokes every live session of a user except `exceptSessionId`, and voids the user's access
   * tokens issued before now (all of them, or with an exception only those of other sessions),
   * in the caller's transaction. Call `afterRevocation` with the result after commit.
   */
  async revokeAllForUser(
    manager: EntityManager,
    userId: string,
    reason: string,
    exceptSessionId?: string,
  ): Promise<RevokedSessions> {
    // One statement however many sessions the user has: marks them revoked (row locks taken by
    // the UPDATE), records each revocation and enqueues each SESSION_REVOKED event in the outbox,
    // as revokeInTransaction does for one session.
    const s = schemaOf(manager.connection);
    const rows: { id: string }[] = await manager.query(
      `WITH revoked AS (
         UPDATE ${s}.sessions SET revoked_at = $2, revoked_reason = $3
          WHERE user_id = $1 AND revoked_at IS NULL AND ($4::uuid IS NULL OR id <> $4::uuid)
         RETURNING id
       ), recorded AS (
         INSERT INTO ${s}.token_revocations (kind, subject_id, revoked_at)
         SELECT 'session', id, $2 FROM revoked
         ON CONFLICT (kind, subject_id) DO NOTHING
       ), events AS (
         INSERT INTO ${s}.outbox (id, type, data, occurred_at, published_at, attempts)
         SELECT gen_random_uuid(), 'SESSION_REVOKED',
                jsonb_build_object('sessionId', id, 'userId', $1::uuid, 'reason', $3::text), $2, NULL, 0
           FROM revoked
       )
       SELECT id FROM revoked`,
      [userId, new Date(), reason, exceptSessionId ?? null],
    );
    const revoked = rows.map((row) => row.id);
    // Each revoked session is listed by id, which covers tokens of this very second; the
    // whole-user cut-off (iat < now, in whole seconds) also voids tokens of sessions we could not
    // list, without refusing a sign-in made right after this one.
    const validAfter = exceptSessionId ? undefined : Math.floor(Date.now() / 1000);
    if (validAfter) {
      await recordUserCutoff(manager, userId, validAfter, new Date());
      await enqueueEvent(manager, 'USER_TOKENS_REVOKED', { userId, validAfter, reason });
    }
    return { sessionIds: revoked, userId, validAfter };
  }

  /**
   * Gives a session a fresh refresh token and retires its current ones (their successors then no
   * longer exist, so a late presentation is refused without revoking the family).
   */
  async replaceRefreshTokens(
    manager: EntityManager,
    session: SessionEntity,
    refreshToken: string,
  ): Promise<void> {
    const now = new Date();
    const next = await this.storeRefreshToken(manager, session, refreshToken, now);
    await manager.update(
      RefreshTokenEntity,
      { sessionId: session.id, rotatedAt: IsNull(), id: Not(next.id) },
      { rotatedAt: now, replacedById: next.id },
    );
  }

  /** Signs out every session of the user (logout-all). */
  async logoutAll(userId: string, client: ClientInfo): Promise<void> {
    const revoked = await this.dataSource.transaction(async (manager) => {
      const result = await this.revokeAllForUser(manager, userId, 'logout all');
      await recordAudit(manager, {
        actorId: userId,
        action: 'user.logout_all',
        targetType: 'user',
        targetId: userId,
        client,
      });
      return result;
    });
    await this.afterRevocation(revoked);
  }

  /** The user's live sessions, most recently used first, at most `limit` of them. */
  async list(userId: string, limit: number): Promise<SessionEntity[]> {
    return this.dataSource.getRepository(SessionEntity).find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      order: { lastUsedAt: 'DESC' },
      take: limit,
    });
  }

  /** Revokes one of the user's own sessions; NOT_FOUND for anyone else's. */
  async revokeOwn(userId: string, sessionId: string, client: ClientInfo): Promise<boolean> {
    if (!/^[0-9a-f-]{36}$/i.test(sessionId)) throw notFound('Session');
    const found = await this.dataSource.transaction(async (manager) => {
      const session = await manager.findOne(SessionEntity, {
        where: { id: sessionId, userId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!session) return false;
      if (!session.revokedAt) {
        await this.revokeInTransaction(manager, session, 'revoked by user');
        await recordAudit(manager, {
          actorId: userId,
          action: 'session.revoked',
          targetType: 'session',
          targetId: session.id,
          client,
        });
      }
      return true;
    });
    if (!found) throw notFound('Session');
    await this.afterRevocation({ sessionIds: [sessionId], userId });
    return true;
  }

  /** Marks a session revoked and records the revocation and its event, in the caller's transaction. */
  async revokeInTransaction(
    manager: EntityManager,
    session: SessionEntity,
    reason: string,
  ): Promise<void> {
    session.revokedAt = new Date();
    session.revokedReason = reason;
    await manager.update(
      SessionEntity,
      { id: session.id },
      { revokedAt: session.revokedAt, revokedReason: reason },
    );
    await recordSessionRevocation(manager, session.id, session.revokedAt);
    await enqueueEvent(manager, 'SESSION_REVOKED', {
      sessionId: session.id,
      userId: session.userId,
      reason,
    });
  }

  /**
   * After commit: the fast path (Redis, or the list shared with the gateway in one process) makes
   * gateways refuse the revoked access tokens at once, without waiting for events. The revocation
   * is already committed and its events are on their way, so a failure here only logs.
   */
  async afterRevocation(revoked: RevokedSessions): Promise<void> {
    this.relay.kick();
    try {
      await Promise.all(revoked.sessionIds.map((id) => this.revocations.revokeSession(id)));
      if (revoked.validAfter)
        await this.revocations.revokeUserTokens(revoked.userId, revoked.validAfter);
    } catch (error) {
      this.logger?.warn(
        { err: error },
        'revocation fast path failed; gateways learn it from the bus',
      );
    }
  }

  private async storeRefreshToken(
    manager: EntityManager,
    session: SessionEntity,
    token: string,
    now: Date,
  ): Promise<RefreshTokenEntity> {
    const row = manager.create(RefreshTokenEntity, {
      id: randomUUID(),
      sessionId: session.id,
      tokenHash: hashRefreshToken(token),
      createdAt: now,
      expiresAt: this.refreshTokenExpiry(session, now),
      rotatedAt: null,
      replacedById: null,
    });
    await manager.insert(RefreshTokenEntity, row);
    return row;
  }

  /** A refresh token lives its TTL, never past its session's end. */
  private refreshTokenExpiry(session: SessionEntity, now: Date): Date {
    return new Date(
      Math.min(
        now.getTime() + this.settings.refreshTokenTtlSeconds * 1000,
        session.expiresAt.getTime(),
      ),
    );
  }

  async payload(
    user: UserEntity,
    session: SessionEntity,
    refreshToken: string,
  ): Promise<AuthPayload> {
    // An impersonation session's tokens end with it: the gateway checks exp, not the session's
    // end, and the session's refresh tokens already stop there.
    const ttl = session.impersonatedBy
      ? Math.max(
          1,
          Math.min(
            this.settings.accessTokenTtlSeconds,
            Math.floor((session.expiresAt.getTime() - Date.now()) / 1000),
          ),
        )
      : this.settings.accessTokenTtlSeconds;
    const { token, expiresIn } = await this.signer.sign(
      {
        userId: user.id,
        sessionId: session.id,
        emailVerified: user.emailVerifiedAt !== null,
        organizationId: session.organizationId,
        role: session.role,
        amr: session.amr,
        authTime: session.authTime ? Math.floor(session.authTime.getTime() / 1000) : 0,
        mfaEnrolled: user.mfaEnabled,
        ...(session.impersonatedBy ? { actor: session.impersonatedBy } : {}),
      },
      ttl,
    );
    return { accessToken: token, refreshToken, expiresIn, tokenType: 'Bearer', user };
  }
}

import type { DataSource } from 'typeorm';
import { badInput, notFound, type ClientInfo, type OutboxRelay } from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import type { Mailer } from '../mail/mailer';
import type { MailTemplates } from '../mail/templates';
import { afterCommit } from '../mfa/after-commit';
import { lockUser } from '../mfa/totp-factors';
import type { AuthPayload, SessionService } from '../sessions/session.service';
import { SessionEntity } from '../sessions/session.entity';

/** The longest (and default) impersonation, in minutes. */
export const IMPERSONATION_MAX_MINUTES = 15;
export const IMPERSONATION_REASON_MIN = 3;
export const IMPERSONATION_REASON_MAX = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Support impersonation (docs/security.md "Support impersonation"): a support service opens a
 * session as a user, at most 15 minutes, with a reason. Its access tokens carry `act`, which
 * makes every mutation and POST /ai/stream refuse them; the user sees the session in their list,
 * gets a mail, and finds both ends in their security events. Chaining is impossible by the
 * tiers: starting one takes a service token (INTERNAL), and an impersonation session is a user's.
 */
export class ImpersonationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    private readonly relay: OutboxRelay,
    private readonly mailer: Mailer,
    private readonly templates: MailTemplates,
  ) {}

  async start(
    actor: string,
    userId: string,
    reason: string,
    minutes: number | null | undefined,
    client: ClientInfo,
  ): Promise<AuthPayload> {
    const why = reason.trim();
    if (why.length < IMPERSONATION_REASON_MIN || why.length > IMPERSONATION_REASON_MAX)
      throw badInput({
        reason: `Say why in ${IMPERSONATION_REASON_MIN} to ${IMPERSONATION_REASON_MAX} characters (the user reads it).`,
      });
    const length = minutes ?? IMPERSONATION_MAX_MINUTES;
    if (!Number.isInteger(length) || length < 1 || length > IMPERSONATION_MAX_MINUTES)
      throw badInput({ minutes: `Between 1 and ${IMPERSONATION_MAX_MINUTES} minutes.` });
    if (!UUID.test(userId)) throw notFound('User');
    const payload = await this.dataSource.transaction(async (manager) => {
      // Locked for the transaction: a user deleted before is NOT_FOUND, and the row cannot go
      // while the session is being made (a deletion waits, then removes the session with it).
      const user = await lockUser(manager, userId);
      const { session, payload: started } = await this.sessions.startImpersonation(
        manager,
        user,
        client,
        { actor, reason: why, seconds: length * 60 },
      );
      await recordAudit(manager, {
        actorId: actor,
        action: 'impersonation.started',
        targetType: 'user',
        targetId: user.id,
        client,
        metadata: {
          sessionId: session.id,
          reason: why,
          minutes: length,
          expiresAt: session.expiresAt.toISOString(),
        },
      });
      afterCommit(manager, () =>
        this.mailer.send(
          this.templates.impersonationStarted(user.email, actor, why, session.expiresAt),
        ),
      );
      return started;
    });
    this.relay.kick();
    return payload;
  }

  /**
   * Ends an impersonation session at once (the revocation path of revokeSession); ending it again,
   * or after it ran out, is not an error. NOT_FOUND for any other session: support signs no user out.
   */
  async end(actor: string, sessionId: string, client: ClientInfo): Promise<boolean> {
    if (!UUID.test(sessionId)) throw notFound('Session');
    const ended = await this.dataSource.transaction(async (manager) => {
      const session = await manager.findOne(SessionEntity, {
        where: { id: sessionId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!session?.impersonatedBy) throw notFound('Session');
      if (session.revokedAt || session.expiresAt <= new Date()) return null;
      await this.sessions.revokeInTransaction(manager, session, 'impersonation ended');
      await recordAudit(manager, {
        actorId: actor,
        action: 'impersonation.ended',
        targetType: 'user',
        targetId: session.userId,
        client,
        metadata: { sessionId: session.id, impersonatedBy: session.impersonatedBy },
      });
      return session;
    });
    if (ended)
      await this.sessions.afterRevocation({ sessionIds: [ended.id], userId: ended.userId });
    return true;
  }
}

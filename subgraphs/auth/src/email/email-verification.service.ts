import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import {
  conflict,
  enqueueEvent,
  invalidToken,
  isUniqueViolation,
  notFound,
  type ClientInfo,
  type OutboxRelay,
} from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import type { AuthLimits } from '../limits/auth-limits';
import type { Mailer, MailMessage } from '../mail/mailer';
import type { MailTemplates } from '../mail/templates';
import type { RevokedSessions, SessionService } from '../sessions/session.service';
import { UserEntity } from '../users/user.entity';
import { EmailTokenEntity } from './email-token.entity';
import { consumeEmailToken, invalidLink, issueEmailToken, MAILS_PER_WINDOW } from './email-tokens';

/** Proving control of an address: the account's own, or the new one of a pending change. */
export class EmailVerificationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    private readonly relay: OutboxRelay,
    private readonly mailer: Mailer,
    private readonly templates: MailTemplates,
    private readonly limits: AuthLimits,
  ) {}

  /** Mails a verification link to the user's current address unless it is verified already. */
  async request(userId: string): Promise<boolean> {
    await this.limits.countMailRequest(`verify-email:${userId}`, MAILS_PER_WINDOW);
    const issued = await this.dataSource.transaction(async (manager) => {
      const user = await manager.findOneBy(UserEntity, { id: userId });
      if (!user) throw notFound('User');
      if (user.emailVerifiedAt) return null;
      return {
        to: user.email,
        token: await issueEmailToken(manager, user.id, 'verify_email', user.email),
      };
    });
    if (issued) this.mailer.send(this.templates.verifyEmail(issued.to, issued.token));
    return true;
  }

  /**
   * A link for a new account's address, issued in the registration's transaction; hand the
   * message to `send` after commit.
   */
  async issueForNewAccount(manager: EntityManager, user: UserEntity): Promise<MailMessage> {
    return this.templates.verifyEmail(
      user.email,
      await issueEmailToken(manager, user.id, 'verify_email', user.email),
    );
  }

  /** Queues a message from `issueForNewAccount` (delivery happens after the response). */
  send(message: MailMessage): void {
    this.mailer.send(message);
  }

  /**
   * Uses a verification or email-change link. Verification marks the address verified; a change
   * switches the account to the new address and signs out every session, since whoever held the
   * old address may have been signed in. Either way USER_EMAIL_VERIFIED leaves with the change.
   */
  async verify(token: string, client: ClientInfo): Promise<boolean> {
    let revoked: RevokedSessions | null;
    try {
      revoked = await this.dataSource.transaction(async (manager) => {
        const row = await consumeEmailToken(manager, token, ['verify_email', 'change_email']);
        const user = await manager.findOne(UserEntity, {
          where: { id: row.userId },
          lock: { mode: 'pessimistic_write' },
        });
        if (!user) throw invalidLink();
        if (row.purpose === 'change_email')
          return this.completeChange(manager, user, row.email, client);
        await this.markVerified(manager, user, row.email, client);
        return null;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('An account with this email already exists.');
      throw error;
    }
    if (revoked) await this.sessions.afterRevocation(revoked);
    else this.relay.kick();
    return true;
  }

  private async markVerified(
    manager: EntityManager,
    user: UserEntity,
    email: string,
    client: ClientInfo,
  ): Promise<void> {
    // A link mailed to an address the account no longer has proves nothing about the current one.
    if (user.email !== email)
      throw invalidToken('This link is for an address the account no longer uses.');
    if (user.emailVerifiedAt) return;
    const now = new Date();
    await manager.update(UserEntity, { id: user.id }, { emailVerifiedAt: now, updatedAt: now });
    await enqueueEvent(manager, 'USER_EMAIL_VERIFIED', { userId: user.id, email });
    await recordAudit(manager, {
      actorId: user.id,
      action: 'user.email_verified',
      targetType: 'user',
      targetId: user.id,
      client,
    });
  }

  private async completeChange(
    manager: EntityManager,
    user: UserEntity,
    newEmail: string,
    client: ClientInfo,
  ): Promise<RevokedSessions> {
    const now = new Date();
    // The unique index decides a race for the address with a registration or another change.
    await manager.update(
      UserEntity,
      { id: user.id },
      { email: newEmail, emailVerifiedAt: now, updatedAt: now },
    );
    // Links already mailed to the old address (reset, verification) must not outlive it.
    await manager.delete(EmailTokenEntity, { userId: user.id, usedAt: IsNull() });
    const revoked = await this.sessions.revokeAllForUser(manager, user.id, 'email changed');
    await enqueueEvent(manager, 'USER_EMAIL_VERIFIED', { userId: user.id, email: newEmail });
    await recordAudit(manager, {
      actorId: user.id,
      action: 'user.email_changed',
      targetType: 'user',
      targetId: user.id,
      client,
      metadata: { previousEmail: user.email, email: newEmail },
    });
    return revoked;
  }
}

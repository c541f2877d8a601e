import type { DataSource } from 'typeorm';
import type { ClientInfo } from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import type { AuthLimits } from '../limits/auth-limits';
import type { Mailer } from '../mail/mailer';
import type { MailTemplates } from '../mail/templates';
import type { PasswordHasher } from '../passwords/password-hasher';
import { assertAcceptablePassword } from '../passwords/password-policy';
import type { SessionService } from '../sessions/session.service';
import { assertEmail } from '../users/email';
import { UserEntity } from '../users/user.entity';
import {
  consumeEmailToken,
  invalidLink,
  issueEmailToken,
  MAILS_PER_WINDOW,
  peekEmailToken,
} from './email-tokens';

/** Forgotten passwords: a one-hour link to the account's address, then a new password and no old sessions. */
export class PasswordResetService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly mailer: Mailer,
    private readonly templates: MailTemplates,
    private readonly limits: AuthLimits,
  ) {}

  /**
   * Always true. The lookup, the token and the mail happen after the response, so neither the
   * answer nor its timing tells whether an account has this address.
   */
  async request(emailInput: string, client: ClientInfo): Promise<boolean> {
    await this.limits.countAttempt('password-reset', client);
    const email = assertEmail(emailInput);
    await this.limits.countMailRequest(`password-reset:${email}`, MAILS_PER_WINDOW);
    this.mailer.later('password reset request', () => this.mailLink(email));
    return true;
  }

  /** Sets a new password with a reset link and signs out every session of the account. */
  async reset(token: string, newPassword: string, client: ClientInfo): Promise<boolean> {
    assertAcceptablePassword(newPassword, 'newPassword');
    // Hash only for a live link: made-up tokens must not buy argon2 work.
    if (!(await peekEmailToken(this.dataSource.manager, token, ['reset_password'])))
      throw invalidLink();
    const passwordHash = await this.hasher.hash(newPassword);
    const revoked = await this.dataSource.transaction(async (manager) => {
      const row = await consumeEmailToken(manager, token, ['reset_password']);
      await manager.update(UserEntity, { id: row.userId }, { passwordHash, updatedAt: new Date() });
      const result = await this.sessions.revokeAllForUser(manager, row.userId, 'password reset');
      await recordAudit(manager, {
        actorId: row.userId,
        action: 'user.password_reset',
        targetType: 'user',
        targetId: row.userId,
        client,
      });
      return result;
    });
    await this.sessions.afterRevocation(revoked);
    return true;
  }

  private async mailLink(email: string): Promise<void> {
    const issued = await this.dataSource.transaction(async (manager) => {
      const user = await manager.findOneBy(UserEntity, { email });
      if (!user) return null;
      return {
        to: user.email,
        token: await issueEmailToken(manager, user.id, 'reset_password', user.email),
      };
    });
    if (issued) this.mailer.send(this.templates.resetPassword(issued.to, issued.token));
  }
}

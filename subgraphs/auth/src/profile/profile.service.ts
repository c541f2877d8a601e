import type { DataSource } from 'typeorm';
import {
  badInput,
  conflict,
  notFound,
  type ClientInfo,
  type OutboxRelay,
  type UserViewer,
} from '@bastion/platform';
import { DISPLAY_NAME_MAX } from '../accounts/account.service';
import type { Reauthentication } from '../accounts/reauthentication';
import { recordAudit } from '../audit/audit';
import { issueEmailToken, MAILS_PER_WINDOW } from '../email/email-tokens';
import type { AuthLimits } from '../limits/auth-limits';
import type { Mailer } from '../mail/mailer';
import type { MailTemplates } from '../mail/templates';
import type { PasswordHasher } from '../passwords/password-hasher';
import { assertAcceptablePassword } from '../passwords/password-policy';
import type { SessionService } from '../sessions/session.service';
import { assertEmail } from '../users/email';
import { UserEntity } from '../users/user.entity';

export interface UpdateProfileInput {
  /** Absent: unchanged; null or blank: cleared. */
  displayName?: string | null;
}

export interface ProfileDeps {
  dataSource: DataSource;
  reauth: Reauthentication;
  hasher: PasswordHasher;
  sessions: SessionService;
  relay: OutboxRelay;
  mailer: Mailer;
  templates: MailTemplates;
  limits: AuthLimits;
}

/** Changes a signed-in user makes to their own account: profile, password, email address. */
export class ProfileService {
  constructor(private readonly deps: ProfileDeps) {}

  async update(userId: string, input: UpdateProfileInput, client: ClientInfo): Promise<UserEntity> {
    const changes: Partial<Pick<UserEntity, 'displayName'>> = {};
    if (input.displayName !== undefined) {
      const displayName = input.displayName?.trim() || null;
      if (displayName && displayName.length > DISPLAY_NAME_MAX)
        throw badInput({ displayName: `Use at most ${DISPLAY_NAME_MAX} characters.` });
      changes.displayName = displayName;
    }
    const user = await this.deps.dataSource.transaction(async (manager) => {
      const found = await manager.findOne(UserEntity, {
        where: { id: userId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!found) throw notFound('User');
      if (Object.keys(changes).length === 0) return found;
      Object.assign(found, changes, { updatedAt: new Date() });
      await manager.update(UserEntity, { id: userId }, { ...changes, updatedAt: found.updatedAt });
      await recordAudit(manager, {
        actorId: userId,
        action: 'user.profile_updated',
        targetType: 'user',
        targetId: userId,
        client,
        metadata: { fields: Object.keys(changes) },
      });
      return found;
    });
    this.deps.relay.kick();
    return user;
  }

  /** Needs the current password; every other session is signed out, the caller's stays. */
  async changePassword(
    viewer: UserViewer,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<boolean> {
    assertAcceptablePassword(newPassword, 'newPassword');
    await this.deps.reauth.confirm(viewer, currentPassword);
    if (newPassword === currentPassword)
      throw badInput({ newPassword: 'Choose a password different from the current one.' });
    const passwordHash = await this.deps.hasher.hash(newPassword);
    const revoked = await this.deps.dataSource.transaction(async (manager) => {
      await manager.update(
        UserEntity,
        { id: viewer.userId },
        { passwordHash, updatedAt: new Date() },
      );
      const result = await this.deps.sessions.revokeAllForUser(
        manager,
        viewer.userId,
        'password changed',
        viewer.sessionId,
      );
      await recordAudit(manager, {
        actorId: viewer.userId,
        action: 'user.password_changed',
        targetType: 'user',
        targetId: viewer.userId,
        client,
      });
      return result;
    });
    await this.deps.sessions.afterRevocation(revoked);
    return true;
  }

  /**
   * Starts a change of address: nothing changes until the new address is proven with the mailed
   * link (verifyEmail). The old address is told, so a hijacked session cannot move the account
   * away unnoticed.
   */
  async changeEmail(
    viewer: UserViewer,
    newEmailInput: string,
    password: string,
    client: ClientInfo,
  ): Promise<boolean> {
    const { userId } = viewer;
    const newEmail = assertEmail(newEmailInput, 'newEmail');
    const user = await this.deps.reauth.confirm(viewer, password);
    if (newEmail === user.email)
      throw badInput({ newEmail: 'This is already the address of your account.' });
    await this.deps.limits.countMailRequest(`change-email:${userId}`, MAILS_PER_WINDOW);
    const token = await this.deps.dataSource.transaction(async (manager) => {
      if (await manager.existsBy(UserEntity, { email: newEmail }))
        throw conflict('An account with this email already exists.');
      const issued = await issueEmailToken(manager, userId, 'change_email', newEmail);
      await recordAudit(manager, {
        actorId: userId,
        action: 'user.email_change_requested',
        targetType: 'user',
        targetId: userId,
        client,
        metadata: { newEmail },
      });
      return issued;
    });
    this.deps.mailer.send(this.deps.templates.confirmNewEmail(newEmail, token));
    this.deps.mailer.send(this.deps.templates.emailChangeRequested(user.email, newEmail));
    this.deps.relay.kick();
    return true;
  }
}

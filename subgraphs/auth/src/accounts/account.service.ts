import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  AppError,
  badInput,
  conflict,
  enqueueEvent,
  isUniqueViolation,
  type ClientInfo,
  type OutboxRelay,
} from '@bastion/platform';
import type { AuthLimits } from '../limits/auth-limits';
import { settle, type SignIn } from '../mfa/sign-in';
import { PasswordHasher } from '../passwords/password-hasher';
import { assertAcceptablePassword } from '../passwords/password-policy';
import { SessionService, type AuthPayload } from '../sessions/session.service';
import { recordAudit } from '../audit/audit';
import type { EmailVerificationService } from '../email/email-verification.service';
import type { MailMessage } from '../mail/mailer';
import { assertEmail, normalizeEmail } from '../users/email';
import { UserEntity } from '../users/user.entity';

export interface RegisterInput {
  email: string;
  password: string;
  displayName?: string | null;
}

export const DISPLAY_NAME_MAX = 100;

/** Registration and password sign-in. */
export class AccountService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly relay: OutboxRelay,
    private readonly limits: AuthLimits,
    private readonly verification: EmailVerificationService,
    private readonly signIn: SignIn,
  ) {}

  /**
   * Creates the user, announces USER_CREATED, issues the verification link and opens a session:
   * one transaction. The verification mail goes out after commit.
   */
  async register(input: RegisterInput, client: ClientInfo): Promise<AuthPayload> {
    return this.limits.attempt('register', client, () => this.createAccount(input, client));
  }

  private async createAccount(input: RegisterInput, client: ClientInfo): Promise<AuthPayload> {
    const email = assertEmail(input.email);
    assertAcceptablePassword(input.password);
    const displayName = input.displayName?.trim() || null;
    if (displayName && displayName.length > DISPLAY_NAME_MAX)
      throw badInput({ displayName: `Use at most ${DISPLAY_NAME_MAX} characters.` });
    const passwordHash = await this.hasher.hash(input.password);
    let created: { payload: AuthPayload; verificationMail: MailMessage };
    try {
      created = await this.dataSource.transaction(async (manager) => {
        const now = new Date();
        const user = manager.create(UserEntity, {
          id: randomUUID(),
          email,
          passwordHash,
          displayName,
          emailVerifiedAt: null,
          createdAt: now,
          updatedAt: now,
        });
        await manager.insert(UserEntity, user);
        await enqueueEvent(manager, 'USER_CREATED', { userId: user.id, email, displayName });
        await recordAudit(manager, {
          actorId: user.id,
          action: 'user.registered',
          targetType: 'user',
          targetId: user.id,
          client,
        });
        const verificationMail = await this.verification.issueForNewAccount(manager, user);
        return {
          payload: await this.sessions.start(manager, user, client, ['pwd']),
          verificationMail,
        };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('An account with this email already exists.');
      throw error;
    }
    this.relay.kick();
    this.verification.send(created.verificationMail);
    return created.payload;
  }

  /**
   * Password sign-in. Unknown email, password-less account and wrong password are the same
   * INVALID_CREDENTIALS after the same argon2 work, so neither message nor timing tells them apart.
   * A right password ends in the sign-in state machine: a session, or MFA_REQUIRED for a user
   * with a second factor (thrown after the challenge committed).
   */
  async login(emailInput: string, password: string, client: ClientInfo): Promise<AuthPayload> {
    const email = normalizeEmail(emailInput);
    return this.limits.attempt('login', client, async () => {
      const user = await this.checkPassword(email, password, client);
      if (user.passwordHash && this.hasher.needsRehash(user.passwordHash)) {
        await this.dataSource
          .getRepository(UserEntity)
          .update({ id: user.id }, { passwordHash: await this.hasher.hash(password) });
      }
      // The sign-in is complete only with its second factor, if the user has one (verifyMfa):
      // the audit entry is written with the session, not with a challenge.
      const outcome = await this.signIn.firstFactorPassedAlone(user, client, ['pwd'], {
        actorId: user.id,
        action: 'user.login',
        targetType: 'user',
        targetId: user.id,
        client,
      });
      this.relay.kick();
      return settle(outcome);
    });
  }

  /** The user whose password this is; a wrong one counts toward the email's limit, nothing else does. */
  private async checkPassword(
    email: string,
    password: string,
    client: ClientInfo,
  ): Promise<UserEntity> {
    const attempt = await this.limits.beginLogin(email);
    try {
      const user = await this.dataSource.getRepository(UserEntity).findOneBy({ email });
      const isValid =
        password.length <= 1024 && user?.passwordHash
          ? await this.hasher.verify(user.passwordHash, password)
          : await this.hasher.verifyAgainstDummy(password.slice(0, 1024));
      if (user && isValid) return user;
      await attempt.failed();
      await this.dataSource.transaction((manager) =>
        recordAudit(manager, {
          actorId: user?.id ?? null,
          action: 'user.login_failed',
          targetType: 'user',
          targetId: user?.id ?? null,
          client,
          metadata: { email },
        }),
      );
      this.relay.kick();
      throw new AppError('INVALID_CREDENTIALS');
    } finally {
      await attempt.release();
    }
  }
}

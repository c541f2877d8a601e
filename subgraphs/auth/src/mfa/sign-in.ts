import { createHash, randomBytes } from 'node:crypto';
import { IsNull, LessThan, Not, type DataSource, type EntityManager } from 'typeorm';
import {
  AppError,
  badInput,
  invalidToken,
  type ClientInfo,
  type OutboxRelay,
  type UserViewer,
} from '@bastion/platform';
import { recordAudit, type AuditEntry } from '../audit/audit';
import type { AuthLimits } from '../limits/auth-limits';
import type { PasswordHasher } from '../passwords/password-hasher';
import { SessionEntity } from '../sessions/session.entity';
import type { AuthPayload, SessionService } from '../sessions/session.service';
import { UserEntity } from '../users/user.entity';
import type { MfaLifecycle } from './mfa-lifecycle';
import { MfaChallengeEntity, MfaFactorEntity, RecoveryCodeEntity } from './mfa.entities';
import type { PasskeyVerifier, VerifiedPasskey } from './ports';
import { wrongCode, type TotpFactors } from './totp-factors';

/** How long the second step of a sign-in may take. */
export const MFA_TOKEN_TTL_SECONDS = 5 * 60;
/** Answers one mfaToken takes before it is void (each also counts toward the login limits). */
export const MFA_TOKEN_MAX_ATTEMPTS = 5;

export type SecondFactorKind = 'TOTP' | 'PASSKEY' | 'RECOVERY_CODE';

/** Where a first factor ends: a session, or (for a user with a second factor) MFA_REQUIRED to throw after commit. */
export type SignInOutcome = { payload: AuthPayload } | { mfaRequired: AppError };

/** The session, or MFA_REQUIRED: call after the transaction that produced the outcome committed. */
export function settle(outcome: SignInOutcome): AuthPayload {
  if ('mfaRequired' in outcome) throw outcome.mfaRequired;
  return outcome.payload;
}

/** One answer to verifyMfa or stepUp: exactly one of them must be given. */
export interface SecondFactorAnswer {
  code?: string | null;
  recoveryCode?: string | null;
  passkeyResponse?: string | null;
}

export interface StepUpAnswer {
  password?: string | null;
  code?: string | null;
  passkeyResponse?: string | null;
}

/** What the step-up answer added to the session's amr (RFC 8176). */
type Proof = { amr: string[]; method: string; factorId?: string };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
/** The mfaToken works only from the client that passed the first factor (its user agent). */
const clientBinding = (client: ClientInfo) => sha256(`ua:${client.userAgent ?? ''}`);
const unique = (values: string[]) => [...new Set(values)];

export interface SignInDeps {
  dataSource: DataSource;
  sessions: SessionService;
  limits: AuthLimits;
  hasher: PasswordHasher;
  relay: OutboxRelay;
  totp: TotpFactors;
  lifecycle: MfaLifecycle;
  /** The passkeys module (PasskeyVerifier); absent until it is wired, and then passkeys answer BAD_USER_INPUT. */
  passkeys?: PasskeyVerifier;
}

/**
 * The sign-in state machine. Every first factor (password, Google/OIDC, later SSO and passkeys)
 * ends in `firstFactorPassed`: a session for a user without a second factor, else an mfaToken
 * and MFA_REQUIRED; `verifyMfa` finishes the second step. Re-authentication of a live session
 * for sensitive fields (`stepUp`) lives here too, with the same factors and the same limits.
 */
export class SignIn {
  constructor(private readonly deps: SignInDeps) {}

  /**
   * In the caller's transaction, after a first factor succeeded: a session for a user without a
   * second factor; for one with, a pending challenge (the mfaToken stored hashed, single use,
   * five minutes, bound to this client) and MFA_REQUIRED, which the caller throws after commit
   * (settle), so the challenge row commits with it.
   */
  async firstFactorPassed(
    manager: EntityManager,
    user: UserEntity,
    client: ClientInfo,
    amr: string[],
  ): Promise<SignInOutcome> {
    // Read again inside the transaction: a factor confirmed since the caller loaded the user counts.
    const current = await manager.findOneBy(UserEntity, { id: user.id });
    if (current) user.mfaEnabled = current.mfaEnabled;
    if (!user.mfaEnabled)
      return { payload: await this.deps.sessions.start(manager, user, client, amr) };
    const factors = await this.availableFactors(manager, user.id);
    // mfa_enabled without a usable factor would lock the user out; it cannot happen (the flag is
    // kept with the factors), but a session is never the answer for a user with the flag.
    const mfaToken = randomBytes(32).toString('base64url');
    const now = new Date();
    // The user's expired second steps are of no use any more: they go as new ones come.
    await manager.delete(MfaChallengeEntity, { userId: user.id, expiresAt: LessThan(now) });
    await manager.insert(MfaChallengeEntity, {
      tokenHash: sha256(mfaToken),
      userId: user.id,
      amr,
      clientBinding: clientBinding(client),
      createdAt: now,
      expiresAt: new Date(now.getTime() + MFA_TOKEN_TTL_SECONDS * 1000),
      usedAt: null,
      attempts: 0,
    });
    await recordAudit(manager, {
      actorId: user.id,
      action: 'user.mfa_challenged',
      targetType: 'user',
      targetId: user.id,
      client,
      metadata: { firstFactor: amr },
    });
    return {
      mfaRequired: new AppError('MFA_REQUIRED', {
        extensions: { mfaToken, factors, expiresIn: MFA_TOKEN_TTL_SECONDS },
      }),
    };
  }

  /**
   * firstFactorPassed for a first factor that writes nothing else (password sign-in): for a user
   * without a second factor the session opens in one statement with `audit`
   * (SessionService.startUnlessSecondFactor); otherwise the challenge, in its own transaction.
   */
  async firstFactorPassedAlone(
    user: UserEntity,
    client: ClientInfo,
    amr: string[],
    audit: AuditEntry,
  ): Promise<SignInOutcome> {
    if (!user.mfaEnabled) {
      const payload = await this.deps.sessions.startUnlessSecondFactor(user, client, amr, audit);
      if (payload) return { payload };
    }
    return this.deps.dataSource.transaction((manager) =>
      this.firstFactorPassed(manager, user, client, amr),
    );
  }

  /**
   * The second step: exactly one answer. A wrong one counts toward the email's login limit and
   * the token's own five; a token that is unknown, used, expired, spent or from another client
   * is INVALID_TOKEN. Nothing but the counters changes without a right answer.
   */
  async verifyMfa(
    mfaToken: string,
    answer: SecondFactorAnswer,
    client: ClientInfo,
  ): Promise<AuthPayload> {
    const kind = exactlyOne({
      code: answer.code,
      recoveryCode: answer.recoveryCode,
      passkeyResponse: answer.passkeyResponse,
    });
    if (kind === 'passkeyResponse') this.passkeyVerifier();
    return this.deps.limits.attempt('login', client, async () => {
      const tokenHash = sha256(mfaToken);
      const pending = await this.liveChallenge(this.deps.dataSource.manager, tokenHash, client);
      const user = await this.deps.dataSource
        .getRepository(UserEntity)
        .findOneBy({ id: pending.userId });
      if (!user) throw invalidToken(); // the account was deleted meanwhile
      const attempt = await this.deps.limits.beginLogin(user.email);
      try {
        const outcome = await this.deps.dataSource.transaction(async (manager) => {
          const challenge = await this.liveChallenge(manager, tokenHash, client, true);
          const locked = await manager.findOneByOrFail(UserEntity, { id: challenge.userId });
          const proof = await this.secondFactor(manager, locked, challenge, answer, kind, client);
          if (!proof) {
            await manager.increment(MfaChallengeEntity, { tokenHash }, 'attempts', 1);
            await recordAudit(manager, {
              actorId: locked.id,
              action: 'user.mfa_failed',
              targetType: 'user',
              targetId: locked.id,
              client,
              metadata: { method: kind },
            });
            return null;
          }
          await manager.update(MfaChallengeEntity, { tokenHash }, { usedAt: new Date() });
          await recordAudit(manager, {
            actorId: locked.id,
            action: 'user.login',
            targetType: 'user',
            targetId: locked.id,
            client,
            metadata: { amr: proof.amr, secondFactor: proof.method },
          });
          return this.deps.sessions.start(manager, locked, client, proof.amr);
        });
        this.deps.relay.kick();
        if (!outcome) {
          await attempt.failed();
          throw wrongAnswer(kind);
        }
        return outcome;
      } finally {
        await attempt.release();
      }
    });
  }

  /** WebAuthn options for the second step with a passkey; the challenge is bound to this mfaToken. */
  async mfaPasskeyOptions(mfaToken: string, client: ClientInfo): Promise<string> {
    const passkeys = this.passkeyVerifier();
    const tokenHash = sha256(mfaToken);
    const challenge = await this.liveChallenge(this.deps.dataSource.manager, tokenHash, client);
    return passkeys.authenticationOptions('MFA', challenge.userId, tokenHash);
  }

  /** WebAuthn options for stepUp with one of the caller's passkeys. */
  async stepUpPasskeyOptions(viewer: UserViewer): Promise<string> {
    return this.passkeyVerifier().authenticationOptions('STEP_UP', viewer.userId);
  }

  /**
   * Re-authenticates the caller's session: with a second factor enrolled, a TOTP code or a
   * passkey (amr gains the method and `mfa`); without, the password (amr gains `pwd`) or a
   * passkey. The session's auth_time becomes now; the answer is a fresh access token for the
   * same session (its refresh token is unchanged). Wrong answers count toward the login limits.
   */
  async stepUp(viewer: UserViewer, answer: StepUpAnswer, client: ClientInfo): Promise<AuthPayload> {
    const kind = exactlyOne({
      password: answer.password,
      code: answer.code,
      passkeyResponse: answer.passkeyResponse,
    });
    if (kind === 'passkeyResponse') this.passkeyVerifier();
    const user = await this.deps.dataSource
      .getRepository(UserEntity)
      .findOneBy({ id: viewer.userId });
    if (!user) throw invalidToken();
    if (kind === 'password' && user.mfaEnabled)
      throw badInput({
        password: 'This account has a second factor: step up with a code or a passkey.',
      });
    if (kind === 'code' && !user.mfaEnabled)
      throw badInput({ code: 'This account has no authenticator app: step up with the password.' });
    if (kind === 'password' && !user.passwordHash)
      throw new AppError('INVALID_CREDENTIALS', {
        message: 'This account has no password: sign in again with your provider.',
      });
    return this.deps.limits.attempt('login', client, async () => {
      const attempt = await this.deps.limits.beginLogin(user.email);
      try {
        const proof =
          kind === 'password' ? await this.checkPassword(user, answer.password!) : undefined;
        const outcome = await this.deps.dataSource.transaction(async (manager) => {
          const session = await manager.findOne(SessionEntity, {
            where: { id: viewer.sessionId, userId: user.id },
            lock: { mode: 'pessimistic_write' },
          });
          if (!session || session.revokedAt || session.expiresAt <= new Date())
            throw invalidToken('This session has ended; sign in again.');
          const shown =
            proof === undefined ? await this.stepUpFactor(manager, user, answer, kind) : proof;
          if (!shown) return null;
          session.amr = unique([...session.amr, ...shown.amr]);
          session.authTime = new Date();
          await manager.update(
            SessionEntity,
            { id: session.id },
            { amr: session.amr, authTime: session.authTime },
          );
          await recordAudit(manager, {
            actorId: user.id,
            action: 'user.step_up',
            targetType: 'session',
            targetId: session.id,
            client,
            metadata: { method: shown.method, amr: session.amr },
          });
          return this.deps.sessions.payload(user, session, '');
        });
        this.deps.relay.kick();
        if (!outcome) {
          await attempt.failed();
          throw wrongAnswer(kind);
        }
        return outcome;
      } finally {
        await attempt.release();
      }
    });
  }

  /** Removes the user's factors without mailing them (see signInWithIdentity), in the caller's transaction. */
  async discardFactors(
    manager: EntityManager,
    user: UserEntity,
    reason: string,
    client: ClientInfo,
  ): Promise<void> {
    await this.deps.lifecycle.reset(manager, user, 'auth', reason, client, { mail: false });
  }

  /** The kinds of second factor this user can answer with, in a stable order. */
  private async availableFactors(
    manager: EntityManager,
    userId: string,
  ): Promise<SecondFactorKind[]> {
    const factors = await manager.find(MfaFactorEntity, {
      where: { userId, confirmedAt: Not(IsNull()) },
      select: { id: true, kind: true },
    });
    const kinds: SecondFactorKind[] = [];
    if (factors.some((f) => f.kind === 'TOTP')) kinds.push('TOTP');
    if (factors.some((f) => f.kind === 'PASSKEY')) kinds.push('PASSKEY');
    if (await manager.existsBy(RecoveryCodeEntity, { userId, usedAt: IsNull() }))
      kinds.push('RECOVERY_CODE');
    return kinds;
  }

  /** The challenge of a token, if it can still be answered from this client; INVALID_TOKEN otherwise. */
  private async liveChallenge(
    manager: EntityManager,
    tokenHash: string,
    client: ClientInfo,
    lock = false,
  ): Promise<MfaChallengeEntity> {
    const challenge = await manager.findOne(MfaChallengeEntity, {
      where: { tokenHash },
      ...(lock && { lock: { mode: 'pessimistic_write' as const } }),
    });
    if (
      !challenge ||
      challenge.usedAt ||
      challenge.expiresAt <= new Date() ||
      challenge.attempts >= MFA_TOKEN_MAX_ATTEMPTS ||
      challenge.clientBinding !== clientBinding(client)
    )
      throw invalidToken(
        'This sign-in has expired or was already finished; sign in again from the start.',
      );
    return challenge;
  }

  /** The proof of a second-factor answer for a pending sign-in, or null when it is wrong. */
  private async secondFactor(
    manager: EntityManager,
    user: UserEntity,
    challenge: MfaChallengeEntity,
    answer: SecondFactorAnswer,
    kind: string,
    client: ClientInfo,
  ): Promise<Proof | null> {
    if (kind === 'code') {
      const factor = await this.deps.totp.verify(manager, user.id, answer.code!);
      return factor && { amr: unique([...challenge.amr, 'otp', 'mfa']), method: 'otp' };
    }
    if (kind === 'recoveryCode') {
      const remaining = await this.deps.lifecycle.recoveryCodes.consume(
        manager,
        user.id,
        answer.recoveryCode!,
      );
      if (remaining === null) return null;
      await this.deps.lifecycle.recoveryCodeUsed(manager, user, remaining, client);
      // No `mfa`: a recovery code gets the user in to enrol a new factor, and satisfies neither
      // step-up nor an organization's requirement (docs/security.md "Sign-in security").
      return { amr: unique([...challenge.amr, 'rcv']), method: 'rcv' };
    }
    const passkey = await this.verifyPasskey(manager, {
      purpose: 'MFA',
      response: answer.passkeyResponse!,
      userId: user.id,
      mfaTokenHash: challenge.tokenHash,
    });
    return (
      passkey && { amr: unique([...challenge.amr, passkey.method, 'mfa']), method: passkey.method }
    );
  }

  private async stepUpFactor(
    manager: EntityManager,
    user: UserEntity,
    answer: StepUpAnswer,
    kind: string,
  ): Promise<Proof | null> {
    if (kind === 'code') {
      const factor = await this.deps.totp.verify(manager, user.id, answer.code!);
      return factor && { amr: ['otp', 'mfa'], method: 'otp' };
    }
    const passkey = await this.verifyPasskey(manager, {
      purpose: 'STEP_UP',
      response: answer.passkeyResponse!,
      userId: user.id,
    });
    return passkey && { amr: [passkey.method, 'mfa'], method: passkey.method };
  }

  /** A wrong assertion is a wrong answer (null); a malformed one or a bad challenge stays the verifier's error. */
  private async verifyPasskey(
    manager: EntityManager,
    check: Parameters<PasskeyVerifier['verifyAssertion']>[1],
  ): Promise<VerifiedPasskey | null> {
    try {
      const verified = await this.passkeyVerifier().verifyAssertion(manager, check);
      return verified.userId === check.userId ? verified : null;
    } catch (error) {
      if (error instanceof AppError && error.code === 'INVALID_CREDENTIALS') return null;
      throw error;
    }
  }

  private async checkPassword(user: UserEntity, password: string): Promise<Proof | null> {
    const isValid =
      password.length <= 1024 && user.passwordHash
        ? await this.deps.hasher.verify(user.passwordHash, password)
        : await this.deps.hasher.verifyAgainstDummy(password.slice(0, 1024));
    return isValid ? { amr: ['pwd'], method: 'pwd' } : null;
  }

  private passkeyVerifier(): PasskeyVerifier {
    if (!this.deps.passkeys) throw badInput({ passkeyResponse: 'passkeys are not available' });
    return this.deps.passkeys;
  }
}

/** The one answer given; BAD_USER_INPUT for none or several. */
function exactlyOne<K extends string>(answers: Record<K, string | null | undefined>): K {
  const given = (Object.keys(answers) as K[]).filter((key) => answers[key]);
  if (given.length !== 1)
    throw badInput({
      [given[0] ?? Object.keys(answers)[0]]:
        `Give exactly one of ${Object.keys(answers).join(', ')}.`,
    });
  return given[0];
}

function wrongAnswer(kind: string): AppError {
  if (kind === 'password')
    return new AppError('INVALID_CREDENTIALS', { message: 'The password is not correct.' });
  if (kind === 'recoveryCode')
    return new AppError('INVALID_CREDENTIALS', {
      message: 'The recovery code is not correct or was used already.',
    });
  if (kind === 'passkeyResponse')
    return new AppError('INVALID_CREDENTIALS', { message: 'The passkey was not accepted.' });
  return wrongCode();
}

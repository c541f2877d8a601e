import { randomBytes, randomUUID } from 'node:crypto';
import { IsNull, Not, type DataSource, type EntityManager } from 'typeorm';
import { AppError, badInput, conflict, notFound, type ClientInfo } from '@bastion/platform';
import type { AuthLimits } from '../limits/auth-limits';
import { UserEntity } from '../users/user.entity';
import type { MfaKeys } from './mfa-keys';
import type { MfaLifecycle } from './mfa-lifecycle';
import { MfaFactorEntity } from './mfa.entities';
import type { FactorConfirmationModel, TotpEnrollmentModel } from './models';
import { TOTP_SECRET_BYTES, matchTotp, totpProvisioning } from './totp';

/** Confirmed factors a user may have at once: enough for every device, not a table to fill. */
export const MAX_FACTORS = 10;
export const FACTOR_NAME_MAX = 100;
const DEFAULT_TOTP_NAME = 'Authenticator app';

/** TOTP factors: enrol, confirm with a first code, and check codes (once per time step). */
export class TotpFactors {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: MfaKeys,
    private readonly lifecycle: MfaLifecycle,
    private readonly limits: AuthLimits,
    private readonly issuer: string,
    /** The clock of code checks; tests move it. */
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A new secret (20 bytes, sealed at rest) and its otpauth:// URI. The factor protects nothing
   * until confirmTotp; an earlier enrolment still waiting for its code is replaced.
   */
  async enroll(userId: string, name: string | null | undefined): Promise<TotpEnrollmentModel> {
    const label = factorName(name, DEFAULT_TOTP_NAME);
    return this.dataSource.transaction(async (manager) => {
      const user = await lockUser(manager, userId);
      await manager.delete(MfaFactorEntity, { userId, kind: 'TOTP', confirmedAt: IsNull() });
      const confirmed = await manager.countBy(MfaFactorEntity, {
        userId,
        confirmedAt: Not(IsNull()),
      });
      if (confirmed >= MAX_FACTORS)
        throw conflict(`You have ${MAX_FACTORS} second factors already; remove one first.`);
      const secret = randomBytes(TOTP_SECRET_BYTES);
      const factor = manager.create(MfaFactorEntity, {
        id: randomUUID(),
        userId,
        kind: 'TOTP',
        name: label,
        createdAt: new Date(),
        confirmedAt: null,
        lastUsedAt: null,
        totpSecret: this.keys.seal(secret, userId),
        totpLastStep: null,
        credentialId: null,
        publicKey: null,
        signCount: null,
        transports: null,
        deviceType: null,
        backedUp: null,
      });
      await manager.insert(MfaFactorEntity, factor);
      return { userId, factorId: factor.id, ...totpProvisioning(secret, this.issuer, user.email) };
    });
  }

  /**
   * Confirms an enrolment with the app's first code. A wrong code counts toward the account's
   * login limit: the caller may hold a stolen session, not the account's password.
   */
  async confirm(
    userId: string,
    factorId: string,
    code: string,
    client: ClientInfo,
  ): Promise<FactorConfirmationModel> {
    if (!/^[0-9a-f-]{36}$/i.test(factorId)) throw notFound('Factor');
    const user = await this.dataSource.getRepository(UserEntity).findOneByOrFail({ id: userId });
    const attempt = await this.limits.beginLogin(user.email);
    try {
      const outcome = await this.dataSource.transaction(async (manager) => {
        const locked = await lockUser(manager, userId);
        const factor = await manager.findOne(MfaFactorEntity, {
          where: { id: factorId, userId, kind: 'TOTP' },
          lock: { mode: 'pessimistic_write' },
        });
        if (!factor) throw notFound('Factor');
        if (factor.confirmedAt) throw conflict('This factor is confirmed already.');
        const step = this.check(factor, code);
        if (step === null) return null;
        const now = new Date();
        factor.confirmedAt = now;
        factor.lastUsedAt = now;
        factor.totpLastStep = step;
        await manager.update(
          MfaFactorEntity,
          { id: factor.id },
          { confirmedAt: now, lastUsedAt: now, totpLastStep: step },
        );
        const recoveryCodes = await this.lifecycle.factorConfirmed(manager, locked, factor, client);
        return { userId, factor, recoveryCodes };
      });
      if (!outcome) {
        await attempt.failed();
        throw wrongCode();
      }
      await attempt.release();
      return outcome;
    } finally {
      await attempt.release();
    }
  }

  /**
   * In the caller's transaction: the user's confirmed TOTP factor this code belongs to, with its
   * time step recorded so the code (and any older one) never works again; null for a wrong,
   * reused or expired code. The factors are locked: two requests with one code cannot both pass.
   */
  async verify(
    manager: EntityManager,
    userId: string,
    code: string,
  ): Promise<MfaFactorEntity | null> {
    const factors = await manager.find(MfaFactorEntity, {
      where: { userId, kind: 'TOTP', confirmedAt: Not(IsNull()) },
      order: { createdAt: 'ASC', id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    for (const factor of factors) {
      const step = this.check(factor, code);
      if (step === null) continue;
      const now = new Date();
      factor.totpLastStep = step;
      factor.lastUsedAt = now;
      await manager.update(
        MfaFactorEntity,
        { id: factor.id },
        { totpLastStep: step, lastUsedAt: now },
      );
      return factor;
    }
    return null;
  }

  async hasConfirmed(manager: EntityManager, userId: string): Promise<boolean> {
    return manager.existsBy(MfaFactorEntity, {
      userId,
      kind: 'TOTP',
      confirmedAt: Not(IsNull()),
    });
  }

  private check(factor: MfaFactorEntity, code: string): number | null {
    if (!factor.totpSecret || code.length > 32) return null;
    const secret = this.keys.open(factor.totpSecret, factor.userId);
    return matchTotp(secret, code, this.now(), factor.totpLastStep);
  }
}

export const wrongCode = () =>
  new AppError('INVALID_CREDENTIALS', { message: 'The code is not correct.' });

export function factorName(name: string | null | undefined, fallback: string): string {
  const trimmed = name?.trim();
  if (!trimmed) return fallback;
  if (trimmed.length > FACTOR_NAME_MAX)
    throw badInput({ name: `Use at most ${FACTOR_NAME_MAX} characters.` });
  return trimmed;
}

export async function lockUser(manager: EntityManager, userId: string): Promise<UserEntity> {
  const user = await manager.findOne(UserEntity, {
    where: { id: userId },
    lock: { mode: 'pessimistic_write' },
  });
  if (!user) throw notFound('User');
  return user;
}

import { IsNull, Not, type EntityManager } from 'typeorm';
import { enqueueEvent, type ClientInfo } from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import type { Mailer } from '../mail/mailer';
import type { MailTemplates } from '../mail/templates';
import { UserEntity } from '../users/user.entity';
import { afterCommit } from './after-commit';
import { MfaFactorEntity } from './mfa.entities';
import type { FactorLifecycle } from './ports';
import type { RecoveryCodes } from './recovery-codes';

/**
 * What happens around a factor whatever its kind, in the caller's transaction: `users.mfa_enabled`
 * kept with the factors, recovery codes, the audit entry, the event, and (after commit) the mail.
 */
export class MfaLifecycle implements FactorLifecycle {
  constructor(
    readonly recoveryCodes: RecoveryCodes,
    private readonly mailer: Mailer,
    private readonly templates: MailTemplates,
  ) {}

  async factorConfirmed(
    manager: EntityManager,
    user: UserEntity,
    factor: MfaFactorEntity,
    client: ClientInfo,
  ): Promise<string[] | null> {
    const others = await manager.countBy(MfaFactorEntity, {
      userId: user.id,
      confirmedAt: Not(IsNull()),
      id: Not(factor.id),
    });
    await manager.update(UserEntity, { id: user.id }, { mfaEnabled: true, updatedAt: new Date() });
    user.mfaEnabled = true;
    // The first factor comes with the way back in when it is lost; later ones keep the set.
    const codes = others === 0 ? await this.recoveryCodes.issue(manager, user.id) : null;
    await recordAudit(manager, {
      actorId: user.id,
      action: 'mfa.factor_added',
      targetType: 'user',
      targetId: user.id,
      client,
      metadata: { factorId: factor.id, kind: factor.kind, recoveryCodesIssued: codes !== null },
    });
    await enqueueEvent(manager, 'MFA_FACTOR_ADDED', {
      userId: user.id,
      factorId: factor.id,
      kind: factor.kind,
    });
    this.mailAfterCommit(
      manager,
      this.templates.mfaFactorAdded(user.email, factor.kind, factor.name),
    );
    return codes;
  }

  /**
   * Removes a factor; the last one turns MFA off and voids the recovery codes. Returns whether
   * MFA stays on.
   */
  async factorRemoved(
    manager: EntityManager,
    user: UserEntity,
    factor: MfaFactorEntity,
    client: ClientInfo,
  ): Promise<boolean> {
    await manager.delete(MfaFactorEntity, { id: factor.id });
    const confirmed = factor.confirmedAt !== null;
    const left = await manager.countBy(MfaFactorEntity, {
      userId: user.id,
      confirmedAt: Not(IsNull()),
    });
    const mfaEnabled = left > 0;
    if (!mfaEnabled) {
      await this.recoveryCodes.removeAll(manager, user.id);
      await manager.update(
        UserEntity,
        { id: user.id },
        { mfaEnabled: false, updatedAt: new Date() },
      );
      user.mfaEnabled = false;
    }
    // A TOTP enrolment never confirmed protected nothing: removing it is housekeeping, not news.
    if (!confirmed) return mfaEnabled;
    await recordAudit(manager, {
      actorId: user.id,
      action: 'mfa.factor_removed',
      targetType: 'user',
      targetId: user.id,
      client,
      metadata: { factorId: factor.id, kind: factor.kind, mfaEnabled },
    });
    await enqueueEvent(manager, 'MFA_FACTOR_REMOVED', {
      userId: user.id,
      factorId: factor.id,
      kind: factor.kind,
      mfaEnabled,
    });
    this.mailAfterCommit(
      manager,
      this.templates.mfaFactorRemoved(user.email, factor.kind, factor.name, mfaEnabled),
    );
    return mfaEnabled;
  }

  /** A recovery code signed the user in (the code is already marked used). */
  async recoveryCodeUsed(
    manager: EntityManager,
    user: UserEntity,
    remaining: number,
    client: ClientInfo,
  ): Promise<void> {
    await recordAudit(manager, {
      actorId: user.id,
      action: 'mfa.recovery_code_used',
      targetType: 'user',
      targetId: user.id,
      client,
      metadata: { remaining },
    });
    await enqueueEvent(manager, 'MFA_RECOVERY_CODE_USED', { userId: user.id, remaining });
    this.mailAfterCommit(manager, this.templates.recoveryCodeUsed(user.email, remaining));
  }

  /** Ten new codes for a user who has a factor; the old set stops working. */
  async regenerateRecoveryCodes(
    manager: EntityManager,
    user: UserEntity,
    client: ClientInfo,
  ): Promise<string[]> {
    const codes = await this.recoveryCodes.issue(manager, user.id);
    await recordAudit(manager, {
      actorId: user.id,
      action: 'mfa.recovery_codes_regenerated',
      targetType: 'user',
      targetId: user.id,
      client,
    });
    this.mailAfterCommit(manager, this.templates.recoveryCodesRegenerated(user.email));
    return codes;
  }

  /**
   * Every factor and code gone, MFA off (sessions are the caller's to revoke): support's reset,
   * or auth's own when an unverified account's real owner proves the address (`mail: false`:
   * the factors were never theirs).
   */
  async reset(
    manager: EntityManager,
    user: UserEntity,
    actorId: string,
    reason: string,
    client: ClientInfo,
    { mail = true } = {},
  ): Promise<void> {
    const factors = await manager.findBy(MfaFactorEntity, { userId: user.id });
    await manager.delete(MfaFactorEntity, { userId: user.id });
    await this.recoveryCodes.removeAll(manager, user.id);
    await manager.update(UserEntity, { id: user.id }, { mfaEnabled: false, updatedAt: new Date() });
    user.mfaEnabled = false;
    await recordAudit(manager, {
      actorId,
      action: 'mfa.reset',
      targetType: 'user',
      targetId: user.id,
      client,
      metadata: { reason, factorsRemoved: factors.length },
    });
    await enqueueEvent(manager, 'MFA_RESET', { userId: user.id, actorId, reason });
    if (mail) this.mailAfterCommit(manager, this.templates.mfaReset(user.email));
  }

  private mailAfterCommit(manager: EntityManager, message: ReturnType<MailTemplates['mfaReset']>) {
    afterCommit(manager, () => this.mailer.send(message));
  }
}

import type { DataSource } from 'typeorm';
import { badInput, conflict, notFound, type ClientInfo, type OutboxRelay } from '@bastion/platform';
import type { SessionService } from '../sessions/session.service';
import type { MfaLifecycle } from './mfa-lifecycle';
import { MfaFactorEntity } from './mfa.entities';
import { lockUser } from './totp-factors';

export const RESET_REASON_MAX = 500;

/** A user's changes to their own factors, and support's reset. Step-up is the tier's (schema.graphql). */
export class MfaSettings {
  constructor(
    private readonly dataSource: DataSource,
    private readonly lifecycle: MfaLifecycle,
    private readonly sessions: SessionService,
    private readonly relay: OutboxRelay,
  ) {}

  /** Removes one of the user's factors; the last one turns MFA off and voids the recovery codes. */
  async removeFactor(userId: string, factorId: string, client: ClientInfo): Promise<boolean> {
    if (!/^[0-9a-f-]{36}$/i.test(factorId)) throw notFound('Factor');
    await this.dataSource.transaction(async (manager) => {
      const user = await lockUser(manager, userId);
      const factor = await manager.findOneBy(MfaFactorEntity, { id: factorId, userId });
      if (!factor) throw notFound('Factor');
      await this.lifecycle.factorRemoved(manager, user, factor, client);
    });
    this.relay.kick();
    return true;
  }

  /** Ten new recovery codes, shown once; the old set stops working. Only with a factor to recover. */
  async regenerateRecoveryCodes(userId: string, client: ClientInfo): Promise<string[]> {
    const codes = await this.dataSource.transaction(async (manager) => {
      const user = await lockUser(manager, userId);
      if (!user.mfaEnabled)
        throw conflict('Recovery codes come with a second factor: add one first.');
      return this.lifecycle.regenerateRecoveryCodes(manager, user, client);
    });
    this.relay.kick();
    return codes;
  }

  /**
   * Support's reset for a user who lost every factor and code: factors and codes go, MFA is off,
   * and every session is signed out (as a password reset does: whoever got in before the reset
   * may be the reason for it). The user signs in with the first factor and enrols again.
   */
  async resetUserMfa(
    userId: string,
    reason: string,
    actorId: string,
    client: ClientInfo,
  ): Promise<boolean> {
    const why = reason.trim();
    if (!why) throw badInput({ reason: 'Say why (for the user’s security events).' });
    if (why.length > RESET_REASON_MAX)
      throw badInput({ reason: `Use at most ${RESET_REASON_MAX} characters.` });
    if (!/^[0-9a-f-]{36}$/i.test(userId)) throw notFound('User');
    const revoked = await this.dataSource.transaction(async (manager) => {
      const user = await lockUser(manager, userId);
      await this.lifecycle.reset(manager, user, actorId, why, client);
      return this.sessions.revokeAllForUser(manager, user.id, 'mfa reset');
    });
    await this.sessions.afterRevocation(revoked);
    return true;
  }
}

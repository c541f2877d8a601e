import { IsNull, type EntityManager } from 'typeorm';
import { enqueueEvent, type ClientInfo } from '@bastion/platform';
import type { SignIn } from '../mfa/sign-in';
import { SessionEntity } from '../sessions/session.entity';
import type { RevokedSessions, SessionService } from '../sessions/session.service';
import { UserEntity } from '../users/user.entity';

/**
 * Pre-hijacking defence, for an identity provider (social sign-in, enterprise SSO) that has just
 * proven an address whose account was registered without proving it: whoever registered it may
 * not be its owner. Inside the caller's transaction, their password, sessions and second factors
 * go (factors enrolled there were the squatter's: they would lock the owner out, or keep a way
 * in), and the address counts as verified. Sessions are revoked one by one: a user-wide cut-off
 * would also void the session the caller opens next, in the same second.
 */
export async function reclaimUnprovenAccount(
  manager: EntityManager,
  user: UserEntity,
  deps: { sessions: SessionService; signIn: SignIn },
  proof: { email: string; reason: string; client: ClientInfo; now: Date },
): Promise<RevokedSessions> {
  const live = await manager.find(SessionEntity, {
    where: { userId: user.id, revokedAt: IsNull() },
    lock: { mode: 'pessimistic_write' },
  });
  for (const session of live)
    await deps.sessions.revokeInTransaction(manager, session, proof.reason);
  user.emailVerifiedAt = proof.now;
  user.passwordHash = null;
  user.updatedAt = proof.now;
  await manager.update(
    UserEntity,
    { id: user.id },
    { emailVerifiedAt: proof.now, passwordHash: null, updatedAt: proof.now },
  );
  await enqueueEvent(manager, 'USER_EMAIL_VERIFIED', { userId: user.id, email: proof.email });
  if (user.mfaEnabled) await deps.signIn.discardFactors(manager, user, proof.reason, proof.client);
  return { userId: user.id, sessionIds: live.map((session) => session.id) };
}

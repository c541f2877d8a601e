import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { conflict, forbidden, type ClientInfo } from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import type { SignIn, SignInOutcome as MfaSignInOutcome } from '../mfa/sign-in';
import type { RevokedSessions, SessionService } from '../sessions/session.service';
import { reclaimUnprovenAccount } from '../accounts/reclaim';
import { assertEmail } from '../users/email';
import { createProvenUser } from '../users/proven-user';
import { UserEntity } from '../users/user.entity';
import { OAuthAccountEntity } from './oauth-account.entity';
import type { OAuthProviderName } from './oauth-config';
import type { OidcIdentity } from './oidc-client';

export interface SignInOutcome {
  /** A session, or MFA_REQUIRED for a user with a second factor (thrown after commit). */
  result: MfaSignInOutcome;
  /** Sessions to cut off after commit (an unverified account taken over by its proven owner). */
  revoked?: RevokedSessions;
}

/**
 * Signs in the person a provider vouched for, in the caller's transaction: the user linked to the
 * identity; else, only when the provider verified the email, the account with that email (linked
 * now) or a new account. Like every first factor, it ends in the sign-in state machine
 * (mfa/sign-in.ts): a user with a second factor gets MFA_REQUIRED, not a session.
 */
export async function signInWithIdentity(
  manager: EntityManager,
  sessions: SessionService,
  signIn: SignIn,
  provider: OAuthProviderName,
  identity: OidcIdentity,
  client: ClientInfo,
): Promise<SignInOutcome> {
  const link = await manager.findOneBy(OAuthAccountEntity, { provider, subject: identity.subject });
  if (link) {
    const user = await manager.findOneByOrFail(UserEntity, { id: link.userId });
    await recordAudit(manager, {
      actorId: user.id,
      action: 'user.login',
      targetType: 'user',
      targetId: user.id,
      client,
      metadata: { provider },
    });
    return { result: await signIn.firstFactorPassed(manager, user, client, ['fed']) };
  }
  // An address the provider has not verified proves nothing: anyone can type someone else's into
  // an account there. Linking on it would hand them the existing account of that address.
  const email = identity.isEmailVerified ? wellFormed(identity.email) : null;
  if (!email) {
    throw forbidden(
      `${provider} did not confirm an email address for this account. Sign in another way, then link ${provider} from your account.`,
    );
  }
  const now = new Date();
  let user = await manager.findOne(UserEntity, {
    where: { email },
    lock: { mode: 'pessimistic_write' },
  });
  let revoked: RevokedSessions | undefined;
  if (!user) {
    user = await createProvenUser(
      manager,
      { email, name: identity.name, client, metadata: { provider } },
      now,
    );
  } else if (await manager.existsBy(OAuthAccountEntity, { userId: user.id, provider })) {
    throw conflict(`The account for ${email} is linked to another ${provider} account.`);
  } else if (!user.emailVerifiedAt) {
    revoked = await reclaimUnprovenAccount(
      manager,
      user,
      { sessions, signIn },
      { email, reason: 'email proven by oauth sign-in', client, now },
    );
  }
  await manager.insert(OAuthAccountEntity, {
    id: randomUUID(),
    userId: user.id,
    provider,
    subject: identity.subject,
    email,
    createdAt: now,
  });
  await recordAudit(manager, {
    actorId: user.id,
    action: 'oauth.linked',
    targetType: 'user',
    targetId: user.id,
    client,
    metadata: { provider },
  });
  await recordAudit(manager, {
    actorId: user.id,
    action: 'user.login',
    targetType: 'user',
    targetId: user.id,
    client,
    metadata: { provider },
  });
  return { result: await signIn.firstFactorPassed(manager, user, client, ['fed']), revoked };
}

function wellFormed(email: string | null): string | null {
  if (!email) return null;
  try {
    return assertEmail(email);
  } catch {
    return null;
  }
}

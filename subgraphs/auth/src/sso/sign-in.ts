import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  enqueueEvent,
  invalidToken,
  isUniqueViolation,
  type ClientInfo,
  type OutboxRelay,
  type Role,
} from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import { settle, type SignIn, type SignInOutcome } from '../mfa/sign-in';
import type { AuthPayload, RevokedSessions, SessionService } from '../sessions/session.service';
import { reclaimUnprovenAccount } from '../accounts/reclaim';
import { assertEmail } from '../users/email';
import { createProvenUser } from '../users/proven-user';
import { UserEntity } from '../users/user.entity';
import { SsoDomainService } from './domains';
import { domainOf } from './enforcement';
import type { SsoIdentity } from './identity';
import type { SsoOrgsClient } from './orgs-client';
import {
  SsoCodeEntity,
  SsoConnectionEntity,
  SsoLinkEntity,
  type SsoRequestEntity,
} from './sso.entities';

/** How long the browser has to bring the one-time code to ssoLogin. */
export const SSO_CODE_TTL_SECONDS = 120;

export type SsoAccountOutcome = 'provisioned' | 'linked' | 'existing';

/** The connection's role for these groups: the table's first group the user is in, else the default. */
export function mappedRole(
  connection: SsoConnectionEntity,
  groups: readonly string[],
): Role | null {
  const held = new Set(groups);
  return connection.groupRoles.find((row) => held.has(row.group))?.role ?? connection.defaultRole;
}

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');

function refused(reason: string, message: string): AppError {
  return new AppError('FORBIDDEN', { message, extensions: { reason } });
}

interface ResolvedAccount {
  user: UserEntity;
  outcome: SsoAccountOutcome;
  revoked?: RevokedSessions;
}

/**
 * The end of every enterprise sign-in, whatever the protocol: completeSso turns a validated
 * SsoIdentity into a one-time code for the browser, ssoLogin redeems it for an account, a
 * membership and a session.
 */
export class SsoSignIn {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    private readonly signIn: SignIn,
    private readonly orgs: SsoOrgsClient,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * Called by the protocol adapters once the IdP's response is valid: stores the identity under
   * a one-time code (its SHA-256 only) for `request.redirectUri`, and returns the code.
   */
  async completeSso(
    identity: SsoIdentity,
    request: Pick<SsoRequestEntity, 'redirectUri'>,
  ): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const now = new Date();
    await this.dataSource.manager.insert(SsoCodeEntity, {
      codeHash: hashCode(code),
      connectionId: identity.connectionId,
      identity: { ...identity, email: identity.email.toLowerCase() },
      redirectUri: request.redirectUri,
      createdAt: now,
      expiresAt: new Date(now.getTime() + SSO_CODE_TTL_SECONDS * 1000),
      usedAt: null,
    });
    return code;
  }

  /** ssoLogin: the code once, then the account, the membership the groups map to, a session. */
  async login(code: string, client: ClientInfo): Promise<AuthPayload> {
    const { identity, connection } = await this.redeem(code);
    let account: ResolvedAccount;
    let role: Role | null;
    try {
      role = mappedRole(connection, identity.groups);
      account = await this.resolveAccountRetrying(connection, identity, role, client);
    } catch (error) {
      await this.recordFailure(connection, error, client);
      throw error;
    }
    // The membership follows the IdP at every sign-in (a demotion or removal included) and
    // before any session exists: if orgs cannot answer, nobody signs in on a stale role.
    const kept = await this.orgs.provisionMember(
      connection.organizationId,
      account.user.id,
      role,
      connection.id,
    );
    const outcome = await this.dataSource.transaction((manager) =>
      this.startSession(manager, connection, identity, account, kept, client),
    );
    if (account.revoked) await this.sessions.afterRevocation(account.revoked);
    this.relay.kick();
    return settle(outcome);
  }

  /**
   * THE hand-off to sessions: the one place an SSO sign-in becomes a session, through the sign-in
   * state machine every first factor goes through. The IdP's amr (always 'fed'; 'mfa' when the
   * IdP says it used a second factor) goes onto the session and its tokens. Decision: an IdP
   * 'mfa' counts as the second factor (the organization chose to trust its IdP, and its MFA rule
   * can accept it); without it, a user with a Bastion second factor gets MFA_REQUIRED as after a
   * password.
   */
  private async startSession(
    manager: EntityManager,
    connection: SsoConnectionEntity,
    identity: SsoIdentity,
    account: ResolvedAccount,
    role: Role | null,
    client: ClientInfo,
  ): Promise<SignInOutcome> {
    const at = new Date().toISOString();
    await recordAudit(manager, {
      actorId: account.user.id,
      action: 'user.login',
      targetType: 'user',
      targetId: account.user.id,
      client,
      metadata: { provider: 'sso', connectionId: connection.id },
    });
    await enqueueEvent(manager, 'SSO_SIGN_IN', {
      organizationId: connection.organizationId,
      connectionId: connection.id,
      userId: account.user.id,
      account: account.outcome,
      role,
      ip: client.ip ?? null,
      userAgent: client.userAgent ?? null,
      at,
    });
    if (identity.amr.includes('mfa'))
      return { payload: await this.sessions.start(manager, account.user, client, identity.amr) };
    return this.signIn.firstFactorPassed(manager, account.user, client, identity.amr);
  }

  /** The code's identity and its connection, once: a used, expired or unknown code is INVALID_TOKEN. */
  private async redeem(
    code: string,
  ): Promise<{ identity: SsoIdentity; connection: SsoConnectionEntity }> {
    if (typeof code !== 'string' || code.length < 20 || code.length > 100) throw invalidToken();
    const row = await this.dataSource.transaction(async (manager) => {
      const found = await manager.findOne(SsoCodeEntity, {
        where: { codeHash: hashCode(code) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!found || found.usedAt || found.expiresAt.getTime() <= Date.now()) return null;
      await manager.update(SsoCodeEntity, { codeHash: found.codeHash }, { usedAt: new Date() });
      return found;
    });
    if (!row) throw invalidToken('This sign-in code was used or has expired: sign in again.');
    const identity = row.identity as SsoIdentity;
    const connection = await this.dataSource.manager.findOneBy(SsoConnectionEntity, {
      id: row.connectionId,
    });
    // Deleted or disabled since the IdP answered, or an identity of another organization's.
    if (
      !connection ||
      !connection.enabled ||
      identity.connectionId !== connection.id ||
      identity.organizationId !== connection.organizationId
    )
      throw invalidToken('This sign-in code is no longer valid: sign in again.');
    return { identity, connection };
  }

  private async resolveAccountRetrying(
    connection: SsoConnectionEntity,
    identity: SsoIdentity,
    role: Role | null,
    client: ClientInfo,
  ): Promise<ResolvedAccount> {
    const attempt = () =>
      this.dataSource.transaction((manager) =>
        this.resolveAccount(manager, connection, identity, role, client),
      );
    try {
      return await attempt();
    } catch (error) {
      // Two first sign-ins of one identity at once: the loser retries and finds the winner's link.
      if (!isUniqueViolation(error)) throw error;
      return attempt();
    }
  }

  /**
   * The user linked to (connection, subject); else, only when the email's domain is verified for
   * THIS connection's organization, the account with that email (linked now) or, with
   * just-in-time provisioning, a new account with a verified email and no password.
   */
  private async resolveAccount(
    manager: EntityManager,
    connection: SsoConnectionEntity,
    identity: SsoIdentity,
    role: Role | null,
    client: ClientInfo,
  ): Promise<ResolvedAccount> {
    const link = await manager.findOneBy(SsoLinkEntity, {
      connectionId: connection.id,
      subject: identity.subject,
    });
    if (link) {
      const user = await manager.findOneBy(UserEntity, { id: link.userId });
      if (user) return { user, outcome: 'existing' };
    }
    const email = wellFormed(identity.email);
    const domain = domainOf(email);
    const owner = domain ? await SsoDomainService.verifiedOwner(manager, domain) : null;
    // An IdP vouches for its organization's domains only: an address elsewhere could be anyone's.
    if (!email || owner?.organizationId !== connection.organizationId)
      throw refused(
        'SSO_DOMAIN_NOT_VERIFIED',
        "The identity provider's address is not on a domain verified for this organization.",
      );
    const now = new Date();
    let user = await manager.findOne(UserEntity, {
      where: { email },
      lock: { mode: 'pessimistic_write' },
    });
    let outcome: SsoAccountOutcome = 'linked';
    let revoked: RevokedSessions | undefined;
    if (!user) {
      if (!connection.jitProvisioning)
        throw refused(
          'SSO_NO_ACCOUNT',
          'No account has this address, and this organization does not create accounts at sign-in.',
        );
      if (role === null)
        throw refused(
          'SSO_NO_ROLE',
          "The identity provider's groups give no role in this organization.",
        );
      user = await this.provision(manager, email, identity, client, now);
      outcome = 'provisioned';
    } else if (!user.emailVerifiedAt) {
      revoked = await reclaimUnprovenAccount(
        manager,
        user,
        { sessions: this.sessions, signIn: this.signIn },
        { email, reason: 'email proven by sso sign-in', client, now },
      );
    }
    await manager.insert(SsoLinkEntity, {
      connectionId: connection.id,
      subject: identity.subject,
      userId: user.id,
      email,
      createdAt: now,
    });
    return { user, outcome, revoked };
  }

  private async provision(
    manager: EntityManager,
    email: string,
    identity: SsoIdentity,
    client: ClientInfo,
    now: Date,
  ): Promise<UserEntity> {
    return createProvenUser(
      manager,
      {
        email,
        name: identity.name,
        client,
        metadata: { provider: 'sso', connectionId: identity.connectionId },
      },
      now,
    );
  }

  /** SSO_SIGN_IN_FAILED for the organization's audit log; the caller rethrows the refusal. */
  async recordFailure(
    connection: Pick<SsoConnectionEntity, 'id' | 'organizationId'>,
    error: unknown,
    client: ClientInfo | null,
  ): Promise<void> {
    const extensions = error instanceof AppError ? error.extensions : {};
    const reason =
      (typeof extensions.reason === 'string' && extensions.reason) ||
      (typeof extensions.code === 'string' && extensions.code) ||
      'INTERNAL';
    await enqueueEvent(this.dataSource.manager, 'SSO_SIGN_IN_FAILED', {
      organizationId: connection.organizationId,
      connectionId: connection.id,
      reason,
      ip: client?.ip ?? null,
      userAgent: client?.userAgent ?? null,
      at: new Date().toISOString(),
    });
    this.relay.kick();
  }
}

function wellFormed(email: string): string | null {
  try {
    return assertEmail(email);
  } catch {
    return null;
  }
}

import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  badInput,
  conflict,
  isUniqueViolation,
  notFound,
  requireUser,
  type ClientInfo,
  type Logger,
  type OutboxRelay,
  type Viewer,
} from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import type { AuthLimits } from '../limits/auth-limits';
import { settle, type SignIn } from '../mfa/sign-in';
import type { AuthPayload, SessionService } from '../sessions/session.service';
import { UserEntity } from '../users/user.entity';
import {
  OAUTH_PROVIDER_NAMES,
  oauthProviders,
  oauthRedirectUris,
  type OAuthConfigInput,
} from './oauth-config';
import { OAuthAccountEntity, type OAuthPurpose } from './oauth-account.entity';
import { OAuthFlows, type FlowCallback } from './oauth-flows';
import { OidcClient } from './oidc-client';
import type { SsoEnforcement } from '../sso/enforcement';
import { signInWithIdentity, type SignInOutcome } from './oauth-sign-in';

/** Sign-in and account linking through OpenID Connect providers. */
export class OAuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly flows: OAuthFlows,
    private readonly sessions: SessionService,
    private readonly relay: OutboxRelay,
    private readonly limits: AuthLimits,
    private readonly signIn: SignIn,
    /** Enterprise SSO's enforcement: users of an enforced domain sign in through their IdP only. */
    private readonly sso?: Pick<SsoEnforcement, 'assertFederatedAllowed'>,
  ) {}

  /**
   * The provider URL to send the browser to. A `link` flow belongs to the signed-in, verified
   * caller who starts it; only they can finish it, with linkOAuthAccount.
   */
  async authorizationUrl(
    provider: string,
    redirectUri: string,
    purpose: OAuthPurpose,
    viewer: Viewer,
    client: ClientInfo,
  ): Promise<string> {
    return this.limits.attempt('oauth', client, () =>
      this.startFlow(provider, redirectUri, purpose, viewer),
    );
  }

  private async startFlow(
    provider: string,
    redirectUri: string,
    purpose: OAuthPurpose,
    viewer: Viewer,
  ): Promise<string> {
    let userId: string | null = null;
    if (purpose === 'link') {
      const user = requireUser(viewer);
      if (!user.emailVerified) throw new AppError('EMAIL_NOT_VERIFIED');
      userId = user.userId;
    }
    return this.flows.start(provider, redirectUri, purpose, userId);
  }

  /** Finishes a login flow: the linked user, else the verified email's account, else a new account. */
  async login(callback: FlowCallback, client: ClientInfo): Promise<AuthPayload> {
    return this.limits.attempt('oauth', client, () => this.finishLogin(callback, client));
  }

  private async finishLogin(callback: FlowCallback, client: ClientInfo): Promise<AuthPayload> {
    const { provider, identity } = await this.flows.finish(callback, {
      purpose: 'login',
      userId: null,
    });
    await this.sso?.assertFederatedAllowed(provider, identity);
    const attempt = () =>
      this.dataSource.transaction((manager) =>
        signInWithIdentity(manager, this.sessions, this.signIn, provider, identity, client),
      );
    let outcome: SignInOutcome;
    try {
      outcome = await attempt();
    } catch (error) {
      // Two first sign-ins of one identity at once: the loser retries and finds the winner's link.
      if (!isUniqueViolation(error)) throw error;
      outcome = await attempt();
    }
    if (outcome.revoked) await this.sessions.afterRevocation(outcome.revoked);
    this.relay.kick();
    return settle(outcome.result);
  }

  /** Links the provider identity of a finished `link` flow to the caller. */
  async link(userId: string, callback: FlowCallback, client: ClientInfo): Promise<UserEntity> {
    return this.limits.attempt('oauth', client, () => this.finishLink(userId, callback, client));
  }

  private async finishLink(
    userId: string,
    callback: FlowCallback,
    client: ClientInfo,
  ): Promise<UserEntity> {
    const { provider, identity } = await this.flows.finish(callback, { purpose: 'link', userId });
    try {
      const user = await this.dataSource.transaction(async (manager) => {
        const user = await this.lockUser(manager, userId);
        const existing = await manager.findOneBy(OAuthAccountEntity, {
          provider,
          subject: identity.subject,
        });
        if (existing?.userId === userId) return user;
        if (existing) throw conflict(`This ${provider} account is already linked to another user.`);
        if (await manager.existsBy(OAuthAccountEntity, { userId, provider })) {
          throw conflict(`Another ${provider} account is linked already; unlink it first.`);
        }
        await manager.insert(OAuthAccountEntity, {
          id: randomUUID(),
          userId,
          provider,
          subject: identity.subject,
          email: identity.email,
          createdAt: new Date(),
        });
        await recordAudit(manager, {
          actorId: userId,
          action: 'oauth.linked',
          targetType: 'user',
          targetId: userId,
          client,
          metadata: { provider },
        });
        return user;
      });
      this.relay.kick();
      return user;
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`This ${provider} account is already linked.`);
      throw error;
    }
  }

  /** Removes a link, unless it is the user's last way to sign in. */
  async unlink(userId: string, provider: string, client: ClientInfo): Promise<UserEntity> {
    if (!(OAUTH_PROVIDER_NAMES as readonly string[]).includes(provider))
      throw badInput({ provider: `Unknown provider "${provider}".` });
    const user = await this.dataSource.transaction(async (manager) => {
      // The user row lock serializes concurrent unlinks, which could otherwise each leave one the other removes.
      const user = await this.lockUser(manager, userId);
      const links = await manager.findBy(OAuthAccountEntity, { userId });
      const link = links.find((l) => l.provider === provider);
      if (!link) throw notFound('Linked provider');
      if (!user.passwordHash && links.length === 1) {
        throw conflict(
          `${provider} is your only way to sign in; set a password or link another provider first.`,
        );
      }
      await manager.delete(OAuthAccountEntity, { id: link.id });
      await recordAudit(manager, {
        actorId: userId,
        action: 'oauth.unlinked',
        targetType: 'user',
        targetId: userId,
        client,
        metadata: { provider },
      });
      return user;
    });
    this.relay.kick();
    return user;
  }

  /** Provider names linked to a user, sorted. */
  async linkedProviders(userId: string): Promise<string[]> {
    const links = await this.dataSource
      .getRepository(OAuthAccountEntity)
      .find({ where: { userId }, order: { provider: 'ASC' } });
    return links.map((l) => l.provider);
  }

  private async lockUser(manager: EntityManager, userId: string): Promise<UserEntity> {
    const user = await manager.findOne(UserEntity, {
      where: { id: userId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!user) throw notFound('User');
    return user;
  }
}

export interface OAuthWiring {
  config: OAuthConfigInput;
  dataSource: DataSource;
  relay: OutboxRelay;
  logger: Logger;
  sessions: SessionService;
  limits: AuthLimits;
  signIn: SignIn;
  sso?: Pick<SsoEnforcement, 'assertFederatedAllowed'>;
}

/** The OAuth service with its providers and redirect allow-list read from the config. */
export function createOAuthService({
  config,
  dataSource,
  relay,
  logger,
  sessions,
  limits,
  signIn,
  sso,
}: OAuthWiring): OAuthService {
  const oidc = new OidcClient({ logger, allowLoopbackHttp: config.NODE_ENV !== 'production' });
  const flows = new OAuthFlows(dataSource, oidc, {
    providers: oauthProviders(config),
    redirectUris: oauthRedirectUris(config),
  });
  return new OAuthService(dataSource, flows, sessions, relay, limits, signIn, sso);
}

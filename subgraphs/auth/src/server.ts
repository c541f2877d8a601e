import { resolve } from 'node:path';
import {
  AccessTokenSigner,
  InboxRow,
  MemoryApiKeyStore,
  MemoryIssuedTokenStore,
  createFailureLimiter,
  createRateLimiter,
  developmentSecret,
  appBaseUrl,
  type IssuedTokenStore,
  MemoryRevocationList,
  OutboxRow,
  RedisRevocationList,
  RevocationFanOut,
  startSubgraphService,
  type PlatformDeps,
  type RevocationList,
  type SubgraphService,
  OrganizationMembershipClient,
} from '@bastion/platform';
import { ApiKeyEntity } from './api-keys/api-key.entity';
import { ApiKeyService } from './api-keys/api-key.service';
import { AccountService } from './accounts/account.service';
import { createAccountFlows } from './accounts/account-flows';
import { AuthLimits } from './limits/auth-limits';
import {
  MfaChallengeEntity,
  MfaFactorEntity,
  RecoveryCodeEntity,
  WebAuthnChallengeEntity,
} from './mfa/mfa.entities';
import { MfaFactors } from './mfa/mfa-factors';
import { SSO_ENTITIES } from './sso/sso.entities';
import { SsoProtocols } from './sso/protocols';
import { ssoRoutes } from './sso/routes';
import { SsoAuthorization, ssoRedirectUris } from './sso/authorization';
import { ssoSecretSealer } from './sso/secret-sealer';
import { createSsoServices } from './sso/sso-services';
import { MfaKeys } from './mfa/mfa-keys';
import { MfaLifecycle } from './mfa/mfa-lifecycle';
import { MfaSettings } from './mfa/mfa-settings';
import { ImpersonationService } from './impersonation/impersonation.service';
import { RecoveryCodes } from './mfa/recovery-codes';
import { SignIn } from './mfa/sign-in';
import { TotpFactors } from './mfa/totp-factors';
import { MailTemplates } from './mail/templates';
import { PasskeyService } from './mfa/passkeys';
import { webauthnSettings } from './mfa/webauthn-config';
import {
  organizationEventsHandler,
  subscribeToOrganizationEvents,
} from './organizations/organization-events.consumer';
import { OrganizationSwitch } from './organizations/organization-switch';
import { ServiceTokenEntity } from './service-tokens/service-token.entity';
import { ServiceTokenService, reservedServiceNames } from './service-tokens/service-token.service';
import { RevocationStateService } from './revocations/revocation-state.service';
import { DataExportEntity } from './exports/data-export.entity';
import { DataExports } from './exports/data-exports.service';
import { EXPORT_DOWNLOAD_PATH, exportDownloadRoute } from './exports/download-route';
import { exportGatherer, exportLinkKey } from './exports/gather';
import type { AuthConfig } from './config';
import type { AuthContext } from './context';
import type { AuthServices } from './services';
import { PasswordHasher } from './passwords/password-hasher';
import { resolvers } from './resolvers';
import { RefreshTokenEntity, SessionEntity } from './sessions/session.entity';
import { refreshSuccessorKey } from './sessions/refresh-token';
import { SessionService } from './sessions/session.service';
import { UserEntity } from './users/user.entity';
import { UserService } from './users/user.service';
import { EmailTokenEntity } from './email/email-token.entity';
import { OAuthAccountEntity, OAuthStateEntity } from './oauth/oauth-account.entity';
import { createOAuthService } from './oauth/oauth.service';
import { migrations } from './migrations';

/** Revocations older than the longest access token concern no live token; they go this often. */
const PRUNE_INTERVAL_MS = 10 * 60 * 1000;

export interface AuthServiceOptions {
  port?: number;
  /** The gateway's internal GraphQL URL, when only known after start (single process, free ports). */
  internalGatewayUrl?: () => string;
  /** The gateway's public origin: mail links point there when APP_URL is unset outside production. */
  publicGatewayOrigin?: () => string;
  /** Auth's own service token, when the process minted it. */
  serviceToken?: string;
  /** Shared with the gateway in single-process mode (without Redis). */
  issuedTokens?: IssuedTokenStore;
  /** Live personal API keys, shared with the gateway in single-process mode. */
  apiKeys?: MemoryApiKeyStore;
  /**
   * The fast path auth writes revocations to after commit: the list shared with the gateway in
   * single-process mode, else Redis when REDIS_URL is set. The database stays the source of truth.
   */
  revocations?: RevocationList;
}

export type { AuthServices };

export type AuthService = SubgraphService<AuthContext, AuthServices>;

export function startAuthService(
  config: AuthConfig,
  deps: PlatformDeps,
  options: AuthServiceOptions = {},
): Promise<AuthService> {
  return startSubgraphService<AuthContext, AuthServices>({
    name: 'auth',
    deps,
    host: config.HOST,
    port: options.port ?? config.AUTH_PORT,
    schemaFile: resolve(__dirname, '../schema.graphql'),
    entities: [
      UserEntity,
      SessionEntity,
      RefreshTokenEntity,
      EmailTokenEntity,
      OAuthAccountEntity,
      OAuthStateEntity,
      ServiceTokenEntity,
      ApiKeyEntity,
      MfaFactorEntity,
      RecoveryCodeEntity,
      MfaChallengeEntity,
      WebAuthnChallengeEntity,
      ...SSO_ENTITIES,
      DataExportEntity,
      OutboxRow,
      InboxRow,
    ],
    migrations,
    resolvers,
    setup: async ({ dataSource, relay, logger }) => {
      const fastPaths = [
        options.revocations ?? new MemoryRevocationList(config.ACCESS_TOKEN_TTL),
        ...(deps.redis
          ? [new RedisRevocationList(deps.redis, config.ACCESS_TOKEN_TTL, deps.keyPrefix)]
          : []),
      ];
      const revocations = new RevocationFanOut(fastPaths);
      const hasher = new PasswordHasher(
        {
          memoryKib: config.ARGON2_MEMORY_KIB,
          timeCost: config.ARGON2_TIME_COST,
          parallelism: config.ARGON2_PARALLELISM,
          pepper: config.PASSWORD_PEPPER,
        },
        { maxQueued: config.ARGON2_MAX_QUEUE, maxConcurrent: config.ARGON2_MAX_CONCURRENT },
      );
      const memberships = new OrganizationMembershipClient(
        options.internalGatewayUrl ?? (() => config.GATEWAY_INTERNAL_URL),
        () => options.serviceToken ?? config.AUTH_SERVICE_TOKEN,
        'AUTH_SERVICE_TOKEN',
      );
      const sessions = new SessionService(
        dataSource,
        await AccessTokenSigner.create(config),
        refreshSuccessorKey(config),
        revocations,
        relay,
        {
          accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL,
          refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL,
          sessionMaxAgeSeconds: config.SESSION_MAX_AGE,
          reuseGraceSeconds: 10,
        },
        (organizationId, userId) => memberships.roleOf(organizationId, userId),
        logger,
      );
      const limits = new AuthLimits(
        createRateLimiter(deps.redis, deps.keyPrefix),
        createFailureLimiter(deps.redis, deps.keyPrefix),
        {
          perIpAttempts: config.RATE_LIMIT_AUTH_PER_IP,
          failuresPerEmail: 10,
          windowSeconds: 15 * 60,
        },
      );
      const apiKeys = new ApiKeyService(
        dataSource,
        options.apiKeys ?? new MemoryApiKeyStore(),
        revocations,
        memberships,
        relay,
        logger,
      );
      const flows = createAccountFlows({
        apiKeys,
        config,
        publicGatewayOrigin: options.publicGatewayOrigin,
        dataSource,
        relay,
        logger,
        hasher,
        sessions,
        limits,
      });
      const mfa = new MfaFactors(dataSource);
      const mfaKeys = new MfaKeys(mfaEncryptionKey(config));
      const mfaLifecycle = new MfaLifecycle(
        new RecoveryCodes(mfaKeys),
        flows.mailer,
        new MailTemplates(appBaseUrl(config, options.publicGatewayOrigin)),
      );
      const passkeys = new PasskeyService(
        dataSource,
        webauthnSettings(config, options.publicGatewayOrigin),
        mfaLifecycle,
        relay,
        logger,
      );
      const totp = new TotpFactors(dataSource, mfaKeys, mfaLifecycle, limits, config.TOTP_ISSUER);
      const signIn = new SignIn({
        dataSource,
        sessions,
        limits,
        hasher,
        relay,
        totp,
        lifecycle: mfaLifecycle,
        passkeys,
      });
      const mfaSettings = new MfaSettings(dataSource, mfaLifecycle, sessions, relay);
      const impersonation = new ImpersonationService(
        dataSource,
        sessions,
        relay,
        flows.mailer,
        new MailTemplates(appBaseUrl(config, options.publicGatewayOrigin)),
      );
      const accounts = new AccountService(
        dataSource,
        hasher,
        sessions,
        relay,
        limits,
        flows.emailVerification,
        signIn,
      );
      const users = new UserService(dataSource);
      const sso = createSsoServices({
        config,
        dataSource,
        relay,
        sessions,
        signIn,
        keys: mfaKeys,
        roleOf: (organizationId, userId) => memberships.roleOf(organizationId, userId),
        internalGatewayUrl: options.internalGatewayUrl ?? (() => config.GATEWAY_INTERNAL_URL),
        serviceToken: () => options.serviceToken ?? config.AUTH_SERVICE_TOKEN,
      });
      const oauth = createOAuthService({
        config,
        dataSource,
        relay,
        logger,
        sessions,
        limits,
        signIn,
        sso: sso.enforcement,
      });
      const ssoSealer = ssoSecretSealer(mfaKeys);
      const ssoProtocols = new SsoProtocols({
        dataSource,
        logger,
        publicOrigin: () =>
          config.SSO_PUBLIC_URL ?? options.publicGatewayOrigin?.() ?? 'http://127.0.0.1:4000',
        allowLoopbackHttp: config.NODE_ENV !== 'production',
        openSecret: (sealed, connectionId) => ssoSealer.open(sealed, connectionId).toString('utf8'),
      });
      const ssoAuthorization = new SsoAuthorization(
        sso.routing,
        ssoProtocols,
        limits,
        ssoRedirectUris(config),
      );
      const organizations = new OrganizationSwitch(dataSource, sessions, memberships, relay);
      const serviceTokens = new ServiceTokenService(
        dataSource,
        options.issuedTokens ?? new MemoryIssuedTokenStore(),
        revocations,
        relay,
        logger,
        reservedServiceNames(config.SERVICE_TOKENS),
      );
      const revocationState = new RevocationStateService(dataSource, config.ACCESS_TOKEN_TTL, (m) =>
        apiKeys.live(m),
      );
      const pruning = setInterval(() => {
        revocationState
          .prune()
          .catch((error: unknown) => logger.warn({ err: error }, 'pruning old revocations failed'));
        passkeys
          .prune()
          .catch((error: unknown) =>
            logger.warn({ err: error }, 'pruning webauthn challenges failed'),
          );
      }, PRUNE_INTERVAL_MS);
      pruning.unref();
      const handleOrganizationEvent = organizationEventsHandler({
        dataSource,
        revocations,
        relay,
        logger,
      });
      const organizationEvents = await subscribeToOrganizationEvents(
        deps.bus,
        handleOrganizationEvent,
      );
      const dataExports = new DataExports(
        dataSource,
        exportGatherer({
          url: options.internalGatewayUrl ?? (() => config.GATEWAY_INTERNAL_URL),
          serviceToken: () => options.serviceToken ?? config.AUTH_SERVICE_TOKEN,
        }),
        exportLinkKey(config),
        {
          perDay: config.DATA_EXPORTS_PER_DAY,
          publicOrigin: () =>
            config.SSO_PUBLIC_URL ?? options.publicGatewayOrigin?.() ?? 'http://127.0.0.1:4000',
        },
      );
      const services = {
        accounts,
        sessions,
        users,
        limits,
        hasher,
        oauth,
        organizations,
        serviceTokens,
        apiKeys,
        revocationState,
        mfa,
        mfaLifecycle,
        totp,
        signIn,
        mfaSettings,
        impersonation,
        passkeys,
        sso,
        ssoProtocols,
        ssoAuthorization,
        handleOrganizationEvent,
        dataExports,
        ...flows,
      };
      return {
        services,
        subscriptions: [organizationEvents],
        routes: {
          ...ssoRoutes({
            dataSource,
            protocols: ssoProtocols,
            logger,
            complete: (identity, request) => sso.signIn.completeSso(identity, request),
            failed: (connection, error) => sso.signIn.recordFailure(connection, error, null),
            redirectUris: ssoRedirectUris(config),
          }),
          [`GET ${EXPORT_DOWNLOAD_PATH}`]: exportDownloadRoute({
            exports: dataExports,
            claimsKey: deps.claimsKeys.keyFor('auth'),
            replayGuard: deps.replayGuard,
            logger,
          }),
        },
        extendContext: (base) => ({ ...base, ...services, config }),
        onStop: async () => {
          clearInterval(pruning);
          await flows.mailer.close();
        },
      };
    },
  });
}

/** MFA_ENCRYPTION_KEY, or outside production the development key kept under DATA_DIR. */
function mfaEncryptionKey(config: AuthConfig): string {
  if (config.MFA_ENCRYPTION_KEY) return config.MFA_ENCRYPTION_KEY;
  if (config.NODE_ENV === 'production')
    throw new Error('MFA_ENCRYPTION_KEY is required in production');
  return developmentSecret(config.DATA_DIR, 'MFA_ENCRYPTION_KEY');
}

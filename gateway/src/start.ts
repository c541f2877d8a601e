import {
  AccessTokenVerifier,
  type ClaimsChannel,
  type ClaimsKeys,
  MemoryApiKeyStore,
  MemoryIssuedTokenStore,
  MemoryRevocationList,
  once,
  publicJwks,
  SUBGRAPHS,
  wrapUpLeadMs,
  RedisRevocationList,
  ServiceTokenRegistry,
  listen,
  type EventBus,
  type Listening,
  type Logger,
  type TlsFiles,
  subgraphUrlsFrom,
  type RunningService,
  type ServiceTokenEntry,
  DevelopmentInbox,
  developmentInboxDir,
} from '@bastion/platform';
import type { ApolloServer } from '@apollo/server';
import type { Redis } from 'ioredis';
import { Authenticator } from './authenticate';
import { ApiKeyUse, reportApiKeyUse } from './api-key-use';
import { parseTrustedProxies } from './client-address';
import type { GatewayConfig } from './config';
import { SUPERGRAPH_FILES, createGatewayServer, readSupergraph } from './gateway';
import { createGatewayApp } from './app';
import { corsOrigins } from './cors';
import { GatewayMetrics } from './metrics';
import { subscribeToAuthFeeds } from './auth-feeds';
import { RevocationCache } from './revocation-cache';
import { fetchRevocationState } from './revocation-state-client';
import { keepRevocationsFresh } from './revocation-sync';
import { createUndiciFetcher, type GatewayContext } from './subgraph-client';
import type { InProcessSubgraph } from './in-process-source';
import { operationLimitsFrom, type OperationLimits } from './request-limits';
import { buildCostSchema } from './cost-schema';
import { CostBudget } from './cost-budget';
import { PersistedQueryCache } from './persisted-queries';
import { TrustedDocuments } from './trusted-documents';
import type { ExplorerMode } from './explorer/routes';
import { streamCost } from './ai-stream';

export interface GatewayDeps {
  logger: Logger;
  bus: EventBus;
  redis?: Redis;
  /** Every subgraph's forwarded-claims key (derived from INTERNAL_CLAIMS_SECRET). */
  claimsKeys: ClaimsKeys;
  keyPrefix: string;
  /** Service tokens minted by this process (single-process mode), accepted besides SERVICE_TOKENS. */
  extraServiceTokens?: ServiceTokenEntry[];
  /**
   * Subgraphs running in this process and the claims channel's mint (the all-in-one): called
   * without HTTP unless SUBGRAPH_TRANSPORT=http.
   */
  inProcess?: { subgraphs: Record<string, InProcessSubgraph>; mint: ClaimsChannel['mint'] };
  /** Overrides of the subgraph URLs in config (tests use ephemeral ports). */
  subgraphUrls?: Record<string, string>;
  /** Supergraph SDL overrides (tests compose on the fly). */
  supergraphs?: { public: string; internal: string };
  /** This replica's copy of auth's revocations; single-process mode shares it with auth. */
  revocations?: MemoryRevocationList;
  issuedTokens?: MemoryIssuedTokenStore;
  /** Live personal API keys; single-process mode shares them with auth. */
  apiKeys?: MemoryApiKeyStore;
}

/** How long the internal listener must have been quiet before a stopping gateway closes it. */
const INTERNAL_QUIET_MS = 1_000;

/** The safety net behind the bus: the cache is rebuilt from auth this often. */
const REVOCATION_RELOAD_MS = 60_000;

export interface RunningGateway extends RunningService {
  internalUrl: string;
  internalPort: number;
  /**
   * The first step of a stop: the public listener stops accepting and finishes what is in flight
   * (streams are asked to end before the deadline); from now on the internal listener serves only
   * the platform's own services, which may still be finishing work the public requests started.
   */
  closePublic(): Promise<void>;
  /** The internal listener's requests in flight (response and handler). */
  readonly internalInFlight: number;
  /** Resolves once the internal listener is idle and got no request for `quietMs`, or after `timeoutMs`. */
  internalIdle(timeoutMs: number, quietMs?: number): Promise<void>;
  /** The last step: the internal listener stops accepting and finishes what is in flight. */
  closeInternal(): Promise<void>;
  revocations: RevocationCache;
  /** The explorer actually served on GET /graphql (always 'off' in production). */
  explorer: ExplorerMode;
}

/**
 * Starts both gateway listeners: public (public supergraph) and internal (the whole supergraph).
 * Each step below is one function: settings, keys, revocation feeds, the gateway proper (both
 * Apollo servers and what they enforce), the listeners, and the shutdown that undoes them.
 */
export async function startGateway(
  config: GatewayConfig,
  deps: GatewayDeps,
): Promise<RunningGateway> {
  const settings = loadSettings(config, deps);
  const keys = await loadKeys(config, deps, settings.logger);
  const feeds = await startRevocationFeeds(config, deps, settings);
  const keyUse = new ApiKeyUse(
    (keyIds) => reportApiKeyUse(settings.subgraphUrls.auth, deps.claimsKeys.keyFor('auth'), keyIds),
    settings.logger,
  );
  const authenticator = new Authenticator(
    keys.verifier,
    keys.serviceTokens,
    feeds.revocations,
    (keyId) => keyUse.note(keyId),
  );
  const gateway = await buildGateway(config, deps, settings);
  const listeners = await openListeners(config, deps, settings, {
    authenticator,
    jwks: keys.jwks,
    revocations: feeds.revocations,
    gateway,
  });
  const shutdown = shutdownSteps(settings, listeners, feeds, gateway);
  return {
    name: 'gateway',
    url: `${listeners.public.url}/graphql`,
    port: listeners.public.port,
    internalUrl: `${listeners.internal.url}/graphql`,
    internalPort: listeners.internal.port,
    revocations: feeds.revocations,
    explorer: settings.explorer,
    closePublic: shutdown.closePublic,
    get internalInFlight() {
      return listeners.internal.inFlight;
    },
    internalIdle: (ms, quietMs) => listeners.internal.whenIdle(ms, quietMs),
    closeInternal: shutdown.closeInternal,
    closeListeners: shutdown.closeListeners,
    stop: shutdown.stop,
  };
}

/** What every step reads from the configuration, worked out once. */
interface GatewaySettings {
  logger: Logger;
  subgraphUrls: Record<string, string>;
  isProduction: boolean;
  explorer: ExplorerMode;
  tls: TlsFiles | undefined;
  shutdownTimeoutMs: number;
}

function loadSettings(config: GatewayConfig, deps: GatewayDeps): GatewaySettings {
  const isProduction = config.NODE_ENV === 'production';
  return {
    logger: deps.logger.child({ service: 'gateway' }),
    subgraphUrls: { ...subgraphUrlsFrom(config), ...deps.subgraphUrls },
    isProduction,
    // A production gateway serves no explorer and no landing page, whatever EXPLORER says.
    explorer: isProduction ? 'off' : config.EXPLORER,
    tls:
      config.TLS_CERT_FILE && config.TLS_KEY_FILE
        ? { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE }
        : undefined,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT * 1000,
  };
}

/** The credentials the gateway accepts: service tokens, access token keys, and the JWKS it publishes. */
interface GatewayKeys {
  serviceTokens: ServiceTokenRegistry;
  verifier: AccessTokenVerifier;
  jwks: Awaited<ReturnType<typeof publicJwks>>;
}

async function loadKeys(
  config: GatewayConfig,
  deps: GatewayDeps,
  logger: Logger,
): Promise<GatewayKeys> {
  const serviceTokens = new ServiceTokenRegistry([
    ...(config.SERVICE_TOKENS ?? []),
    ...(deps.extraServiceTokens ?? []),
  ]);
  if (serviceTokens.size === 0)
    logger.warn(
      'no SERVICE_TOKENS configured: internal callers cannot authenticate until a token is issued',
    );
  return {
    serviceTokens,
    verifier: await AccessTokenVerifier.create(config),
    jwks: await publicJwks(config),
  };
}

/** This replica's copy of auth's revocations, kept fresh by the bus and by periodic reloads. */
interface RevocationFeeds {
  revocations: RevocationCache;
  stop(): Promise<void>;
}

async function startRevocationFeeds(
  config: GatewayConfig,
  deps: GatewayDeps,
  { logger, subgraphUrls }: GatewaySettings,
): Promise<RevocationFeeds> {
  const memory = deps.revocations ?? new MemoryRevocationList(config.ACCESS_TOKEN_TTL);
  const issued = deps.issuedTokens ?? new MemoryIssuedTokenStore();
  const apiKeys = deps.apiKeys ?? new MemoryApiKeyStore();
  const revocations = new RevocationCache({
    memory,
    issued,
    apiKeys,
    logger,
    fastPath: deps.redis
      ? new RedisRevocationList(deps.redis, config.ACCESS_TOKEN_TTL, deps.keyPrefix)
      : undefined,
    load: () => fetchRevocationState(subgraphUrls.auth, deps.claimsKeys.keyFor('auth')),
  });
  const sync = keepRevocationsFresh(revocations, {
    intervalMs: REVOCATION_RELOAD_MS,
    retryMs: 500,
    logger,
  });
  // Subscribed before the first load, so nothing committed meanwhile slips between the two.
  const feed = await subscribeToAuthFeeds(deps.bus, {
    memory,
    issued,
    apiKeys,
    onGap: sync.reloadSoon,
  });
  // A Redis that comes back may have come back empty: nothing depends on it, but reload anyway.
  const onRedisReady = () => sync.reloadSoon();
  deps.redis?.on('ready', onRedisReady);
  await sync.start();
  return {
    revocations,
    stop: async () => {
      sync.stop();
      deps.redis?.off('ready', onRedisReady);
      await feed.stop();
    },
  };
}

/** What each listener serves and enforces: its Apollo server, limits, APQ store; one budget for both. */
interface GatewayCore {
  apollo: PerListener<ApolloServer<GatewayContext>>;
  limits: PerListener<OperationLimits>;
  persistedQueries: PerListener<PersistedQueryCache>;
  budget: CostBudget;
  trustedDocuments: TrustedDocuments | undefined;
  metrics: GatewayMetrics;
  stop(): Promise<void>;
}

interface PerListener<T> {
  public: T;
  internal: T;
}

async function buildGateway(
  config: GatewayConfig,
  deps: GatewayDeps,
  { logger, subgraphUrls, isProduction, explorer }: GatewaySettings,
): Promise<GatewayCore> {
  const client = createUndiciFetcher();
  const metrics = new GatewayMetrics(deps.redis);
  const sdl = deps.supergraphs ?? {
    public: readSupergraph(SUPERGRAPH_FILES.public),
    internal: readSupergraph(SUPERGRAPH_FILES.internal),
  };
  // Each listener estimates cost from its own supergraph's @cost/@listSize, read once here.
  const limits = {
    public: operationLimitsFrom(config, buildCostSchema(sdl.public)),
    internal: operationLimitsFrom(config, buildCostSchema(sdl.internal)),
  };
  const budget = new CostBudget({
    pointsPerMinute: config.COST_BUDGET_PER_MINUTE,
    servicePointsPerMinute: config.SERVICE_COST_BUDGET_PER_MINUTE,
    redis: deps.redis,
    keyPrefix: deps.keyPrefix,
  });
  const trustedDocuments = config.TRUSTED_DOCUMENTS
    ? TrustedDocuments.fromFile(config.TRUSTED_DOCUMENTS)
    : undefined;
  if (trustedDocuments)
    logger.info(
      { documents: trustedDocuments.size },
      'public listener runs trusted documents only',
    );
  const persistedQueries = {
    public: new PersistedQueryCache(),
    internal: new PersistedQueryCache(),
  };
  const apolloCommon = {
    subgraphUrls,
    claimsKeys: deps.claimsKeys,
    inProcess: config.SUBGRAPH_TRANSPORT === 'in-process' ? deps.inProcess : undefined,
    fetcher: client.fetcher,
    logger,
    sandbox: explorer === 'sandbox',
    maxTokens: limits.public.maxTokens,
    allowBatches: limits.public.maxBatchOperations > 0,
  };
  const [publicApollo, internalApollo] = await Promise.all([
    // In production the public schema is not published: no introspection (unless asked for), no suggestions.
    createGatewayServer({
      ...apolloCommon,
      supergraphSdl: sdl.public,
      introspection: !isProduction || config.INTROSPECTION,
      hideSchemaDetails: isProduction,
      persistedQueries: persistedQueries.public,
      warmDocuments: trustedDocuments?.texts(),
    }),
    createGatewayServer({
      ...apolloCommon,
      supergraphSdl: sdl.internal,
      introspection: true,
      hideSchemaDetails: false,
      persistedQueries: persistedQueries.internal,
    }),
  ]);
  return {
    apollo: { public: publicApollo, internal: internalApollo },
    limits,
    persistedQueries,
    budget,
    trustedDocuments,
    metrics,
    stop: async () => {
      await Promise.all([publicApollo.stop(), internalApollo.stop()]);
      await client.close();
    },
  };
}

/** Readiness by dependency (database, bus, redis), and by subgraph only when one does not answer. */
function readinessCheck(
  deps: GatewayDeps,
  subgraphUrls: Record<string, string>,
  revocations: RevocationCache,
): () => Promise<Record<string, boolean>> {
  return async () => {
    const checks: Record<string, boolean> = { bus: deps.bus.health().connected };
    const merge = (name: string, ok: boolean) => {
      checks[name] = (checks[name] ?? true) && ok;
    };
    await Promise.all(
      Object.entries(subgraphUrls).map(async ([name, url]) => {
        try {
          const response = await fetch(new URL('/ready', url), {
            signal: AbortSignal.timeout(2000),
          });
          const body = (await response.json()) as { checks?: Record<string, boolean> };
          if (!body.checks || Object.keys(body.checks).length === 0) merge(name, response.ok);
          else for (const [check, ok] of Object.entries(body.checks)) merge(check, ok === true);
        } catch {
          merge(name, false);
        }
      }),
    );
    if (deps.redis)
      checks.redis = await deps.redis.ping().then(
        () => true,
        () => false,
      );
    checks.revocations = revocations.isLoaded;
    return checks;
  };
}

/** Both listeners, and the switch that makes the internal one admit only the platform's services. */
interface GatewayListeners extends PerListener<Listening> {
  beginStopping(): void;
}

async function openListeners(
  config: GatewayConfig,
  deps: GatewayDeps,
  { logger, subgraphUrls, isProduction, explorer, tls }: GatewaySettings,
  parts: {
    authenticator: Authenticator;
    jwks: GatewayKeys['jwks'];
    revocations: RevocationCache;
    gateway: GatewayCore;
  },
): Promise<GatewayListeners> {
  const { gateway } = parts;
  // Every Redis feature falls back per process (docs/operations.md "What happens when a part fails").
  const degradable = new Set(['redis']);
  if (isProduction && config.CORS_ORIGINS === undefined)
    logger.warn('CORS_ORIGINS is unset: no browser origin may call the public listener');
  const common = {
    corsOrigins: corsOrigins(config),
    authenticator: parts.authenticator,
    trustedProxies: parseTrustedProxies(config.TRUST_PROXY),
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    budget: gateway.budget,
    logger,
    metrics: gateway.metrics,
    readiness: readinessCheck(deps, subgraphUrls, parts.revocations),
    degradable,
    jwks: () => parts.jwks,
    explorer,
    landingPage: !isProduction,
  };
  // Development mail is kept under DATA_DIR by the services that send it (docs/operations.md "The development inbox").
  const developmentInbox =
    !isProduction && !config.SMTP_URL
      ? new DevelopmentInbox(developmentInboxDir(config.DATA_DIR))
      : undefined;
  const publicListener = await listen(
    createGatewayApp({
      ...common,
      listener: 'public',
      apollo: gateway.apollo.public,
      limits: gateway.limits.public,
      persistedQueries: gateway.persistedQueries.public,
      trustedDocuments: gateway.trustedDocuments,
      developmentInbox,
      stripeWebhookUrl: new URL('/webhooks/stripe', subgraphUrls.credits).toString(),
      ssoTarget: new URL(subgraphUrls.auth).origin,
      exportDownload: {
        target: new URL('/data-exports/download', subgraphUrls.auth).toString(),
        claimsKey: deps.claimsKeys.keyFor('auth'),
      },
      aiStream: {
        target: new URL('/ai/stream', subgraphUrls.ai).toString(),
        claimsKey: deps.claimsKeys.keyFor('ai'),
        cost: streamCost(gateway.limits.public),
        shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT * 1000,
      },
    }),
    { host: config.HOST, port: config.PORT, tls },
  );
  // While the gateway stops, the internal listener stays open for the subgraphs finishing work
  // (ai settling a generation with credits) and for nobody else.
  let stopping = false;
  const ownServices = new Set(SUBGRAPHS.filter((s) => s.serviceToken).map((s) => s.name));
  // The internal listener serves the platform's own services: trusted documents do not restrict it.
  const internalApp = createGatewayApp({
    ...common,
    listener: 'internal',
    admits: (viewer) => !stopping || (viewer.kind === 'service' && ownServices.has(viewer.name)),
    apollo: gateway.apollo.internal,
    limits: gateway.limits.internal,
    persistedQueries: gateway.persistedQueries.internal,
  });
  const internalListener = await listen(internalApp, {
    host: config.INTERNAL_HOST,
    port: config.INTERNAL_PORT,
    tls,
  });
  logger.info({ public: publicListener.url, internal: internalListener.url }, 'gateway listening');
  return {
    public: publicListener,
    internal: internalListener,
    beginStopping: () => {
      stopping = true;
    },
  };
}

/** Undoing the steps in reverse: listeners (outside in), then revocation feeds, then the gateway proper. */
function shutdownSteps(
  { shutdownTimeoutMs: timeoutMs }: GatewaySettings,
  listeners: GatewayListeners,
  feeds: RevocationFeeds,
  gateway: GatewayCore,
): Pick<RunningGateway, 'closePublic' | 'closeInternal' | 'stop'> & {
  closeListeners(): Promise<void>;
} {
  const closePublic = once(async () => {
    listeners.beginStopping();
    await listeners.public.close(timeoutMs);
  });
  let internalClosing = false;
  const closeInternal = once(() => {
    internalClosing = true;
    return listeners.internal.close(timeoutMs);
  });
  // Outside in: public requests finish while the internal listener still serves the subgraphs
  // that work for them (a generation settles its credits after its client's stream ended), then
  // the internal listener, once nothing arrived on it for a moment (bounded), stops too.
  const closeListeners = once(async () => {
    await closePublic();
    if (!internalClosing)
      await listeners.internal.whenIdle(wrapUpLeadMs(timeoutMs) + 1_000, INTERNAL_QUIET_MS);
    await closeInternal();
  });
  return {
    closePublic,
    closeInternal,
    closeListeners,
    stop: once(async () => {
      await closeListeners();
      await feeds.stop();
      await gateway.stop();
    }),
  };
}

import {
  AccessTokenVerifier, MemoryRevocationList, createIssuedTokenStore, once, publicJwks, type IssuedTokenStore, RedisRevocationList, ServiceTokenRegistry, listen, type EventBus,
  type Logger, type RevocationList, type RunningService, type ServiceTokenEntry,
} from '@bastion/platform';
import type { KeyObject } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Authenticator } from './authenticate';
import { parseTrustedProxies } from './client-address';
import type { GatewayConfig } from './config';
import { SUPERGRAPH_FILES, createGatewayServer, readSupergraph } from './gateway';
import { createGatewayApp } from './app';
import { parseOrigins } from './cors';
import { GatewayMetrics } from './metrics';
import { subscribeToIssuedTokens, subscribeToRevocations } from './auth-feeds';
import { createUndiciFetcher } from './subgraph-client';

export interface GatewayDeps {
  logger: Logger;
  bus: EventBus;
  redis?: Redis;
  claimsKey: KeyObject;
  keyPrefix: string;
  /** Service tokens minted by this process (single-process mode), accepted besides SERVICE_TOKENS. */
  extraServiceTokens?: ServiceTokenEntry[];
  /** Overrides of the subgraph URLs in config (tests use ephemeral ports). */
  subgraphUrls?: Partial<Record<'auth' | 'orgs' | 'credits' | 'ai', string>>;
  /** Supergraph SDL overrides (tests compose on the fly). */
  supergraphs?: { public: string; internal: string };
  revocations?: RevocationList;
  issuedTokens?: IssuedTokenStore;
}

export interface RunningGateway extends RunningService {
  internalUrl: string;
  internalPort: number;
  revocations: RevocationList;
}

/** Starts both gateway listeners: public (public supergraph) and internal (the whole supergraph). */
export async function startGateway(config: GatewayConfig, deps: GatewayDeps): Promise<RunningGateway> {
  const logger = deps.logger.child({ service: 'gateway' });
  const subgraphUrls = {
    auth: config.AUTH_URL, orgs: config.ORGS_URL, credits: config.CREDITS_URL, ai: config.AI_URL, ...deps.subgraphUrls,
  };
  const serviceTokens = new ServiceTokenRegistry([...(config.SERVICE_TOKENS ?? []), ...(deps.extraServiceTokens ?? [])]);
  const revocations =
    deps.revocations ??
    (deps.redis
      ? new RedisRevocationList(deps.redis, config.ACCESS_TOKEN_TTL, deps.keyPrefix)
      : new MemoryRevocationList(config.ACCESS_TOKEN_TTL));
  const issuedTokens = deps.issuedTokens ?? createIssuedTokenStore(deps.redis, deps.keyPrefix);
  const feeds = [await subscribeToRevocations(deps.bus, revocations), await subscribeToIssuedTokens(deps.bus, issuedTokens)];
  const authenticator = new Authenticator(new AccessTokenVerifier(config), serviceTokens, revocations, issuedTokens);
  if (serviceTokens.size === 0) logger.warn('no SERVICE_TOKENS configured: internal callers cannot authenticate until a token is issued');
  const client = createUndiciFetcher();
  const metrics = new GatewayMetrics();
  const sdl = deps.supergraphs ?? { public: readSupergraph(SUPERGRAPH_FILES.public), internal: readSupergraph(SUPERGRAPH_FILES.internal) };
  const jwks = publicJwks(config);
  const landingPage = config.NODE_ENV !== 'production' && config.SANDBOX;
  const [publicApollo, internalApollo] = await Promise.all([
    createGatewayServer({ supergraphSdl: sdl.public, subgraphUrls, claimsKey: deps.claimsKey, fetcher: client.fetcher, logger, landingPage }),
    createGatewayServer({ supergraphSdl: sdl.internal, subgraphUrls, claimsKey: deps.claimsKey, fetcher: client.fetcher, logger, landingPage }),
  ]);

  const readiness = async () => {
    const checks: Record<string, boolean> = {};
    await Promise.all(
      Object.entries(subgraphUrls).map(async ([name, url]) => {
        try {
          const response = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(2000) });
          checks[name] = response.ok;
        } catch {
          checks[name] = false;
        }
      }),
    );
    if (deps.redis) checks.redis = await deps.redis.ping().then(() => true, () => false);
    return checks;
  };
  const common = { corsOrigins: parseOrigins(config.CORS_ORIGINS), authenticator, trustedProxies: parseTrustedProxies(config.TRUST_PROXY), bodyLimitBytes: config.BODY_LIMIT_BYTES, logger, metrics, readiness, jwks: () => jwks };
  const tls = config.TLS_CERT_FILE && config.TLS_KEY_FILE ? { certFile: config.TLS_CERT_FILE, keyFile: config.TLS_KEY_FILE } : undefined;
  const publicListener = await listen(
    createGatewayApp({ ...common, listener: 'public', apollo: publicApollo, stripeWebhookUrl: new URL('/webhooks/stripe', subgraphUrls.credits).toString() }),
    { host: config.HOST, port: config.PORT, tls },
  );
  const internalListener = await listen(createGatewayApp({ ...common, listener: 'internal', apollo: internalApollo }), {
    host: config.INTERNAL_HOST, port: config.INTERNAL_PORT, tls,
  });
  logger.info({ public: publicListener.url, internal: internalListener.url }, 'gateway listening');
  // Requests in flight finish (bounded) before the subgraphs they call are stopped.
  const closeListeners = once(async () => {
    await Promise.all([publicListener.close(config.SHUTDOWN_TIMEOUT * 1000), internalListener.close(config.SHUTDOWN_TIMEOUT * 1000)]);
  });
  return {
    name: 'gateway',
    url: `${publicListener.url}/graphql`,
    port: publicListener.port,
    internalUrl: `${internalListener.url}/graphql`,
    internalPort: internalListener.port,
    revocations,
    closeListeners,
    stop: once(async () => {
      await closeListeners();
      for (const feed of feeds) await feed.stop();
      await Promise.all([publicApollo.stop(), internalApollo.stop()]);
      await client.close();
    }),
  };
}

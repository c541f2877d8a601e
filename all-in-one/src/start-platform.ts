import {
  ConfigError,
  EVERY_TIME,
  MemoryApiKeyStore,
  MemoryIssuedTokenStore,
  deploymentProblems,
  MemoryRevocationList,
  SCOPES,
  SUBGRAPHS,
  claimsMasterConfig,
  claimsMasterProblems,
  commonConfig,
  createClaimsChannel,
  createPlatformDeps,
  generateServiceToken,
  loadConfig,
  serviceTokenEntry,
  type CommonConfig,
  type Env,
  type Logger,
  type PlatformDeps,
  type RunningService,
  type ServiceTokenEntry,
  type SubgraphDefinition,
  wrapUpLeadMs,
} from '@bastion/platform';
import { gatewayConfigSchema, startGateway, type RunningGateway } from '@bastion/gateway';
import type { AuthService } from '@bastion/auth';
import type { OrgsService } from '@bastion/orgs';
import type { CreditsService } from '@bastion/credits';
import type { AiService } from '@bastion/ai';
import { z } from 'zod';

/** Every registered subgraph's definition, from the package its registry entry names, in registry order. */
export async function loadSubgraphDefinitions(): Promise<Map<string, SubgraphDefinition>> {
  const definitions = new Map<string, SubgraphDefinition>();
  for (const entry of SUBGRAPHS) {
    const module = (await import(entry.package)) as { subgraph?: SubgraphDefinition };
    if (module.subgraph?.name !== entry.name)
      throw new Error(
        `${entry.package} must export \`subgraph\` named "${entry.name}" (docs/development.md "Adding a subgraph")`,
      );
    definitions.set(entry.name, module.subgraph);
  }
  return definitions;
}

export interface PlatformOptions {
  /** Listen on free ports instead of the configured ones (tests). */
  ephemeralPorts?: boolean;
  schemaSuffix?: string;
  natsStream?: string;
  keyPrefix?: string;
  supergraphs?: { public: string; internal: string };
  /** The logger every service writes to (tests capture it); otherwise one on stdout at LOG_LEVEL. */
  logger?: Logger;
}

export interface RunningPlatform {
  deps: PlatformDeps;
  gateway: RunningGateway;
  /** Every subgraph by its registry name. */
  subgraphs: Record<string, RunningService>;
  // The four first subgraphs, typed for the tests (a new one is under `subgraphs`).
  auth: AuthService;
  orgs: OrgsService;
  credits: CreditsService;
  ai: AiService;
  /** The development token with every scope, when SERVICE_TOKENS was unset outside production. */
  devServiceToken?: string;
  /** Tokens this process minted for its own services (each registry `serviceToken` unset in env), by subgraph. */
  serviceTokens: Record<string, string>;
  stop(): Promise<void>;
}

/** Parses every service's configuration and reports all problems of all of them at once. */
export function loadAllConfigs(env: Env, definitions: ReadonlyMap<string, SubgraphDefinition>) {
  const commonSchema = z
    .object({
      ...commonConfig,
      ...claimsMasterConfig,
      /** Where services call the gateway's internal listener until it has started (it starts last). */
      GATEWAY_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4010/graphql'),
    })
    .superRefine(claimsMasterProblems, EVERY_TIME)
    .superRefine(deploymentProblems({ database: true }), EVERY_TIME); // one process mints its own service tokens, so production asks it for none
  const problems = new Set<string>();
  const parse = <T>(schema: z.ZodType<T>): T | undefined => {
    try {
      return loadConfig(schema, env) as T;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      error.problems.forEach((p) => problems.add(p));
      return undefined;
    }
  };
  const common = parse(commonSchema);
  const gateway = parse(gatewayConfigSchema);
  const subgraphs: Record<string, Readonly<CommonConfig>> = {};
  for (const [name, definition] of definitions) {
    const config = parse(definition.configSchema);
    if (config) subgraphs[name] = config;
  }
  if (problems.size > 0 || !common || !gateway) throw new ConfigError([...problems]);
  return { common, gateway, subgraphs };
}

/**
 * The whole platform in one process: every subgraph of the registry and the gateway on one database (each
 * service in its own schema) and one bus. Services that call each other through the gateway get
 * tokens minted here when none is configured.
 */
export async function startPlatform(
  env: Env,
  options: PlatformOptions = {},
): Promise<RunningPlatform> {
  const definitions = await loadSubgraphDefinitions();
  const configs = loadAllConfigs(env, definitions);
  const deps = await createPlatformDeps(configs.common, {
    name: 'bastion',
    logger: options.logger,
    schemaSuffix: options.schemaSuffix,
    natsStream: options.natsStream,
    keyPrefix: options.keyPrefix,
  });
  const port = (configured: number) => (options.ephemeralPorts ? 0 : configured);
  const started: RunningService[] = [];
  try {
    const extraServiceTokens: ServiceTokenEntry[] = [];
    const serviceTokens: Record<string, string> = {};
    for (const entry of SUBGRAPHS) {
      if (!entry.serviceToken) continue;
      const configured = env[entry.serviceToken.var];
      serviceTokens[entry.name] = configured ?? generateServiceToken();
      if (!configured)
        extraServiceTokens.push(
          serviceTokenEntry(entry.name, [...entry.serviceToken.scopes], serviceTokens[entry.name]),
        );
    }
    let devServiceToken: string | undefined;
    if (!configs.gateway.SERVICE_TOKENS && configs.common.NODE_ENV !== 'production') {
      devServiceToken = generateServiceToken();
      extraServiceTokens.push(serviceTokenEntry('development', [...SCOPES], devServiceToken));
    }
    // Auth and the gateway share one in-memory copy, so a revocation or an issued token applies
    // at once; the gateway still loads it from auth's tables at start (it is only a cache).
    const revocations = new MemoryRevocationList(configs.gateway.ACCESS_TOKEN_TTL);
    const issuedTokens = new MemoryIssuedTokenStore();
    const apiKeys = new MemoryApiKeyStore();
    // Subgraphs reach each other through the gateway's internal listener, which starts last.
    let internalGatewayUrl = configs.common.GATEWAY_INTERNAL_URL;
    // The gateway's public origin for mail links (APP_URL unset): known once it started, like the above.
    let gatewayOrigin = `http://127.0.0.1:${configs.gateway.PORT}`;
    // The gateway calls the subgraphs of this process without HTTP (SUBGRAPH_TRANSPORT): claims
    // cross as objects of one channel, whose mint only the gateway holds and accept only the subgraphs.
    const channel = createClaimsChannel();
    const subgraphs: Record<string, RunningService> = {};
    for (const entry of SUBGRAPHS) {
      const config = configs.subgraphs[entry.name] as Readonly<CommonConfig> &
        Record<string, unknown>;
      // Each subgraph holds its own claims key only, as it would in a process of its own.
      const own = {
        ...deps,
        claimsKeys: deps.claimsKeys.only(entry.name),
        acceptInProcessClaims: channel.accept,
      };
      const service = await definitions.get(entry.name)!.start(config, own, {
        port: port(Number(config[entry.portVar])),
        internalGatewayUrl: () => internalGatewayUrl,
        publicGatewayOrigin: () => gatewayOrigin,
        serviceToken: serviceTokens[entry.name],
        revocations,
        issuedTokens,
        apiKeys,
      });
      started.push(service);
      subgraphs[entry.name] = service;
    }
    const gatewayConfig = {
      ...configs.gateway,
      PORT: port(configs.gateway.PORT),
      INTERNAL_PORT: port(configs.gateway.INTERNAL_PORT),
    };
    const gateway = await startGateway(gatewayConfig, {
      ...deps,
      extraServiceTokens,
      revocations,
      issuedTokens,
      apiKeys,
      supergraphs: options.supergraphs,
      inProcess: {
        mint: channel.mint,
        subgraphs: Object.fromEntries(
          Object.entries(subgraphs).flatMap(([name, service]) =>
            service.inProcess ? [[name, service.inProcess]] : [],
          ),
        ),
      },
      subgraphUrls: Object.fromEntries(
        Object.entries(subgraphs).map(([name, service]) => [name, service.url]),
      ),
    });
    internalGatewayUrl = gateway.internalUrl;
    gatewayOrigin = new URL(gateway.url).origin;
    const typed = subgraphs as unknown as Pick<RunningPlatform, 'auth' | 'orgs' | 'credits' | 'ai'>;
    return {
      deps,
      gateway,
      subgraphs,
      auth: typed.auth,
      orgs: typed.orgs,
      credits: typed.credits,
      ai: typed.ai,
      devServiceToken,
      serviceTokens,
      // Outside in. The public listener stops accepting and finishes its requests while every
      // subgraph and the internal listener keep serving them; shortly before the deadline every
      // listener asks its streams to end with an event. Then, once the subgraphs' own work is
      // over (a generation settles its credits through the internal listener after its stream
      // ended), their listeners and the internal one close, the last events are published, and
      // connections close.
      async stop() {
        const services = Object.values(subgraphs);
        const timeoutMs = deps.shutdownTimeoutMs;
        const lead = wrapUpLeadMs(timeoutMs);
        const wrapUp = setTimeout(
          () => services.forEach((service) => service.wrapUp?.()),
          timeoutMs - lead,
        );
        await gateway.closePublic();
        clearTimeout(wrapUp);
        await settled(services, gateway, lead + 1_000);
        await Promise.all([
          ...services.map((service) => service.closeListeners?.()),
          gateway.closeInternal(),
        ]);
        await gateway.stop();
        for (const service of services) await service.drainOutbox?.();
        for (const service of services.reverse()) await service.stop();
        await deps.close();
      },
    };
  } catch (error) {
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
    await deps.close();
    throw error;
  }
}

/**
 * Resolves once no subgraph and not the gateway's internal listener has a request in flight at the
 * same moment, nothing having arrived on the internal listener for a moment (work in one may call
 * another), or after `timeoutMs`.
 */
async function settled(
  services: RunningService[],
  gateway: RunningGateway,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const left = deadline - Date.now();
    await Promise.all(services.map((service) => service.whenIdle?.(left)));
    await gateway.internalIdle(Math.max(0, deadline - Date.now()), 100);
    if (gateway.internalInFlight === 0 && services.every((service) => !service.inFlight)) return;
  }
}

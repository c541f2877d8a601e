import {
  ConfigError, EVERY_TIME, MemoryIssuedTokenStore, deploymentProblems, MemoryRevocationList, SCOPES, commonConfig, createPlatformDeps, generateServiceToken, loadConfig,
  serviceTokenEntry, type Env, type Logger, type PlatformDeps, type ServiceTokenEntry,
} from '@bastion/platform';
import { gatewayConfigSchema, startGateway, type RunningGateway } from '@bastion/gateway';
import { authConfigSchema, startAuthService, type AuthService } from '@bastion/auth';
import { orgsConfigSchema, startOrgsService, type OrgsService } from '@bastion/orgs';
import { creditsConfigSchema, startCreditsService, type CreditsService } from '@bastion/credits';
import { aiConfigSchema, startAiService, type AiService } from '@bastion/ai';
import { z } from 'zod';

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
  auth: AuthService;
  orgs: OrgsService;
  credits: CreditsService;
  ai: AiService;
  /** The development token with every scope, when SERVICE_TOKENS was unset outside production. */
  devServiceToken?: string;
  /** Tokens this process minted for its own services (AUTH_, ORGS_, AI_SERVICE_TOKEN when unset). */
  serviceTokens: { auth: string; orgs: string; ai: string };
  stop(): Promise<void>;
}

/** Parses every service's configuration and reports all problems of all of them at once. */
export function loadAllConfigs(env: Env) {
  const schemas = {
    // One process mints its own service tokens, so production asks it for none.
    common: z.object(commonConfig).superRefine(deploymentProblems({ database: true }), EVERY_TIME), gateway: gatewayConfigSchema, auth: authConfigSchema,
    orgs: orgsConfigSchema, credits: creditsConfigSchema, ai: aiConfigSchema,
  };
  const problems = new Set<string>();
  const configs: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    try {
      configs[name] = loadConfig(schema as z.ZodType, env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      error.problems.forEach((p) => problems.add(p));
    }
  }
  if (problems.size > 0) throw new ConfigError([...problems]);
  return configs as {
    common: z.infer<typeof schemas.common>; gateway: z.infer<typeof gatewayConfigSchema>; auth: z.infer<typeof authConfigSchema>;
    orgs: z.infer<typeof orgsConfigSchema>; credits: z.infer<typeof creditsConfigSchema>; ai: z.infer<typeof aiConfigSchema>;
  };
}

/**
 * The whole platform in one process: four subgraphs and the gateway on one database (each
 * service in its own schema) and one bus. Services that call each other through the gateway get
 * tokens minted here when none is configured.
 */
export async function startPlatform(env: Env, options: PlatformOptions = {}): Promise<RunningPlatform> {
  const configs = loadAllConfigs(env);
  const deps = await createPlatformDeps(configs.common, {
    name: 'bastion', logger: options.logger, schemaSuffix: options.schemaSuffix, natsStream: options.natsStream, keyPrefix: options.keyPrefix,
  });
  const port = (configured: number) => (options.ephemeralPorts ? 0 : configured);
  const started: { stop(): Promise<void> }[] = [];
  try {
    const extraServiceTokens: ServiceTokenEntry[] = [];
    const authToken = env.AUTH_SERVICE_TOKEN ?? generateServiceToken();
    const orgsToken = env.ORGS_SERVICE_TOKEN ?? generateServiceToken();
    const aiToken = env.AI_SERVICE_TOKEN ?? generateServiceToken();
    if (!env.AUTH_SERVICE_TOKEN) extraServiceTokens.push(serviceTokenEntry('auth', ['orgs:read'], authToken));
    if (!env.ORGS_SERVICE_TOKEN) extraServiceTokens.push(serviceTokenEntry('orgs', ['users:read'], orgsToken));
    if (!env.AI_SERVICE_TOKEN) extraServiceTokens.push(serviceTokenEntry('ai', ['credits:read', 'credits:write'], aiToken));
    let devServiceToken: string | undefined;
    if (!configs.gateway.SERVICE_TOKENS && configs.common.NODE_ENV !== 'production') {
      devServiceToken = generateServiceToken();
      extraServiceTokens.push(serviceTokenEntry('development', [...SCOPES], devServiceToken));
    }
    // Auth and the gateway share one in-memory copy, so a revocation or an issued token applies
    // at once; the gateway still loads it from auth's tables at start (it is only a cache).
    const revocations = new MemoryRevocationList(configs.gateway.ACCESS_TOKEN_TTL);
    const issuedTokens = new MemoryIssuedTokenStore();
    // Auth and orgs reach each other through the gateway's internal listener, which starts last.
    let internalGatewayUrl = configs.auth.GATEWAY_INTERNAL_URL;
    const auth = await startAuthService(configs.auth, deps, {
      port: port(configs.auth.AUTH_PORT), revocations, issuedTokens, internalGatewayUrl: () => internalGatewayUrl, serviceToken: authToken,
    });
    started.push(auth);
    const orgs = await startOrgsService(configs.orgs, deps, {
      port: port(configs.orgs.ORGS_PORT), internalGatewayUrl: () => internalGatewayUrl, serviceToken: orgsToken,
    });
    started.push(orgs);
    const credits = await startCreditsService(configs.credits, deps, { port: port(configs.credits.CREDITS_PORT) });
    started.push(credits);
    const ai = await startAiService(configs.ai, deps, {
      port: port(configs.ai.AI_PORT), internalGatewayUrl: () => internalGatewayUrl, serviceToken: aiToken,
    });
    started.push(ai);
    const gatewayConfig = { ...configs.gateway, PORT: port(configs.gateway.PORT), INTERNAL_PORT: port(configs.gateway.INTERNAL_PORT) };
    const gateway = await startGateway(gatewayConfig, {
      ...deps, extraServiceTokens, revocations, issuedTokens, supergraphs: options.supergraphs,
      subgraphUrls: { auth: auth.url, orgs: orgs.url, credits: credits.url, ai: ai.url },
    });
    internalGatewayUrl = gateway.internalUrl;
    return {
      deps, gateway, auth, orgs, credits, ai, devServiceToken, serviceTokens: { auth: authToken, orgs: orgsToken, ai: aiToken },
      // Outside in: the gateway's requests finish while the subgraphs still serve them, the
      // subgraphs' own requests finish, their last events are published, then connections close.
      async stop() {
        const services = [auth, orgs, credits, ai];
        await gateway.stop();
        await Promise.all(services.map((service) => service.closeListeners()));
        for (const service of services) await service.drainOutbox();
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

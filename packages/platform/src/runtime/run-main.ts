import type { z } from 'zod';
import type { CommonConfig } from '../config/common';
import { EVERY_TIME } from '../config/common';
import { deploymentProblems } from '../config/deployment';
import { loadConfig, type Env } from '../config/load-config';
import { claimsKeyVar } from '../auth/claims-keys';
import { SUBGRAPH_NAMES } from '../registry/subgraphs';
import {
  withDevelopmentSecrets,
  withDevelopmentServiceTokens,
  withSubgraphClaimsKey,
} from './development-secrets';
import { withDotEnv } from './dot-env';
import { createPlatformDeps, type PlatformDeps, type RunningService } from './platform-deps';
import { stopOnSignals } from './shutdown';
import { startupLogger, withDefaultLogFormat, type Logger } from '../logging/logger';
import { reportStartupFailure } from './startup-error';

/** Keys one service holds on its own, generated under DATA_DIR outside production like the shared ones. */
export const SERVICE_SECRETS: readonly string[] = [
  'AUDIT_CHAIN_KEY',
  'MFA_ENCRYPTION_KEY',
  'WEBHOOKS_ENCRYPTION_KEY',
];

/**
 * The body of every service's main.ts: read the environment once, connect, start, and stop
 * cleanly on SIGTERM/SIGINT (see stopOnSignals). A bad configuration prints every problem and exits 1.
 */
export function runMain<S extends z.ZodType<CommonConfig>>(options: {
  name: string;
  configSchema: S;
  database?: boolean;
  /** Settings production requires of this service on its own (its service token; deploymentProblems). */
  serviceTokens?: readonly string[];
  /** `env`: the environment the config was read from (.env and development values included). */
  start: (config: Readonly<z.infer<S>>, deps: PlatformDeps, env: Env) => Promise<RunningService>;
}): void {
  let parsed: Readonly<z.infer<S>> | undefined;
  let log: Logger | undefined;
  let json = true;
  const run = async () => {
    // @apollo/gateway phones home unless this is set before it is constructed (docs/development.md "Known pitfalls").
    process.env.APOLLO_TELEMETRY_DISABLED = 'true';
    const dotEnv = withDotEnv(process.env as Env);
    const formatted = withDefaultLogFormat(dotEnv.env);
    log = startupLogger(options.name, formatted);
    json = formatted.LOG_FORMAT !== 'pretty';
    // Outside production, services started one by one share keys and service tokens kept under
    // DATA_DIR: the claims master (the gateway) or a subgraph's own claims key derived from it,
    // the access-token key for the two that hold it (HS256), their tokens.
    const shape =
      (options.configSchema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
    const hmac = 'JWT_SECRET' in shape && (formatted.JWT_ALGORITHM ?? 'HS256') === 'HS256';
    const subgraph = SUBGRAPH_NAMES.includes(options.name);
    const claims = subgraph
      ? withSubgraphClaimsKey(formatted, options.name)
      : withDevelopmentSecrets(formatted, ['INTERNAL_CLAIMS_SECRET']);
    const secrets = withDevelopmentSecrets(claims.env, [
      ...(hmac ? ['JWT_SECRET'] : []),
      ...SERVICE_SECRETS.filter((name) => name in shape),
    ]);
    const tokens = withDevelopmentServiceTokens(secrets.env, options.name);
    const env = tokens.env;
    const generated = [...claims.generated, ...secrets.generated, ...tokens.generated];
    if (generated.length > 0)
      log.warn({ variables: generated }, 'unset: using development values stored under DATA_DIR');
    if (tokens.developmentToken) {
      log.info(
        { developmentServiceToken: tokens.developmentToken },
        'development service token (every scope) for the internal listener: x-service-token',
      );
    }
    const needs = {
      database: options.database !== false,
      serviceTokens: options.serviceTokens,
      claimsKey: subgraph ? claimsKeyVar(options.name) : undefined,
    };
    // zod 4 keeps an object schema's shape through superRefine, which loadConfig reads for NAME_FILE.
    const schema = options.configSchema.superRefine(
      deploymentProblems(needs) as never,
      EVERY_TIME,
    ) as unknown as S;
    const config = loadConfig(schema, env);
    parsed = config;
    const deps = await createPlatformDeps(config, {
      name: options.name,
      database: options.database,
    });
    if (dotEnv.path)
      deps.logger.info(
        { file: dotEnv.path, variables: dotEnv.loaded.length },
        'settings loaded from .env (variables already set win)',
      );
    let service: RunningService;
    try {
      service = await options.start(config, deps, env);
    } catch (error) {
      await deps.close();
      throw error;
    }
    stopOnSignals(
      async () => {
        await service.stop();
        await deps.close();
      },
      { logger: deps.logger, timeoutMs: deps.shutdownTimeoutMs },
    );
  };
  run().catch((error: unknown) => {
    reportStartupFailure(error, parsed ? [parsed as Record<string, unknown>] : [], log, json);
    process.exit(1);
  });
}

import type { MixedList } from 'typeorm';
import type { z } from 'zod';
import type { MemoryApiKeyStore } from '../auth/api-keys';
import type { IssuedTokenStore } from '../auth/issued-tokens';
import type { RevocationList } from '../auth/revocation';
import type { CommonConfig } from '../config/common';
import type { PlatformDeps, RunningService } from '../runtime/platform-deps';
import { runMain } from '../runtime/run-main';
import { subgraphEntry } from './subgraphs';

/** What the all-in-one process hands each subgraph; a subgraph uses what it needs. */
export interface SubgraphStartOptions {
  port?: number;
  /** The gateway's internal GraphQL URL, known only once the gateway started (it starts last). */
  internalGatewayUrl?: () => string;
  /** The gateway's public origin (`http://host:port`), the base of mail links when APP_URL is unset outside production. */
  publicGatewayOrigin?: () => string;
  /** The service token the process minted for this subgraph (its registry entry's `serviceToken`). */
  serviceToken?: string;
  /** Shared with the gateway in one process. */
  issuedTokens?: IssuedTokenStore;
  /** Live personal API keys; shared with the gateway in one process. */
  apiKeys?: MemoryApiKeyStore;
  revocations?: RevocationList;
}

/**
 * What a subgraph's package exports as `subgraph` (src/index.ts), for `npm start`, `npm run
 * migrate` and its own main: the registry names the package, this says how to run it.
 */
export interface SubgraphDefinition<
  S extends z.ZodType<CommonConfig> = z.ZodType<CommonConfig>,
  R extends RunningService = RunningService,
> {
  name: string;
  configSchema: S;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  start(
    config: Readonly<z.infer<S>>,
    deps: PlatformDeps,
    options?: SubgraphStartOptions,
  ): Promise<R>;
}

export function defineSubgraph<S extends z.ZodType<CommonConfig>, R extends RunningService>(
  definition: SubgraphDefinition<S, R>,
): SubgraphDefinition<S, R> {
  subgraphEntry(definition.name); // a subgraph missing from the registry fails at once
  return definition;
}

/** A subgraph's src/main.ts: its own process, requiring in production the service token its registry entry names. */
export function runSubgraphMain(definition: SubgraphDefinition): void {
  const token = subgraphEntry(definition.name).serviceToken;
  runMain({
    name: definition.name,
    configSchema: definition.configSchema,
    serviceTokens: token ? [token.var] : [],
    // Mail links (APP_URL unset, development) point at the gateway on its configured PORT.
    start: (config, deps, env) =>
      definition.start(config, deps, {
        publicGatewayOrigin: () => `http://127.0.0.1:${env.PORT || 4000}`,
      }),
  });
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { createFormatError, type Logger } from '@bastion/platform';
import { queryLimits } from './query-limits';
import { ClaimsForwardingDataSource, type GatewayContext } from './subgraph-client';
import type { Fetcher } from '@apollo/utils.fetcher';

export const SUPERGRAPH_FILES = {
  public: resolve(__dirname, '../../schema/supergraph.public.graphql'),
  internal: resolve(__dirname, '../../schema/supergraph.internal.graphql'),
};

export interface GatewayServerOptions {
  supergraphSdl: string;
  subgraphUrls: Record<string, string>;
  claimsKey: KeyObject;
  fetcher: Fetcher;
  logger: Logger;
  landingPage: boolean;
}

/**
 * One Apollo Server over one ApolloGateway with a static supergraph. The public listener gets the
 * public supergraph (INTERNAL fields @inaccessible: they fail validation there), the internal
 * listener the whole one.
 */
export async function createGatewayServer(options: GatewayServerOptions): Promise<ApolloServer<GatewayContext>> {
  // @apollo/gateway phones home and probes cloud metadata addresses unless this is set first.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => {
      const target = options.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`No URL for subgraph ${name}`);
      return new ClaimsForwardingDataSource(name, target, options.claimsKey, options.fetcher);
    },
  });
  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: createFormatError({ logger: options.logger, trustUpstreamCodes: true }),
    includeStacktraceInErrorResponses: false,
    // Apollo would stop itself on SIGTERM and re-raise the signal, cutting requests in flight;
    // the process's own shutdown (stopOnSignals) drains first, then stops Apollo.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    // Batches are allowed (Apollo Client's BatchHttpLink); each operation still passes every limit on its own.
    allowBatchedHttpRequests: true,
    introspection: true,
    // A bound on parse work: a huge document is refused before it costs anything.
    parseOptions: { maxTokens: 10_000 },
    validationRules: [queryLimits({ maxDepth: 12, maxAliases: 50 })],
    plugins: [options.landingPage ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: true }) : ApolloServerPluginLandingPageDisabled()],
  });
  await server.start();
  return server;
}

export function readSupergraph(path: string): string {
  return readFileSync(path, 'utf8');
}

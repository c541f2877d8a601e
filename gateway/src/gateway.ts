import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  createFormatError,
  inputHygienePlugin,
  requestIdPlugin,
  type ClaimsChannel,
  type ClaimsKeys,
  type Logger,
} from '@bastion/platform';
import { withLimitReasons } from './limit-errors';
import { stopWarmupAfterPlanning, warmQueryPlans } from './plan-warmup';
import type { PersistedQueryCache } from './persisted-queries';
import { ClaimsForwardingDataSource, type GatewayContext } from './subgraph-client';
import { InProcessDataSource, type InProcessSubgraph } from './in-process-source';
import type { Fetcher } from '@apollo/utils.fetcher';

export const SUPERGRAPH_FILES = {
  public: resolve(__dirname, '../../schema/supergraph.public.graphql'),
  internal: resolve(__dirname, '../../schema/supergraph.internal.graphql'),
};

export interface GatewayServerOptions {
  supergraphSdl: string;
  subgraphUrls: Record<string, string>;
  /** Each subgraph's claims key: a subgraph's key verifies claims addressed to it only. */
  claimsKeys: ClaimsKeys;
  /** Subgraphs of this process called without HTTP (SUBGRAPH_TRANSPORT=in-process), with the channel's mint. */
  inProcess?: { subgraphs: Record<string, InProcessSubgraph>; mint: ClaimsChannel['mint'] };
  fetcher: Fetcher;
  logger: Logger;
  /** Apollo's landing page (Sandbox, from Apollo's CDN) on a browser's GET; GraphiQL is served by the app instead. */
  sandbox: boolean;
  introspection: boolean;
  /** No "Did you mean" suggestions in validation errors: they spell out fields introspection would hide. */
  hideSchemaDetails: boolean;
  maxTokens: number;
  allowBatches: boolean;
  /** The APQ store, shared with the pre-checks so a hash alone is checked like its text. */
  persistedQueries: PersistedQueryCache;
  /** Documents whose query plans are made at start (the trusted documents' texts). */
  warmDocuments?: Iterable<string>;
}

/**
 * One Apollo Server over one ApolloGateway with a static supergraph. The public listener gets the
 * public supergraph (INTERNAL fields @inaccessible: they fail validation there), the internal
 * listener the whole one.
 */
export async function createGatewayServer(
  options: GatewayServerOptions,
): Promise<ApolloServer<GatewayContext>> {
  // @apollo/gateway phones home and probes cloud metadata addresses unless this is set first.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => {
      const local = options.inProcess?.subgraphs[name];
      if (local) return new InProcessDataSource(name, local, options.inProcess!.mint);
      const target = options.subgraphUrls[name] ?? url;
      if (!target) throw new Error(`No URL for subgraph ${name}`);
      return new ClaimsForwardingDataSource(
        name,
        target,
        options.claimsKeys.keyFor(name),
        options.fetcher,
      );
    },
    // The query plan names subgraphs and internal fields: never returned, whatever the headers say.
    __exposeQueryPlanExperimental: false,
    // Plans made at start (warmDocuments) stop here, before any subgraph is called.
    experimental_didResolveQueryPlan: stopWarmupAfterPlanning,
  });
  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: withLimitReasons(
      createFormatError({ logger: options.logger, trustUpstreamCodes: true }),
    ),
    includeStacktraceInErrorResponses: false,
    // Apollo would stop itself on SIGTERM and re-raise the signal, cutting requests in flight;
    // the process's own shutdown (stopOnSignals) drains first, then stops Apollo.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    // Batches (Apollo Client's BatchHttpLink) are counted and each operation checked before Apollo sees them.
    allowBatchedHttpRequests: options.allowBatches,
    introspection: options.introspection,
    hideSchemaDetailsFromClientErrors: options.hideSchemaDetails,
    // The same bound the pre-check applies: parse work stays linear and small even if a path skips it.
    parseOptions: { maxTokens: options.maxTokens },
    persistedQueries: { cache: options.persistedQueries },
    plugins: [
      options.sandbox
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: true })
        : ApolloServerPluginLandingPageDisabled(),
      // Masked errors are logged under the context's request id (createFormatError).
      requestIdPlugin<GatewayContext>(),
      // Subgraphs refuse such strings too; refusing here spares the query plan and the subgraph calls.
      inputHygienePlugin<GatewayContext>(),
    ],
  });
  await server.start();
  if (options.warmDocuments) {
    const warmed = await warmQueryPlans(gateway, options.warmDocuments);
    options.logger.info(warmed, 'query plans made at start for the trusted documents');
  }
  return server;
}

export function readSupergraph(path: string): string {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the supergraph path comes from the operator's config or the repository, never a request
  return readFileSync(path, 'utf8');
}

import { readFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import {
  HIVE_GATEWAY_DEDUPLICATING_PORT,
  HIVE_GATEWAY_PORT,
  REPO_ROOT,
  SUBGRAPHS,
  urlOf,
} from './services';

/**
 * The peer: The Guild's Hive Gateway with Hive Router's Rust query planner (`@graphql-hive/router-runtime`)
 * over the product's public supergraph and the same running subgraphs, no plugins, limits or claims
 * (subgraphs serve a request without claims as the anonymous viewer). The supergraph names the
 * default ports; each subgraph's URL is pointed at the bench's listener.
 */
async function main(): Promise<void> {
  // Loaded untyped: Hive's type declarations bring DOM-style globals (fetch's BodyInit) that
  // would change how the product's own sources type-check in this one TypeScript program.
  const load = createRequire(__filename);
  const { createGatewayRuntime } = load('@graphql-hive/gateway') as {
    createGatewayRuntime(config: Record<string, unknown>): RequestListener & {
      dispose(): unknown;
    };
  };
  const { unifiedGraphHandler } = load('@graphql-hive/router-runtime') as {
    unifiedGraphHandler: unknown;
  };
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the repository's composed supergraph
  let supergraph = readFileSync(resolve(REPO_ROOT, 'schema/supergraph.public.graphql'), 'utf8');
  for (const name of SUBGRAPHS) {
    // `@join__graph(name: "ai", url: "http://...")`: the one URL per subgraph the planner dials.
    // eslint-disable-next-line security/detect-non-literal-regexp -- a registry name, not input
    const pattern = new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`);
    if (!pattern.test(supergraph)) throw new Error(`no @join__graph for ${name} in the supergraph`);
    supergraph = supergraph.replace(pattern, `$1${urlOf(name)}$2`);
  }
  // Hive's HTTP transport shares one subgraph request among identical requests in flight (on by
  // default). HIVE_DEDUPLICATE=off sends every request on, as the product and the stock gateway
  // do: the bench runs one of each, and compares the product with the one that does the same work.
  const deduplicate = process.env.HIVE_DEDUPLICATE !== 'off';
  const runtime = createGatewayRuntime({
    supergraph,
    unifiedGraphHandler,
    landingPage: false,
    graphiql: false,
    logging: 'error',
    ...(deduplicate
      ? {}
      : { transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } } }),
  });
  const port = deduplicate ? HIVE_GATEWAY_DEDUPLICATING_PORT : HIVE_GATEWAY_PORT;
  const server = createServer(runtime);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  process.stdout.write(`ready http://127.0.0.1:${port}/graphql\n`);
  process.on('SIGTERM', () => {
    server.close();
    void Promise.resolve(runtime.dispose()).finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT, STOCK_GATEWAY_PORT, SUBGRAPHS, urlOf } from './services';

/**
 * The baseline: a stock @apollo/gateway over the product's public supergraph and the same running
 * subgraphs, served by @apollo/server's standalone server, no plugins, limits or claims. Subgraphs
 * serve a request without claims as the anonymous viewer, so public queries work as they are.
 */
async function main(): Promise<void> {
  // Before the gateway is constructed: it would otherwise start Apollo's usage telemetry.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const { ApolloGateway, RemoteGraphQLDataSource } = await import('@apollo/gateway');
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the repository's composed supergraph
  const supergraphSdl = readFileSync(
    resolve(REPO_ROOT, 'schema/supergraph.public.graphql'),
    'utf8',
  );
  const urls = new Map<string, string>(SUBGRAPHS.map((name) => [name, urlOf(name)]));
  const gateway = new ApolloGateway({
    supergraphSdl,
    // The supergraph names the default ports; the bench runs the subgraphs on its own.
    buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: urls.get(name) ?? url }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: STOCK_GATEWAY_PORT, host: '127.0.0.1' },
  });
  process.stdout.write(`ready ${url}\n`);
  process.on('SIGTERM', () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

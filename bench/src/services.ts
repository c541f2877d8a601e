import { resolve } from 'node:path';
import { SUBGRAPHS as REGISTRY } from '@bastion/platform';

/**
 * The one place the bench takes its services from: the gateway's two listeners and every subgraph
 * of subgraphs/registry.json, each with its port variable and the port the bench gives it, away
 * from the defaults (4000-4010) so a bench can run beside a development platform.
 */
export const BENCH_BASE_PORT = Number(process.env.BENCH_BASE_PORT ?? 14_000);

interface Listener {
  portVar: string;
  urlVar?: string;
  offset: number;
  path: string;
}

/** The subgraphs, by their registry names (also the supergraph's join__graph names). */
export const SUBGRAPHS: readonly string[] = REGISTRY.map((entry) => entry.name);

// Offsets 1..9 for subgraphs in registry order, 10 the internal listener, 20+ the bench's own.
export const SERVICES: Record<string, Listener> = {
  gateway: { portVar: 'PORT', offset: 0, path: '/graphql' },
  gatewayInternal: { portVar: 'INTERNAL_PORT', offset: 10, path: '/graphql' },
  ...Object.fromEntries(
    REGISTRY.map((entry, i) => [
      entry.name,
      { portVar: entry.portVar, urlVar: entry.urlVar, offset: 1 + i, path: '/graphql' },
    ]),
  ),
};

/** The stock @apollo/gateway the bench runs as a baseline. */
export const STOCK_GATEWAY_PORT = BENCH_BASE_PORT + 20;
/** Hive Gateway with its Rust query planner, the peer the bench compares with. */
export const HIVE_GATEWAY_PORT = BENCH_BASE_PORT + 22;
/** The same with its default deduplication of identical requests in flight. */
export const HIVE_GATEWAY_DEDUPLICATING_PORT = BENCH_BASE_PORT + 23;
/** The bench's own PGlite for pgbench in embedded mode. */
export const PGLITE_BENCH_PORT = BENCH_BASE_PORT + 21;

export type ServiceName = string;

export function portOf(service: ServiceName): number {
  return BENCH_BASE_PORT + SERVICES[service].offset;
}

export function urlOf(service: ServiceName): string {
  return `http://127.0.0.1:${portOf(service)}${SERVICES[service].path}`;
}

/** The environment that puts every listener of `npm start` on the bench's ports. */
export function portEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of Object.keys(SERVICES) as ServiceName[])
    env[SERVICES[name].portVar] = String(portOf(name));
  // Services reach each other through the internal listener: the gateway's and theirs must agree.
  env.GATEWAY_INTERNAL_URL = urlOf('gatewayInternal');
  for (const name of SUBGRAPHS) env[SERVICES[name].urlVar!] = urlOf(name);
  return env;
}

export const REPO_ROOT = resolve(__dirname, '../..');
/** The product exactly as `npm start` runs it after its build step. */
export const PRODUCT_MAIN = resolve(REPO_ROOT, 'all-in-one/dist/main.js');

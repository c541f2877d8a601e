import { resolve } from 'node:path';

/**
 * The one place the bench takes its services from: each listener's port variable and the port the
 * bench gives it, away from the defaults (4000-4010) so a bench can run beside a development
 * platform. Point this at subgraphs/registry.json when that exists.
 */
export const BENCH_BASE_PORT = Number(process.env.BENCH_BASE_PORT ?? 14_000);

export const SERVICES = {
  gateway: { portVar: 'PORT', offset: 0, path: '/graphql' },
  gatewayInternal: { portVar: 'INTERNAL_PORT', offset: 10, path: '/graphql' },
  auth: { portVar: 'AUTH_PORT', offset: 1, path: '/graphql' },
  orgs: { portVar: 'ORGS_PORT', offset: 2, path: '/graphql' },
  credits: { portVar: 'CREDITS_PORT', offset: 3, path: '/graphql' },
  ai: { portVar: 'AI_PORT', offset: 4, path: '/graphql' },
} as const;

/** The subgraphs, by the names the supergraph gives them (join__graph name). */
export const SUBGRAPHS = ['auth', 'orgs', 'credits', 'ai'] as const;

/** The stock @apollo/gateway the bench runs as a baseline. */
export const STOCK_GATEWAY_PORT = BENCH_BASE_PORT + 20;
/** The bench's own PGlite for pgbench in embedded mode. */
export const PGLITE_BENCH_PORT = BENCH_BASE_PORT + 21;

export type ServiceName = keyof typeof SERVICES;

export function portOf(service: ServiceName): number {
  return BENCH_BASE_PORT + SERVICES[service].offset;
}

export function urlOf(service: ServiceName): string {
  return `http://127.0.0.1:${portOf(service)}${SERVICES[service].path}`;
}

/** The environment that puts every listener of `npm start` on the bench's ports. */
export function portEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of Object.keys(SERVICES) as ServiceName[]) env[SERVICES[name].portVar] = String(portOf(name));
  // Services reach each other through the internal listener: the gateway's and theirs must agree.
  env.GATEWAY_INTERNAL_URL = urlOf('gatewayInternal');
  for (const name of SUBGRAPHS) env[`${name.toUpperCase()}_URL`] = urlOf(name);
  return env;
}

export const REPO_ROOT = resolve(__dirname, '../..');
/** The product exactly as `npm start` runs it after its build step. */
export const PRODUCT_MAIN = resolve(REPO_ROOT, 'packages/standalone/dist/main.js');

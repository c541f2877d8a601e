import { z } from 'zod';
import { CLAIMS_KEY_PATTERN, claimsKeyVar } from '../auth/claims-keys';
import { parseDuration } from './duration';

/** A port number; 0 asks the OS for a free one (tests). */
export const port = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback);

export const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

export const durationSeconds = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const seconds = parseDuration(value);
      if (seconds === null) {
        ctx.addIssue({
          code: 'custom',
          message: `"${value}" is not a duration (e.g. 900, 15m, 7d)`,
        });
        return z.NEVER;
      }
      return seconds;
    });

/** A secret of at least 32 bytes: an HMAC key shorter than the hash output is brute-forceable offline. */
export const secret = () =>
  z.string().refine((s) => Buffer.byteLength(s) >= 32, 'must be at least 32 bytes');

/**
 * CONSOLE: the web console at /console on the gateway's public listener (docs/configuration.md).
 * Read by the gateway (serves it) and by auth and orgs (mail links land in it when APP_URL is unset).
 */
export const consoleSetting = { CONSOLE: z.enum(['on', 'off']).optional() };

/** Where the gateway serves the console; with APP_URL unset it is where the app is (appBaseUrl). */
export const CONSOLE_PATH = '/console';

/** Whether the console is served: on outside production unless CONSOLE=off; in production only with CONSOLE=on. */
export function consoleEnabled(config: { NODE_ENV: string; CONSOLE?: 'on' | 'off' }): boolean {
  return config.NODE_ENV === 'production' ? config.CONSOLE === 'on' : config.CONSOLE !== 'off';
}

/**
 * Settings every service reads: environment, logging, storage and the bus. No access-token key:
 * only auth (signs) and the gateway (verifies) read those (jwtConfig); no claims key either: the
 * gateway reads the master (claimsMasterConfig), each subgraph its own (subgraphClaimsConfig).
 */
export const commonConfig = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** JSON lines (default), or `pretty` for a terminal in development (needs the dev dependencies). */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  /** Production refuses the embedded PGlite unless this says it is meant (deploymentProblems). */
  ALLOW_EMBEDDED: booleanFlag(false),
  /** How many instances of each service run: above 1, production requires REDIS_URL. */
  INSTANCES: z.coerce.number().int().min(1).default(1),
  NATS_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  /** Lets several deployments share one database, NATS and Redis: schema suffix, stream name, key prefix. */
  SCHEMA_SUFFIX: z
    .string()
    .regex(/^[a-z0-9_]{1,32}$/)
    .optional(),
  NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('BASTION_EVENTS'),
  REDIS_KEY_PREFIX: z.string().default('bastion:'),
  /** How long a stopping process lets requests in flight, then the outbox relay, finish. */
  SHUTDOWN_TIMEOUT: durationSeconds('10'),
  /**
   * A session idle inside a transaction this long is rolled back and closed: on the embedded
   * database one such session stops every service, on PostgreSQL it holds its locks.
   */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT: durationSeconds('2'),
  /** PostgreSQL cancels a statement running longer (PGlite runs a statement to its end). */
  DATABASE_STATEMENT_TIMEOUT: durationSeconds('30'),
};

export type CommonConfig = {
  NODE_ENV: 'development' | 'production' | 'test';
  LOG_LEVEL: string;
  LOG_FORMAT?: 'json' | 'pretty';
  /** The gateway's and the all-in-one process's only (claimsMasterConfig). */
  INTERNAL_CLAIMS_SECRET?: string;
  DATABASE_URL?: string;
  DATA_DIR: string;
  ALLOW_EMBEDDED?: boolean;
  INSTANCES?: number;
  NATS_URL?: string;
  REDIS_URL?: string;
  SCHEMA_SUFFIX?: string;
  NATS_STREAM: string;
  REDIS_KEY_PREFIX: string;
  SHUTDOWN_TIMEOUT: number;
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT?: number;
  DATABASE_STATEMENT_TIMEOUT?: number;
};

/** Runs a refinement even when other fields failed, so a config reports every problem at once. */
export const EVERY_TIME = { when: () => true } as const;

/**
 * The master secret of forwarded claims, from which every subgraph's claims key is derived: the
 * gateway's (and the all-in-one process's) only. docs/security.md "Forwarded claims: one key per subgraph".
 */
export const claimsMasterConfig = {
  INTERNAL_CLAIMS_SECRET: secret().optional(),
};

/** `.superRefine(claimsMasterProblems, EVERY_TIME)` where claimsMasterConfig is read. */
export function claimsMasterProblems(
  config: { NODE_ENV?: string; INTERNAL_CLAIMS_SECRET?: string },
  ctx: z.RefinementCtx,
): void {
  // Outside production an unset secret falls back to one kept under DATA_DIR (runMain, npm start).
  if (config.NODE_ENV === 'production' && !config.INTERNAL_CLAIMS_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['INTERNAL_CLAIMS_SECRET'],
      message: "required in production (32+ bytes; the gateway's only, never a subgraph's)",
    });
  }
}

/**
 * A subgraph's own claims key, `<NAME>_CLAIMS_KEY` (e.g. AUTH_CLAIMS_KEY): the key the gateway
 * derives for it from INTERNAL_CLAIMS_SECRET (`node scripts/claims-keys.mjs` prints each).
 * Required in production when the subgraph runs as its own process (runSubgraphMain).
 */
export function subgraphClaimsConfig(subgraph: string): Record<never, z.ZodType> {
  return {
    [claimsKeyVar(subgraph)]: z
      .string()
      .regex(
        CLAIMS_KEY_PATTERN,
        'must be the 43-character key derived from INTERNAL_CLAIMS_SECRET (node scripts/claims-keys.mjs)',
      )
      .optional(),
  };
}

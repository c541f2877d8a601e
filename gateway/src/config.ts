import { z } from 'zod';
import {
  EVERY_TIME,
  booleanFlag,
  commonConfig,
  claimsMasterConfig,
  claimsMasterProblems,
  durationSeconds,
  jwtConfig,
  jwtKeyProblems,
  port,
  serviceTokenEntries,
  SUBGRAPHS,
} from '@bastion/platform';

const limit = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A subgraph's URL when set; else the gateway finds it on the loopback address at its port (default: the registry's). */
function subgraphAddressSettings(): Record<never, z.ZodType> {
  // Record<never, …>: the names come from the registry at run time, so the config type does not list them.
  return Object.fromEntries(
    SUBGRAPHS.flatMap((s) => [
      [s.urlVar, z.string().url().optional()],
      [s.portVar, port(s.port)],
    ]),
  );
}

export const gatewayConfigSchema = z
  .object({
    ...commonConfig,
    /** The master of forwarded claims: the gateway derives each subgraph's key from it. */
    ...claimsMasterConfig,
    ...jwtConfig,
    HOST: z.string().default('127.0.0.1'),
    PORT: port(4000),
    INTERNAL_HOST: z.string().default('127.0.0.1'),
    INTERNAL_PORT: port(4010),
    ACCESS_TOKEN_TTL: durationSeconds('15m'),
    SERVICE_TOKENS: serviceTokenEntries.optional(),
    /** Comma-separated proxy addresses (or "loopback") whose X-Forwarded-For is believed. */
    TRUST_PROXY: z.string().optional(),
    /** Every subgraph's <NAME>_URL and <NAME>_PORT (subgraphs/registry.json); read with subgraphUrlsFrom. */
    ...subgraphAddressSettings(),
    /**
     * How the gateway calls a subgraph running in its own process (npm start): `in-process` (no
     * HTTP, claims as an object only this process's gateway can mint) or `http` (signed claims, as
     * to a subgraph of its own process). Subgraphs elsewhere are always called over HTTP.
     */
    SUBGRAPH_TRANSPORT: z.enum(['in-process', 'http']).default('in-process'),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    TLS_CERT_FILE: z.string().optional(),
    TLS_KEY_FILE: z.string().optional(),
    /** The browser explorer on GET /graphql outside production (production serves none, whatever this says). */
    EXPLORER: z.enum(['graphiql', 'sandbox', 'off']).default('graphiql'),
    /**
     * Browser origins allowed to call the public listener, comma-separated. Unset: loopback dev
     * servers outside production (cors.ts), none in production.
     */
    CORS_ORIGINS: z.string().optional(),
    // Operation limits, checked before planning (docs/security.md "Operation limits").
    MAX_QUERY_DEPTH: limit(12),
    MAX_QUERY_ALIASES: limit(50),
    MAX_QUERY_DIRECTIVES: limit(50),
    MAX_FIELD_DIRECTIVES: limit(10),
    MAX_QUERY_TOKENS: limit(2_000),
    MAX_QUERY_CHARACTERS: limit(10_000),
    /** Estimated cost of one operation from @cost/@listSize; above it the operation is refused (MAX_COST). */
    MAX_QUERY_COST: limit(1_000),
    /** The size assumed for a list field with neither @listSize nor a `first` argument. */
    DEFAULT_LIST_SIZE: limit(10),
    /** Cost points a user or client address may spend per minute (RATE_LIMITED beyond). */
    COST_BUDGET_PER_MINUTE: limit(20_000),
    /** Cost points each service token (by name) may spend per minute. */
    SERVICE_COST_BUDGET_PER_MINUTE: limit(200_000),
    /** A JSON file of trusted documents (hash -> document, or an array of hashes): only those run on the public listener. */
    TRUSTED_DOCUMENTS: z.string().optional(),
    /** Operations per HTTP batch; 0 turns batching off. Unset: 0 in production, 10 elsewhere (batchLimitOf). */
    MAX_BATCH_OPERATIONS: z.coerce.number().int().min(0).optional(),
    /** Introspection on the public listener in production (always on outside production and on the internal listener). */
    INTROSPECTION: booleanFlag(false),
    /**
     * Whether mail is sent (SMTP_URL set, read by auth and orgs): only that it is set is kept here,
     * never the URL. Set, the gateway serves no development inbox.
     */
    SMTP_URL: z
      .string()
      .optional()
      .transform((value) => Boolean(value)),
  })
  .superRefine(claimsMasterProblems, EVERY_TIME)
  .superRefine((config, ctx) => {
    for (const message of jwtKeyProblems(config, false)) ctx.addIssue({ code: 'custom', message });
  }, EVERY_TIME);

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

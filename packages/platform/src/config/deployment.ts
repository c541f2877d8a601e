import type { z } from 'zod';

interface DeploymentSettings {
  NODE_ENV?: string;
  DATABASE_URL?: string;
  ALLOW_EMBEDDED?: boolean;
  INSTANCES?: number;
  REDIS_URL?: string;
}

export interface DeploymentNeeds {
  /** The process opens a database (every service but the gateway). */
  database: boolean;
  /**
   * Settings this process needs in production when it runs on its own: the service token it
   * presents to the gateway's internal listener, or the gateway's list of token hashes. The
   * all-in-one process mints its own, so it names none.
   */
  serviceTokens?: readonly string[];
  /** A subgraph's own process: its claims key, `<NAME>_CLAIMS_KEY` (the all-in-one derives it). */
  claimsKey?: string;
}

/**
 * What production needs from the deployment around a service, as a refinement added to its
 * config schema (`.superRefine(deploymentProblems(needs), EVERY_TIME)`), so these problems are
 * listed with every other one. Reads fields defensively: it may see a partly invalid config.
 */
export function deploymentProblems(needs: DeploymentNeeds) {
  return (config: DeploymentSettings & Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (config.NODE_ENV !== 'production') return;
    // Embedded PGlite is one process on one disk: no replicas, no backups, no failover.
    if (needs.database && !config.DATABASE_URL && config.ALLOW_EMBEDDED !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message:
          'required in production (or ALLOW_EMBEDDED=true to run on the embedded PGlite under DATA_DIR on purpose)',
      });
    }
    // Revocations, the claims replay guard and rate limits live in memory without Redis: each
    // instance would keep its own, so a revoked token would still pass on the others.
    if ((config.INSTANCES ?? 1) > 1 && !config.REDIS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: `required when INSTANCES is ${config.INSTANCES} (state shared between instances)`,
      });
    }
    if (needs.claimsKey && !config[needs.claimsKey]) {
      ctx.addIssue({
        code: 'custom',
        path: [needs.claimsKey],
        message:
          'required in production: this subgraph\'s own claims key, derived from the gateway\'s INTERNAL_CLAIMS_SECRET (node scripts/claims-keys.mjs; docs/security.md "Forwarded claims: one key per subgraph")',
      });
    }
    for (const name of needs.serviceTokens ?? []) {
      if (!config[name]) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message:
            'required in production when services run as separate processes: make one as docs/operations.md "Making service tokens" says',
        });
      }
    }
  };
}

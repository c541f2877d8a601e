import { z } from 'zod';
import {
  EVERY_TIME,
  commonConfig,
  port,
  secret,
  subgraphClaimsConfig,
  subgraphEntry,
  consoleSetting,
} from '@bastion/platform';

export const orgsConfigSchema = z
  .object({
    ...commonConfig,
    ...subgraphClaimsConfig('orgs'),
    HOST: z.string().default('127.0.0.1'),
    ORGS_PORT: port(subgraphEntry('orgs').port),
    /**
     * Links in invitation mail: `${APP_URL}/accept-invitation?token=…`. Unset: the console (or with
     * CONSOLE=off the gateway's own pages) outside production, http://localhost:3000 in production.
     */
    APP_URL: z.string().url().optional(),
    /** Whether the gateway serves the console: invitation links land there when APP_URL is unset. */
    ...consoleSetting,
    /** Unset: mail is logged instead of sent (links included only outside production). */
    SMTP_URL: z.string().url().optional(),
    MAIL_FROM: z.string().min(3).default('Bastion <no-reply@localhost>'),
    /** Where orgs reaches auth (an invitee's current address), with ORGS_SERVICE_TOKEN (users:read). */
    GATEWAY_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4010/graphql'),
    ORGS_SERVICE_TOKEN: z.string().min(20).optional(),
    /** Organizations one user may create per 24 hours. */
    ORGS_CREATED_PER_DAY: z.coerce.number().int().positive().default(10),
    /**
     * The audit chain's HMAC key (32+ bytes), kept outside the database so whoever can write the
     * database cannot rewrite the log and recompute its hashes. Development: generated under DATA_DIR.
     */
    AUDIT_CHAIN_KEY: secret().optional(),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && !config.AUDIT_CHAIN_KEY)
      ctx.addIssue({
        code: 'custom',
        path: ['AUDIT_CHAIN_KEY'],
        message: 'required in production (32+ bytes, orgs only; keep it like a signing key)',
      });
  }, EVERY_TIME);

export type OrgsConfig = z.infer<typeof orgsConfigSchema>;

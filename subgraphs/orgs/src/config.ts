import { z } from 'zod';
import { commonConfig, subgraphClaimsConfig, port, subgraphEntry } from '@bastion/platform';

export const orgsConfigSchema = z.object({
  ...commonConfig,
  ...subgraphClaimsConfig('orgs'),
  HOST: z.string().default('127.0.0.1'),
  ORGS_PORT: port(subgraphEntry('orgs').port),
  /** Links in invitation mail: `${APP_URL}/accept-invitation?token=…`. */
  APP_URL: z.string().url().default('http://localhost:3000'),
  /** Unset: mail is logged instead of sent (links included only outside production). */
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().min(3).default('Bastion <no-reply@localhost>'),
  /** Where orgs reaches auth (an invitee's current address), with ORGS_SERVICE_TOKEN (users:read). */
  GATEWAY_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4010/graphql'),
  ORGS_SERVICE_TOKEN: z.string().min(20).optional(),
  /** Organizations one user may create per 24 hours. */
  ORGS_CREATED_PER_DAY: z.coerce.number().int().positive().default(10),
});

export type OrgsConfig = z.infer<typeof orgsConfigSchema>;

import { z } from 'zod';
import {
  EVERY_TIME,
  booleanFlag,
  commonConfig,
  port,
  secret,
  subgraphClaimsConfig,
  subgraphEntry,
} from '@bastion/platform';

const count = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const webhooksConfigSchema = z
  .object({
    ...commonConfig,
    ...subgraphClaimsConfig('webhooks'),
    HOST: z.string().default('127.0.0.1'),
    WEBHOOKS_PORT: port(subgraphEntry('webhooks').port),
    /**
     * Seals the endpoints' signing secrets at rest (AES-256-GCM); required in production, a
     * development key under DATA_DIR otherwise. Changing it voids every endpoint's secret.
     */
    WEBHOOKS_ENCRYPTION_KEY: secret().optional(),
    /** Lets endpoints on loopback addresses (127.0.0.0/8, ::1) through the SSRF guard: development and tests only. */
    WEBHOOKS_ALLOW_PRIVATE: booleanFlag(false),
    /** Endpoints one organization may register. */
    WEBHOOKS_MAX_ENDPOINTS: count(20),
    /** Deliveries in flight at once in this process, over every endpoint. */
    WEBHOOKS_CONCURRENCY: count(32),
    /** Deliveries in flight at once to one endpoint. */
    WEBHOOKS_ENDPOINT_CONCURRENCY: count(4),
    /** One attempt's whole deadline (connect, send, answer), milliseconds. */
    WEBHOOKS_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
    /** Where webhooks asks orgs (memberships, admins) and auth (emails), with WEBHOOKS_SERVICE_TOKEN. */
    GATEWAY_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4010/graphql'),
    WEBHOOKS_SERVICE_TOKEN: z.string().min(20).optional(),
    /** The mail to an organization's ADMINs when an endpoint failing for 5 days is disabled. */
    SMTP_URL: z.string().url().optional(),
    MAIL_FROM: z.string().min(3).default('Bastion <no-reply@localhost>'),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && !config.WEBHOOKS_ENCRYPTION_KEY)
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOKS_ENCRYPTION_KEY'],
        message: 'required in production (32+ bytes, webhooks only; it seals signing secrets)',
      });
  }, EVERY_TIME);

export type WebhooksConfig = z.infer<typeof webhooksConfigSchema>;

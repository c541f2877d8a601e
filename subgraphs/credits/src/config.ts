import { z } from 'zod';
import { EVERY_TIME, commonConfig, commonConfigProblems, port } from '@bastion/platform';

const creditPackage = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  credits: z.number().int().positive(),
  priceCents: z.number().int().positive(),
  currency: z.string().length(3),
});

export const DEFAULT_CREDIT_PACKAGES = [
  { id: 'starter', name: 'Starter', credits: 500, priceCents: 500, currency: 'usd' },
  { id: 'pro', name: 'Pro', credits: 2500, priceCents: 2000, currency: 'usd' },
  { id: 'team', name: 'Team', credits: 10000, priceCents: 7000, currency: 'usd' },
];

export const creditsConfigSchema = z.object({
  ...commonConfig,
  HOST: z.string().default('127.0.0.1'),
  CREDITS_PORT: port(4003),
  CREDITS_SIGNUP_GRANT: z.coerce.number().int().min(0).default(100),
  /** JSON array of {id, name, credits, priceCents, currency}. */
  CREDIT_PACKAGES: z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.array(creditPackage))
    .optional(),
}).superRefine(commonConfigProblems, EVERY_TIME);

export type CreditsConfig = z.infer<typeof creditsConfigSchema>;

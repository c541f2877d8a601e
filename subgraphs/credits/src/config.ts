import { z } from 'zod';
import { commonConfig, subgraphClaimsConfig, port, subgraphEntry } from '@bastion/platform';

const creditPackage = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  credits: z.number().int().positive(),
  priceCents: z.number().int().positive(),
  currency: z.string().length(3),
  /** "month": a subscription granting `credits` on every paid invoice; absent: a one-off purchase. */
  interval: z.literal('month').optional(),
  /** A Stripe Price checkout sells; a payment grants the package only when a paid line names it. */
  stripePriceId: z.string().startsWith('price_').optional(),
  /** A Stripe Product; a payment grants the package only when a paid line names it. */
  stripeProductId: z.string().startsWith('prod_').optional(),
});

export const DEFAULT_CREDIT_PACKAGES = [
  { id: 'starter', name: 'Starter', credits: 500, priceCents: 500, currency: 'usd' },
  { id: 'pro', name: 'Pro', credits: 2500, priceCents: 2000, currency: 'usd' },
  { id: 'team', name: 'Team', credits: 10000, priceCents: 7000, currency: 'usd' },
];

export const creditsConfigSchema = z.object({
  ...commonConfig,
  ...subgraphClaimsConfig('credits'),
  HOST: z.string().default('127.0.0.1'),
  CREDITS_PORT: port(subgraphEntry('credits').port),
  CREDITS_SIGNUP_GRANT: z.coerce.number().int().min(0).default(100),
  /**
   * CREDITS_LOW is published when a charge (a spend or a hold's settlement) takes a user's
   * available credits from at least this many to fewer; 0: never.
   */
  CREDITS_LOW_THRESHOLD: z.coerce.number().int().min(0).default(20),
  /** The largest amount one add, spend, hold or settle may move. */
  CREDITS_MAX_AMOUNT: z.coerce.number().int().min(1).max(1_000_000_000).default(1_000_000),
  /** A hold's lifetime when the caller names none, and the longest one it may ask for (seconds). */
  CREDITS_HOLD_TTL: z.coerce.number().int().min(1).default(600),
  CREDITS_HOLD_MAX_TTL: z.coerce.number().int().min(1).default(86_400),
  /** How often the sweeper releases expired holds (milliseconds). */
  CREDITS_HOLD_SWEEP_MS: z.coerce.number().int().min(10).default(30_000),
  /** JSON array of {id, name, credits, priceCents, currency[, interval, stripePriceId, stripeProductId]}. */
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
  /** Stripe's secret API key; without it checkout answers UPSTREAM_UNAVAILABLE. */
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  /** The webhook endpoint's signing secret (whsec_...); without it /webhooks/stripe answers 503. */
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Where the Stripe API is (tests: a local server speaking Stripe's wire format). */
  STRIPE_API_BASE: z.string().url().optional(),
  /**
   * Checkout's success and cancel URLs must be on this origin. Unset: the gateway's own origin
   * outside production (where the console is served), http://localhost:3000 in production.
   */
  APP_URL: z.string().url().optional(),
});

export type CreditsConfig = z.infer<typeof creditsConfigSchema>;

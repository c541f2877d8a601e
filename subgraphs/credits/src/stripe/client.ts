import type Stripe from 'stripe';
import { AppError, type Logger } from '@bastion/platform';

export interface StripeSettings {
  STRIPE_SECRET_KEY?: string;
  STRIPE_API_BASE?: string;
}

/** The Stripe SDK, loaded when payments are configured, not at every start (docs/operations.md "Start time"). */
export const stripeSdk = async (): Promise<typeof Stripe> =>
  // The built service loads the SDK's CommonJS build (as `import Stripe from 'stripe'` did);
  // the type checker resolves import() to its ESM typings, the same declarations.
  (await import('stripe')).default as unknown as typeof Stripe;

/** The official SDK client, pointed at STRIPE_API_BASE when set; null when no key is configured. */
export async function createStripeClient(config: StripeSettings): Promise<Stripe | null> {
  if (!config.STRIPE_SECRET_KEY) return null;
  const Stripe = await stripeSdk();
  const base = config.STRIPE_API_BASE ? new URL(config.STRIPE_API_BASE) : null;
  const protocol = base?.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(config.STRIPE_SECRET_KEY, {
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (protocol === 'http' ? 80 : 443)),
          protocol,
        }
      : {}),
    maxNetworkRetries: 2,
    timeout: 10_000,
    telemetry: false,
  });
}

/** A Stripe API failure as the client sees it: coded, without Stripe's message (which may name ids). */
export function upstreamError(logger: Logger, error: unknown, what: string): AppError {
  logger.warn(
    { err: error, stripeCode: (error as { code?: string }).code },
    `stripe ${what} failed`,
  );
  return new AppError('UPSTREAM_UNAVAILABLE', {
    message: 'The payment provider did not answer; try again.',
    cause: error,
  });
}

export const paymentsOff = () =>
  new AppError('UPSTREAM_UNAVAILABLE', { message: 'Payments are not configured.' });

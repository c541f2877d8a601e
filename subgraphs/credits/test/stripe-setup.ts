import { randomBytes } from 'node:crypto';
import { schemaOf } from '@bastion/platform';
import { FakeStripe, startTestPlatform, type TestPlatform, type TestUser } from '@bastion/testing';

export const APP_URL = 'https://app.example.test';
export const PACKAGES = [
  { id: 'starter', name: 'Starter', credits: 100, priceCents: 500, currency: 'usd' },
  {
    id: 'monthly',
    name: 'Monthly',
    credits: 300,
    priceCents: 1000,
    currency: 'usd',
    interval: 'month',
  },
];

export const CHECKOUT = `mutation ($p: ID!, $s: String!, $c: String!) { createCheckoutSession(packageId: $p, successUrl: $s, cancelUrl: $c) { id url } }`;

/** A platform whose credits service talks to a local Stripe and verifies webhooks with a known secret. */
export async function startWithStripe(
  packages: readonly object[] = PACKAGES,
  env: Record<string, string> = {},
): Promise<{
  platform: TestPlatform;
  stripe: FakeStripe;
  webhookSecret: string;
  webhookUrl: string;
}> {
  const stripe = await new FakeStripe().start();
  const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  const platform = await startTestPlatform({
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_BASE: stripe.url,
    APP_URL,
    CREDIT_PACKAGES: JSON.stringify(packages),
    CREDITS_SIGNUP_GRANT: '20',
    ...env,
  });
  // The public gateway's route, which forwards the raw body to credits.
  const webhookUrl = new URL('/webhooks/stripe', platform.gateway.url).toString();
  return { platform, stripe, webhookSecret, webhookUrl };
}

/** Opens a checkout for the user through the gateway and returns the session id. */
export async function checkout(
  platform: TestPlatform,
  user: TestUser,
  packageId: string,
): Promise<string> {
  const response = await platform.gql<{ createCheckoutSession: { id: string } }>(
    CHECKOUT,
    { p: packageId, s: `${APP_URL}/billing/success`, c: `${APP_URL}/billing/cancel` },
    { token: user.accessToken },
  );
  if (!response.body.data) throw new Error(JSON.stringify(response.body));
  return response.body.data.createCheckoutSession.id;
}

export async function query<T = Record<string, unknown>>(
  platform: TestPlatform,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return platform.credits.dataSource.query(
    sql.replaceAll('$schema', schemaOf(platform.credits.dataSource)),
    params,
  );
}

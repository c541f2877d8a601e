import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { AppError, badInput, type Logger } from '@bastion/platform';
import { CreditAccountEntity } from '../accounts/ledger.entity';
import type { CreditPackage } from '../packages/packages';
import { paymentsOff, upstreamError } from './client';
import { StripeCustomers } from './customers';

export interface CheckoutSession {
  id: string;
  url: string;
}

/** Stripe Checkout for a credit package, and the owner's saved cards. */
export class CheckoutService {
  private readonly customers: StripeCustomers | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly stripe: Stripe | null,
    private readonly packages: readonly CreditPackage[],
    /** Where the app is (appBaseUrl: APP_URL, or the console outside production), read at each checkout. */
    private readonly appUrl: () => string,
    private readonly logger: Logger,
  ) {
    this.customers = stripe ? new StripeCustomers(dataSource, stripe) : null;
  }

  private get allowedOrigin(): string {
    return new URL(this.appUrl()).origin;
  }

  /**
   * `buyer.organizationId`: the buyer's active organization (from their access token), carried in
   * the session's metadata (and the subscription's) so the webhook's CREDITS_PURCHASED and
   * subscription CREDITS_GRANTED name it.
   */
  async create(
    buyer: { userId: string; organizationId: string | null },
    packageId: string,
    successUrl: string,
    cancelUrl: string,
  ): Promise<CheckoutSession> {
    const pkg = this.packages.find((p) => p.id === packageId);
    const problems: Record<string, string> = {};
    if (!pkg) problems.packageId = 'Unknown package.';
    // Only our own app may be the place Stripe sends the buyer back to (no open redirect).
    if (!this.onAllowedOrigin(successUrl))
      problems.successUrl = `Must be a URL on ${this.allowedOrigin}.`;
    if (!this.onAllowedOrigin(cancelUrl))
      problems.cancelUrl = `Must be a URL on ${this.allowedOrigin}.`;
    if (Object.keys(problems).length > 0 || !pkg) throw badInput(problems);
    if (!this.stripe || !this.customers) throw paymentsOff();
    const { userId, organizationId } = buyer;
    const account = await this.dataSource.getRepository(CreditAccountEntity).findOneBy({ userId });
    if (!account || account.closedAt)
      throw new AppError('NOT_FOUND', { message: 'No credit account for this user.' });
    const metadata = { userId, packageId: pkg.id, ...(organizationId && { organizationId }) };
    try {
      const customer = await this.customers.findOrCreate(userId);
      const session = await this.stripe.checkout.sessions.create({
        mode: pkg.interval ? 'subscription' : 'payment',
        customer,
        client_reference_id: userId,
        metadata,
        line_items: [
          // The package's own Stripe price when it names one, else the price inline.
          pkg.stripePriceId
            ? { quantity: 1, price: pkg.stripePriceId }
            : {
                quantity: 1,
                price_data: {
                  currency: pkg.currency,
                  unit_amount: pkg.priceCents,
                  ...(pkg.stripeProductId
                    ? { product: pkg.stripeProductId }
                    : { product_data: { name: pkg.name } }),
                  ...(pkg.interval ? { recurring: { interval: pkg.interval } } : {}),
                },
              },
        ],
        // The same ids ride on the payment or the subscription, so refunds and invoices name the buyer too.
        ...(pkg.interval
          ? { subscription_data: { metadata } }
          : { payment_intent_data: { metadata } }),
        success_url: successUrl,
        cancel_url: cancelUrl,
      });
      if (!session.url) throw new Error('checkout session without url');
      return { id: session.id, url: session.url };
    } catch (error) {
      throw upstreamError(this.logger, error, 'checkout');
    }
  }

  /** The owner's saved cards; none when payments are off or the user never checked out. */
  async paymentMethods(
    userId: string,
  ): Promise<{ id: string; brand: string; last4: string; expMonth: number; expYear: number }[]> {
    if (!this.customers || !this.stripe) return [];
    const customer = await this.customers.find(userId);
    if (!customer) return [];
    try {
      const list = await this.stripe.customers.listPaymentMethods(customer, {
        type: 'card',
        limit: 20,
      });
      return list.data
        .filter((m) => m.card)
        .map((m) => ({
          id: m.id,
          brand: m.card!.brand,
          last4: m.card!.last4,
          expMonth: m.card!.exp_month,
          expYear: m.card!.exp_year,
        }));
    } catch (error) {
      throw upstreamError(this.logger, error, 'payment methods');
    }
  }

  private onAllowedOrigin(value: string): boolean {
    try {
      const url = new URL(value);
      return url.origin === this.allowedOrigin && !url.username && !url.password;
    } catch {
      return false;
    }
  }
}

export interface CreditPackage {
  id: string;
  name: string;
  credits: number;
  priceCents: number;
  currency: string;
  /** "month" for a subscription that grants `credits` on every paid invoice. */
  interval?: 'month';
}

/** What Stripe says was paid, as far as the event tells. */
export interface PaidAmount {
  amountCents: number | null;
  currency: string | null;
}

/**
 * Why a payment does not buy `pkg`, or null when it does. The amount paid must be at least the
 * package's price (taxes added on top may make it more; a coupon, a trial, a customer balance or
 * a zero-amount invoice make it less and buy nothing), in the package's currency. Paying more
 * never grants more than the package's credits.
 */
export function paymentMismatch(pkg: CreditPackage, paid: PaidAmount): string | null {
  if (paid.amountCents === null) return `no amount paid for package ${pkg.id}`;
  if (paid.amountCents < pkg.priceCents)
    return `paid ${paid.amountCents} for package ${pkg.id}, which costs ${pkg.priceCents}`;
  if (paid.currency?.toLowerCase() !== pkg.currency.toLowerCase())
    return `paid in ${String(paid.currency)} for package ${pkg.id}, sold in ${pkg.currency}`;
  return null;
}

export interface CreditPackage {
  id: string;
  name: string;
  credits: number;
  priceCents: number;
  currency: string;
  /** "month" for a subscription that grants `credits` on every paid invoice. */
  interval?: 'month';
  /** The Stripe Price checkout sells (else checkout sends the price inline); paid lines must name it. */
  stripePriceId?: string;
  /** The Stripe Product; paid lines must name it. */
  stripeProductId?: string;
}

/** The Stripe price and product one paid line (of a checkout session or an invoice) names. */
export interface PaidLine {
  price: string | null;
  product: string | null;
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

/**
 * Why the paid lines do not name the package's Stripe price or product, or null when one line
 * names both (or the package names neither). A package that names one is never granted by a
 * payment whose lines say nothing.
 */
export function lineMismatch(pkg: CreditPackage, lines: readonly PaidLine[]): string | null {
  if (!pkg.stripePriceId && !pkg.stripeProductId) return null;
  const matches = (line: PaidLine) =>
    (!pkg.stripePriceId || line.price === pkg.stripePriceId) &&
    (!pkg.stripeProductId || line.product === pkg.stripeProductId);
  if (lines.some(matches)) return null;
  const named = lines.map((l) => `${String(l.price)}/${String(l.product)}`).join(', ') || 'none';
  return `paid lines (${named}) do not name package ${pkg.id}'s Stripe price or product`;
}

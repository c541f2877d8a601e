/** Loose readers for Stripe objects: field layouts moved between API versions, so each reader tries both. */
export type Obj = Record<string, unknown>;

export const obj = (value: unknown): Obj =>
  value && typeof value === 'object' ? (value as Obj) : {};
export const str = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;
/** An id field that may be expanded into its object. */
export const idOf = (value: unknown): string | null => str(value) ?? str(obj(value).id);
export const int = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) ? value : null;

/** The subscription an invoice belongs to (`subscription` before 2025-03-31, `parent.subscription_details` since). */
export function invoiceSubscription(invoice: Obj): { id: string | null; metadata: Obj } {
  const details = obj(obj(invoice.parent).subscription_details);
  const legacy = obj(invoice.subscription_details);
  const lines = obj(invoice.lines).data;
  const firstLine = Array.isArray(lines) ? obj(lines[0]) : {};
  return {
    id: idOf(details.subscription) ?? idOf(invoice.subscription),
    metadata: { ...obj(firstLine.metadata), ...obj(legacy.metadata), ...obj(details.metadata) },
  };
}

/**
 * How often the invoice's subscription bills, when the invoice says: a line's
 * `price.recurring.interval` or `plan.interval` (API versions that expand them). Null when no
 * line names one (newer versions give the price as an id only); a named one must match.
 */
export function invoiceInterval(invoice: Obj): string | null {
  const lines = obj(invoice.lines).data;
  if (!Array.isArray(lines)) return null;
  for (const line of lines.map(obj)) {
    const interval =
      str(obj(obj(line.price).recurring).interval) ??
      str(obj(line.plan).interval) ??
      str(obj(obj(obj(obj(line.pricing).price_details).price).recurring).interval);
    if (interval) return interval;
  }
  return null;
}

/**
 * The price and product of a line: an invoice line (`price` or `plan` before 2025-03-31,
 * `pricing.price_details` since) or a checkout line item (`price`, possibly expanded).
 */
export function paidLine(line: Obj): { price: string | null; product: string | null } {
  const price = obj(line.price);
  const details = obj(obj(line.pricing).price_details);
  const plan = obj(line.plan);
  return {
    price: idOf(line.price) ?? idOf(details.price) ?? idOf(line.plan),
    product: idOf(price.product) ?? idOf(details.product) ?? idOf(plan.product),
  };
}

/** An invoice's lines as given in the event (the first page, which holds a subscription's line). */
export function invoiceLines(invoice: Obj): Obj[] {
  const lines = obj(invoice.lines).data;
  return Array.isArray(lines) ? lines.map(obj) : [];
}

/**
 * The payment intent that paid an invoice: `payment_intent` before 2025-03-31, since then the
 * first paid entry of `payments` (when the event includes it); null when the invoice names none.
 */
export function invoicePaymentIntent(invoice: Obj): string | null {
  const legacy = idOf(invoice.payment_intent);
  if (legacy) return legacy;
  const payments = obj(invoice.payments).data;
  if (!Array.isArray(payments)) return null;
  for (const entry of payments.map(obj)) {
    const intent = idOf(obj(entry.payment).payment_intent);
    if (intent && (entry.status === undefined || entry.status === 'paid')) return intent;
  }
  return null;
}

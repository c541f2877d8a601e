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

export interface CreditPackage {
  id: string;
  name: string;
  credits: number;
  priceCents: number;
  currency: string;
  /** "month" for a subscription that grants `credits` on every paid invoice. */
  interval?: 'month';
}

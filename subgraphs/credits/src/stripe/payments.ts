import type { EntityManager } from 'typeorm';
import { schemaOf, type Logger } from '@bastion/platform';
import { expireStaleHolds, lockAccount } from '../accounts/account-lock';
import type { LedgerService } from '../accounts/ledger.service';

interface PaymentRow {
  user_id: string | null;
  credits: number | null;
  amount_cents: number | null;
  refunded_cents: number;
  refunded_credits: number;
  disputed_credits: number;
  purchased_at: Date | null;
}

interface DisputeRow {
  id: string;
  status: string;
  amount_cents: number;
  clawed_credits: number;
}

/** A change one dispute made to the balance (negative: taken back; positive: restored). */
export interface DisputeChange {
  disputeId: string;
  status: string;
  delta: number;
  /** How far this change took the balance below zero (the debt it added). */
  debt: number;
}

/** Dispute statuses whose funds stay with the customer: the disputed credits are taken back. */
const INQUIRY_OR_WON = new Set([
  'warning_needs_response',
  'warning_under_review',
  'warning_closed',
  'won',
  'prevented',
]);
/** Statuses after which Stripe changes nothing: a late event with an earlier status is ignored. */
export const FINAL_DISPUTE_STATUSES = ['won', 'lost', 'warning_closed', 'prevented'];

const lockPayment = async (manager: EntityManager, paymentIntent: string) =>
  (
    (await manager.query(
      `SELECT * FROM ${schemaOf(manager.connection)}.stripe_payments WHERE payment_intent = $1 FOR UPDATE`,
      [paymentIntent],
    )) as PaymentRow[]
  )[0];

const share = (credits: number, cents: number, paidCents: number) =>
  Math.floor((credits * Math.min(Math.max(cents, 0), paidCents)) / paidCents);

/** The debt a move from `before` to `after` added (both balances; a negative balance is a debt). */
const debtAdded = (before: number, after: number) =>
  Math.max(0, Math.max(0, -after) - Math.max(0, -before));

/**
 * Applies what Stripe has refunded of a purchase, whatever order the purchase and the refunds
 * arrived in: the credits owed back are recomputed from the cumulative refunded amount (less what
 * disputes already took back), and only the difference to what was already taken back becomes a
 * REFUND row. The whole share is taken back: when the credits were already spent the balance goes
 * below zero, which is the account's debt (spends and holds are refused until credits cover it);
 * the part of it the balance could not cover is added to the payment's `refund_shortfall`.
 * Returns the debt this call added.
 */
export async function applyRefunds(
  manager: EntityManager,
  ledger: LedgerService,
  logger: Logger,
  paymentIntent: string,
): Promise<number> {
  const s = schemaOf(manager.connection);
  const row = await lockPayment(manager, paymentIntent);
  if (!row?.purchased_at || !row.user_id || !row.credits || !row.amount_cents) return 0;
  const owed = Math.min(
    share(row.credits, row.refunded_cents, row.amount_cents),
    row.credits - row.disputed_credits,
  );
  const delta = owed - row.refunded_credits;
  if (delta <= 0) return 0;
  const account = await lockAccount(manager, row.user_id);
  await expireStaleHolds(manager, row.user_id);
  const entry = await ledger.write(
    manager,
    {
      userId: row.user_id,
      amount: delta,
      type: 'REFUND',
      description: 'Stripe refund',
      idempotencyKey: `stripe-refund:${paymentIntent}:${owed}`,
      reason: 'STRIPE_REFUND',
    },
    -delta,
    account.balance - account.held,
    { allowDebt: true },
  );
  const debt = debtAdded(account.balance, entry.balanceAfter);
  await manager.query(
    `UPDATE ${s}.stripe_payments SET refunded_credits = $2, refund_shortfall = refund_shortfall + $3, updated_at = now() WHERE payment_intent = $1`,
    [paymentIntent, owed, debt],
  );
  if (debt > 0)
    logger.warn(
      { paymentIntent, debt, balance: entry.balanceAfter },
      'refund exceeds the credits left; the account is in debt',
    );
  return debt;
}

/**
 * Brings what the payment's disputes take back in line with their statuses: an open or lost
 * dispute takes back its share of the purchased credits (a REFUND row, reason DISPUTE_WITHDRAWN;
 * the balance may go below zero, a debt), a won dispute or an inquiry takes nothing, so what it
 * took is restored (an ADJUSTMENT row, reason DISPUTE_REINSTATED). Disputes and refunds together
 * never take back more than the purchase granted. `eventId` (the Stripe event being applied)
 * keys the ledger rows, so a step is written once.
 */
export async function applyDisputes(
  manager: EntityManager,
  ledger: LedgerService,
  logger: Logger,
  paymentIntent: string,
  eventId: string,
): Promise<DisputeChange[]> {
  const s = schemaOf(manager.connection);
  const row = await lockPayment(manager, paymentIntent);
  if (!row?.purchased_at || !row.user_id || !row.credits || !row.amount_cents) return [];
  const disputes: DisputeRow[] = await manager.query(
    `SELECT id, status, amount_cents, clawed_credits FROM ${s}.stripe_disputes WHERE payment_intent = $1 ORDER BY id FOR UPDATE`,
    [paymentIntent],
  );
  const changes: DisputeChange[] = [];
  let taken = 0;
  for (const dispute of disputes) {
    const wanted = INQUIRY_OR_WON.has(dispute.status)
      ? 0
      : share(row.credits, dispute.amount_cents, row.amount_cents);
    const target = Math.max(0, Math.min(wanted, row.credits - row.refunded_credits - taken));
    taken += target;
    const delta = dispute.clawed_credits - target;
    if (delta === 0) continue;
    const account = await lockAccount(manager, row.user_id);
    await expireStaleHolds(manager, row.user_id);
    const entry = await ledger.write(
      manager,
      {
        userId: row.user_id,
        amount: Math.abs(delta),
        type: delta < 0 ? 'REFUND' : 'ADJUSTMENT',
        description: delta < 0 ? 'Stripe dispute opened' : 'Stripe dispute won',
        idempotencyKey: `stripe-dispute:${dispute.id}:${eventId}`,
        reason: delta < 0 ? 'DISPUTE_WITHDRAWN' : 'DISPUTE_REINSTATED',
      },
      delta,
      account.balance - account.held,
      { allowDebt: true },
    );
    await manager.query(
      `UPDATE ${s}.stripe_disputes SET clawed_credits = $2, updated_at = now() WHERE id = $1`,
      [dispute.id, target],
    );
    const debt = debtAdded(account.balance, entry.balanceAfter);
    if (debt > 0)
      logger.warn(
        { paymentIntent, dispute: dispute.id, debt, balance: entry.balanceAfter },
        'dispute takes back more than the credits left; the account is in debt',
      );
    changes.push({ disputeId: dispute.id, status: dispute.status, delta, debt });
  }
  await manager.query(
    `UPDATE ${s}.stripe_payments SET disputed_credits = $2, updated_at = now() WHERE payment_intent = $1`,
    [paymentIntent, taken],
  );
  return changes;
}

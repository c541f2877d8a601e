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
  purchased_at: Date | null;
}

/**
 * Applies what Stripe has refunded of a purchase, whatever order the purchase and the refunds
 * arrived in: the credits owed back are recomputed from the cumulative refunded amount, and only
 * the difference to what was already taken back becomes a REFUND row. The balance never goes
 * below what running holds reserve (never below zero); what cannot be taken back is recorded as
 * a shortfall. Returns the shortfall of this call.
 */
export async function applyRefunds(
  manager: EntityManager,
  ledger: LedgerService,
  logger: Logger,
  paymentIntent: string,
): Promise<number> {
  const s = schemaOf(manager.connection);
  const [row]: PaymentRow[] = await manager.query(
    `SELECT * FROM ${s}.stripe_payments WHERE payment_intent = $1 FOR UPDATE`,
    [paymentIntent],
  );
  if (!row?.purchased_at || !row.user_id || !row.credits || !row.amount_cents) return 0;
  const owed = Math.floor(
    (row.credits * Math.min(row.refunded_cents, row.amount_cents)) / row.amount_cents,
  );
  const delta = owed - row.refunded_credits;
  if (delta <= 0) return 0;
  const account = await lockAccount(manager, row.user_id);
  const available = Math.max(
    0,
    account.balance - account.held + (await expireStaleHolds(manager, row.user_id)),
  );
  const taken = Math.min(delta, available);
  const shortfall = delta - taken;
  if (taken > 0) {
    await ledger.write(
      manager,
      {
        userId: row.user_id,
        amount: taken,
        type: 'REFUND',
        description: 'Stripe refund',
        idempotencyKey: `stripe-refund:${paymentIntent}:${owed}`,
      },
      -taken,
      available,
    );
  }
  await manager.query(
    `UPDATE ${s}.stripe_payments SET refunded_credits = $2, refund_shortfall = refund_shortfall + $3, updated_at = now() WHERE payment_intent = $1`,
    [paymentIntent, owed, shortfall],
  );
  if (shortfall > 0)
    logger.warn(
      { paymentIntent, shortfall },
      'refund exceeds the credits left; shortfall recorded',
    );
  return shortfall;
}

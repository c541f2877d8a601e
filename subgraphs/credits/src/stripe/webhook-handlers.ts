import type { EntityManager } from 'typeorm';
import { enqueueEvent, schemaOf, type Logger } from '@bastion/platform';
import { CreditAccountEntity } from '../accounts/ledger.entity';
import type { LedgerService } from '../accounts/ledger.service';
import type { CreditPackage } from '../packages/packages';
import { idOf, int, invoiceSubscription, obj, str, type Obj } from './event-fields';
import { applyRefunds } from './payments';

export type Outcome = 'APPLIED' | 'IGNORED' | 'FLAGGED' | 'PENDING';

export interface HandlerResult {
  outcome: Outcome;
  userId?: string | null;
  detail?: string;
}

export interface WebhookDeps {
  ledger: LedgerService;
  packages: readonly CreditPackage[];
  logger: Logger;
}

export interface StripeEventLike {
  id: string;
  type: string;
  created: number;
  data: { object: unknown };
}

const flagged = (detail: string, userId?: string | null): HandlerResult => ({
  outcome: 'FLAGGED',
  detail,
  userId,
});

/** Whether the user has an open account: events for anyone else are recorded and flagged, never credited. */
async function openAccount(manager: EntityManager, userId: string | null): Promise<boolean> {
  if (!userId || !/^[0-9a-f-]{36}$/i.test(userId)) return false;
  const account = await manager.findOneBy(CreditAccountEntity, { userId });
  return Boolean(account && !account.closedAt && !account.anonymizedAt);
}

/** Runs inside the transaction that records the event id: all of it commits, or none. */
export async function handleStripeEvent(
  manager: EntityManager,
  deps: WebhookDeps,
  event: StripeEventLike,
): Promise<HandlerResult> {
  const object = obj(event.data.object);
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return checkoutCompleted(manager, deps, object);
    case 'charge.refunded':
      return chargeRefunded(manager, deps, object);
    case 'invoice.paid':
      return invoicePaid(manager, deps, object);
    case 'customer.subscription.deleted':
      return subscriptionDeleted(manager, deps, object, event.created);
    default:
      return { outcome: 'IGNORED' };
  }
}

async function checkoutCompleted(
  manager: EntityManager,
  deps: WebhookDeps,
  session: Obj,
): Promise<HandlerResult> {
  const metadata = obj(session.metadata);
  const userId = str(metadata.userId);
  // Async payment methods complete unpaid; their async_payment_succeeded event credits later.
  if (session.payment_status !== 'paid')
    return {
      outcome: 'IGNORED',
      userId,
      detail: `payment_status ${String(session.payment_status)}`,
    };
  if (!userId || str(session.client_reference_id) !== userId)
    return flagged('session without matching metadata.userId and client_reference_id', userId);
  const pkg = deps.packages.find((p) => p.id === str(metadata.packageId));
  if (!pkg) return flagged(`unknown package ${String(metadata.packageId)}`, userId);
  if (!(await openAccount(manager, userId)))
    return flagged('no open account for this user', userId);
  if (session.mode === 'subscription') {
    const subscription = idOf(session.subscription);
    if (!subscription) return flagged('subscription session without subscription', userId);
    await upsertSubscription(manager, subscription, userId, pkg);
    return { outcome: 'APPLIED', userId, detail: 'subscription recorded; invoices grant credits' };
  }
  if (
    int(session.amount_total) !== pkg.priceCents ||
    str(session.currency)?.toLowerCase() !== pkg.currency.toLowerCase()
  ) {
    return flagged('paid amount does not match the package price', userId);
  }
  const sessionId = str(session.id)!;
  const paymentIntent = idOf(session.payment_intent) ?? sessionId;
  const s = schemaOf(manager.connection);
  const fresh: unknown[] = await manager.query(
    `INSERT INTO ${s}.stripe_payments (payment_intent, checkout_session, user_id, package_id, credits, amount_cents, purchased_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, now(), now())
     ON CONFLICT (payment_intent) DO UPDATE SET checkout_session = EXCLUDED.checkout_session, user_id = EXCLUDED.user_id,
       package_id = EXCLUDED.package_id, credits = EXCLUDED.credits, amount_cents = EXCLUDED.amount_cents, purchased_at = now(), updated_at = now()
     WHERE ${s}.stripe_payments.purchased_at IS NULL
     RETURNING payment_intent`,
    [paymentIntent, sessionId, userId, pkg.id, pkg.credits, pkg.priceCents],
  );
  // completed and async_payment_succeeded both name the same payment: it is bought once.
  if (fresh.length === 0) return { outcome: 'IGNORED', userId, detail: 'payment already credited' };
  const row = await deps.ledger.append(
    manager,
    {
      userId,
      amount: pkg.credits,
      type: 'PURCHASE',
      description: `Purchase: ${pkg.name}`,
      idempotencyKey: `stripe:${sessionId}`,
    },
    1,
  );
  await enqueueEvent(manager, 'CREDITS_PURCHASED', {
    userId,
    packageId: pkg.id,
    credits: pkg.credits,
    transactionId: row.id,
    checkoutSessionId: sessionId,
    amountCents: pkg.priceCents,
    currency: pkg.currency,
  });
  // A refund that arrived before this purchase is applied now.
  const shortfall = await applyRefunds(manager, deps.ledger, deps.logger, paymentIntent);
  return shortfall > 0
    ? flagged(`refund shortfall ${shortfall}`, userId)
    : { outcome: 'APPLIED', userId };
}

async function chargeRefunded(
  manager: EntityManager,
  deps: WebhookDeps,
  charge: Obj,
): Promise<HandlerResult> {
  const paymentIntent = idOf(charge.payment_intent);
  const refunded = int(charge.amount_refunded);
  if (!paymentIntent || refunded === null)
    return flagged('charge without payment_intent or amount_refunded');
  const s = schemaOf(manager.connection);
  // amount_refunded is cumulative: the larger figure wins, so refunds may arrive in any order.
  const [row]: { user_id: string | null; purchased_at: Date | null }[] = await manager.query(
    `INSERT INTO ${s}.stripe_payments (payment_intent, refunded_cents, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (payment_intent) DO UPDATE SET refunded_cents = greatest(${s}.stripe_payments.refunded_cents, EXCLUDED.refunded_cents), updated_at = now()
     RETURNING user_id, purchased_at`,
    [paymentIntent, refunded],
  );
  if (!row.purchased_at)
    return {
      outcome: 'PENDING',
      userId: str(obj(charge.metadata).userId),
      detail: 'refund before its purchase; applied when it arrives',
    };
  if (!row.user_id || !(await openAccount(manager, row.user_id)))
    return flagged('refund for a deleted or unknown account', row.user_id);
  const shortfall = await applyRefunds(manager, deps.ledger, deps.logger, paymentIntent);
  return shortfall > 0
    ? flagged(`refund shortfall ${shortfall}`, row.user_id)
    : { outcome: 'APPLIED', userId: row.user_id };
}

async function invoicePaid(
  manager: EntityManager,
  deps: WebhookDeps,
  invoice: Obj,
): Promise<HandlerResult> {
  const { id: subscriptionId, metadata } = invoiceSubscription(invoice);
  if (!subscriptionId) return { outcome: 'IGNORED', detail: 'invoice outside a subscription' };
  const s = schemaOf(manager.connection);
  const [known]: {
    user_id: string | null;
    package_id: string;
    status: string;
    ended_at: Date | null;
  }[] = await manager.query(
    `SELECT user_id, package_id, status, ended_at FROM ${s}.credit_subscriptions WHERE id = $1 FOR UPDATE`,
    [subscriptionId],
  );
  const userId = known?.user_id ?? str(metadata.userId);
  const pkg =
    deps.packages.find((p) => p.id === known?.package_id) ??
    deps.packages.find((p) => p.id === str(metadata.packageId));
  if (!pkg) return flagged('invoice for an unknown package', userId);
  if (!(await openAccount(manager, userId)))
    return flagged('no open account for this user', userId);
  // An invoice delivered after the end event still grants if it was issued before the end.
  const issuedAt = (int(invoice.created) ?? 0) * 1000;
  if (known?.status === 'ENDED' && known.ended_at && issuedAt > known.ended_at.getTime())
    return flagged('invoice issued after the subscription ended', userId);
  if (!known) await upsertSubscription(manager, subscriptionId, userId!, pkg);
  await deps.ledger.append(
    manager,
    {
      userId: userId!,
      amount: pkg.credits,
      type: 'GRANT',
      description: `Monthly credits: ${pkg.name}`,
      idempotencyKey: `stripe:${str(invoice.id)}`,
    },
    1,
  );
  return { outcome: 'APPLIED', userId };
}

async function subscriptionDeleted(
  manager: EntityManager,
  deps: WebhookDeps,
  subscription: Obj,
  eventCreated: number,
): Promise<HandlerResult> {
  const id = str(subscription.id);
  if (!id) return flagged('subscription without id');
  const metadata = obj(subscription.metadata);
  const endedAt = new Date(
    (int(subscription.ended_at) ?? int(subscription.canceled_at) ?? eventCreated) * 1000,
  );
  const pkg = deps.packages.find((p) => p.id === str(metadata.packageId));
  const s = schemaOf(manager.connection);
  await manager.query(
    `INSERT INTO ${s}.credit_subscriptions (id, user_id, package_id, credits, status, ended_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'ENDED', $5, now(), now())
     ON CONFLICT (id) DO UPDATE SET status = 'ENDED', ended_at = EXCLUDED.ended_at, updated_at = now()`,
    [
      id,
      (await openAccount(manager, str(metadata.userId))) ? str(metadata.userId) : null,
      pkg?.id ?? 'unknown',
      pkg?.credits ?? 1,
      endedAt,
    ],
  );
  return { outcome: 'APPLIED', userId: str(metadata.userId) };
}

async function upsertSubscription(
  manager: EntityManager,
  id: string,
  userId: string,
  pkg: CreditPackage,
): Promise<void> {
  await manager.query(
    `INSERT INTO ${schemaOf(manager.connection)}.credit_subscriptions (id, user_id, package_id, credits, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'ACTIVE', now(), now()) ON CONFLICT (id) DO NOTHING`,
    [id, userId, pkg.id, pkg.credits],
  );
}

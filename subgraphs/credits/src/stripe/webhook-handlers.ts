import type Stripe from 'stripe';
import type { EntityManager } from 'typeorm';
import { enqueueEvent, schemaOf, type Logger } from '@bastion/platform';
import { CreditAccountEntity } from '../accounts/ledger.entity';
import type { LedgerService } from '../accounts/ledger.service';
import {
  lineMismatch,
  paymentMismatch,
  type CreditPackage,
  type PaidLine,
} from '../packages/packages';
import { UUID } from '../accounts/validate';
import { auditStripe } from './audit';
import {
  idOf,
  int,
  invoiceInterval,
  invoiceLines,
  invoicePaymentIntent,
  invoiceSubscription,
  obj,
  paidLine,
  str,
  type Obj,
} from './event-fields';
import { FINAL_DISPUTE_STATUSES, applyDisputes, applyRefunds } from './payments';

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
  /** Asks Stripe for a checkout session's line items when its package names a price or product. */
  stripe?: Stripe | null;
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

/**
 * The buyer's active organization as checkout put it in the metadata (absent when they had
 * none); anything but an organization id is ignored, never passed on in an event.
 */
function organizationOf(metadata: Obj): string | null {
  const id = str(metadata.organizationId);
  return id && UUID.test(id) ? id.toLowerCase() : null;
}

/** Whether the user has an open account: events for anyone else are recorded and flagged, never credited. */
async function openAccount(manager: EntityManager, userId: string | null): Promise<boolean> {
  if (!userId || !/^[0-9a-f-]{36}$/i.test(userId)) return false;
  const account = await manager.findOneBy(CreditAccountEntity, { userId });
  return Boolean(account && !account.closedAt && !account.anonymizedAt);
}

/** What an event needs from Stripe's API, asked before its transaction opens. */
export interface Prefetched {
  /** A one-time checkout's paid lines, when its package names a Stripe price or product. */
  checkoutLines?: PaidLine[] | null;
}

/**
 * Asks Stripe, outside any transaction (an embedded database runs one at a time), for what the
 * event does not carry: a checkout session's line items when its package names a price or
 * product and the event has none. A failure throws: the delivery answers 500 and Stripe retries.
 */
export async function prefetchForEvent(
  deps: WebhookDeps,
  event: StripeEventLike,
): Promise<Prefetched> {
  if (
    event.type !== 'checkout.session.completed' &&
    event.type !== 'checkout.session.async_payment_succeeded'
  )
    return {};
  const session = obj(event.data.object);
  const pkg = deps.packages.find((p) => p.id === str(obj(session.metadata).packageId));
  const id = str(session.id);
  if (!id || !pkg || (!pkg.stripePriceId && !pkg.stripeProductId)) return {};
  if (session.mode === 'subscription' || session.payment_status !== 'paid') return {};
  const given = obj(session.line_items).data;
  if (Array.isArray(given)) return { checkoutLines: given.map((line) => paidLine(obj(line))) };
  if (!deps.stripe) return { checkoutLines: null };
  const items = await deps.stripe.checkout.sessions.listLineItems(id, { limit: 100 });
  return { checkoutLines: items.data.map((item) => paidLine(item as unknown as Obj)) };
}

/** Runs inside the transaction that records the event id: all of it commits, or none. */
export async function handleStripeEvent(
  manager: EntityManager,
  deps: WebhookDeps,
  event: StripeEventLike,
  prefetched: Prefetched = {},
): Promise<HandlerResult> {
  const object = obj(event.data.object);
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return checkoutCompleted(manager, deps, object, event.id, prefetched.checkoutLines);
    case 'charge.refunded':
      return chargeRefunded(manager, deps, object);
    case 'charge.dispute.created':
    case 'charge.dispute.updated':
    case 'charge.dispute.closed':
    case 'charge.dispute.funds_withdrawn':
    case 'charge.dispute.funds_reinstated':
      return disputeChanged(manager, deps, object, event.id);
    case 'invoice.paid':
      return invoicePaid(manager, deps, object, event.id);
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
  eventId: string,
  lines: PaidLine[] | null | undefined,
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
  // A one-off package is bought only by a one-time payment, a subscription package only by a
  // subscription (whose invoices grant its credits).
  if (session.mode === 'subscription' && !pkg.interval)
    return flagged(`one-off package ${pkg.id} in a subscription checkout`, userId);
  if (session.mode !== 'subscription' && pkg.interval)
    return flagged(`subscription package ${pkg.id} in a one-time checkout`, userId);
  if (session.mode === 'subscription') {
    const subscription = idOf(session.subscription);
    if (!subscription) return flagged('subscription session without subscription', userId);
    await upsertSubscription(manager, subscription, userId, pkg);
    return { outcome: 'APPLIED', userId, detail: 'subscription recorded; invoices grant credits' };
  }
  const mismatch = paymentMismatch(pkg, {
    amountCents: int(session.amount_total),
    currency: str(session.currency),
  });
  if (mismatch) return flagged(mismatch, userId);
  const sessionId = str(session.id)!;
  if (pkg.stripePriceId || pkg.stripeProductId) {
    if (!lines) return flagged(`no line items to check package ${pkg.id} against`, userId);
    const wrong = lineMismatch(pkg, lines);
    if (wrong) return flagged(wrong, userId);
  }
  const paymentIntent = idOf(session.payment_intent) ?? sessionId;
  const s = schemaOf(manager.connection);
  const fresh: unknown[] = await manager.query(
    `INSERT INTO ${s}.stripe_payments (payment_intent, checkout_session, user_id, package_id, credits, amount_cents, currency, purchased_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now())
     ON CONFLICT (payment_intent) DO UPDATE SET checkout_session = EXCLUDED.checkout_session, user_id = EXCLUDED.user_id,
       package_id = EXCLUDED.package_id, credits = EXCLUDED.credits, amount_cents = EXCLUDED.amount_cents,
       currency = EXCLUDED.currency, purchased_at = now(), updated_at = now()
     WHERE ${s}.stripe_payments.purchased_at IS NULL
     RETURNING payment_intent`,
    // Refunds and disputes are shares of what was really paid (at least the price).
    [
      paymentIntent,
      sessionId,
      userId,
      pkg.id,
      pkg.credits,
      int(session.amount_total),
      pkg.currency.toLowerCase(),
    ],
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
      reason: 'STRIPE_PURCHASE',
    },
    1,
  );
  const organizationId = organizationOf(metadata);
  await enqueueEvent(manager, 'CREDITS_PURCHASED', {
    userId,
    packageId: pkg.id,
    credits: pkg.credits,
    transactionId: row.id,
    checkoutSessionId: sessionId,
    amountCents: pkg.priceCents,
    currency: pkg.currency,
    ...(organizationId && { organizationId }),
  });
  // A refund or dispute that arrived before this purchase is applied now.
  const debt = await applyRefunds(manager, deps.ledger, deps.logger, paymentIntent);
  if (debt > 0)
    await auditStripe(manager, 'credits.debt_recorded', userId, { paymentIntent, debt });
  await disputesApplied(manager, deps, paymentIntent, eventId, userId);
  return { outcome: 'APPLIED', userId };
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
  const debt = await applyRefunds(manager, deps.ledger, deps.logger, paymentIntent);
  if (debt > 0)
    await auditStripe(manager, 'credits.debt_recorded', row.user_id, { paymentIntent, debt });
  return {
    outcome: 'APPLIED',
    userId: row.user_id,
    detail: debt > 0 ? `refund left a debt of ${debt}` : undefined,
  };
}

/**
 * Any dispute event: the dispute's latest status is recorded (a final status, won, lost or
 * warning_closed, is never replaced by an earlier one arriving late) and what its disputes take
 * back is brought in line (applyDisputes). A dispute before its purchase waits for it.
 */
async function disputeChanged(
  manager: EntityManager,
  deps: WebhookDeps,
  dispute: Obj,
  eventId: string,
): Promise<HandlerResult> {
  const id = str(dispute.id);
  const paymentIntent = idOf(dispute.payment_intent);
  const amount = int(dispute.amount);
  const status = str(dispute.status);
  if (!id || !paymentIntent || amount === null || !status)
    return flagged('dispute without id, payment_intent, amount or status');
  const s = schemaOf(manager.connection);
  // The payment's row first (created empty when the purchase is still to come): every writer
  // locks payment, then dispute, then account, in that order.
  const [payment]: { user_id: string | null; purchased_at: Date | null }[] = await manager.query(
    `INSERT INTO ${s}.stripe_payments (payment_intent, updated_at) VALUES ($1, now())
     ON CONFLICT (payment_intent) DO UPDATE SET updated_at = now() RETURNING user_id, purchased_at`,
    [paymentIntent],
  );
  const [before]: { status: string }[] = await manager.query(
    `SELECT status FROM ${s}.stripe_disputes WHERE id = $1 FOR UPDATE`,
    [id],
  );
  const final = (value: string | undefined) =>
    value !== undefined && FINAL_DISPUTE_STATUSES.includes(value);
  const current = final(before?.status) ? before.status : status;
  await manager.query(
    `INSERT INTO ${s}.stripe_disputes (id, payment_intent, status, amount_cents, created_at, updated_at)
     VALUES ($1, $2, $3, $4, now(), now())
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, amount_cents = EXCLUDED.amount_cents, updated_at = now()`,
    [id, paymentIntent, current, amount],
  );
  const closedNow = final(current) && before?.status !== current;
  if (!payment.purchased_at)
    return {
      outcome: 'PENDING',
      userId: str(obj(dispute.metadata).userId),
      detail: 'dispute before its purchase; applied when it arrives',
    };
  if (!payment.user_id || !(await openAccount(manager, payment.user_id)))
    return flagged('dispute for a deleted or unknown account', payment.user_id);
  await disputesApplied(manager, deps, paymentIntent, eventId, payment.user_id);
  // A won dispute gives back credits a refund may take now.
  const debt = await applyRefunds(manager, deps.ledger, deps.logger, paymentIntent);
  if (debt > 0)
    await auditStripe(manager, 'credits.debt_recorded', payment.user_id, { paymentIntent, debt });
  if (closedNow)
    await auditStripe(manager, 'credits.dispute_closed', payment.user_id, {
      disputeId: id,
      paymentIntent,
      status: current,
      eventId,
    });
  return { outcome: 'APPLIED', userId: payment.user_id, detail: `dispute ${current}` };
}

/** applyDisputes, with an audit event (and one for any debt) per change it made. */
async function disputesApplied(
  manager: EntityManager,
  deps: WebhookDeps,
  paymentIntent: string,
  eventId: string,
  userId: string,
): Promise<void> {
  const changes = await applyDisputes(manager, deps.ledger, deps.logger, paymentIntent, eventId);
  for (const change of changes) {
    await auditStripe(
      manager,
      change.delta < 0 ? 'credits.dispute_withdrawn' : 'credits.dispute_reinstated',
      userId,
      {
        disputeId: change.disputeId,
        paymentIntent,
        status: change.status,
        credits: Math.abs(change.delta),
        eventId,
      },
    );
    if (change.debt > 0)
      await auditStripe(manager, 'credits.debt_recorded', userId, {
        paymentIntent,
        disputeId: change.disputeId,
        debt: change.debt,
      });
  }
}

async function invoicePaid(
  manager: EntityManager,
  deps: WebhookDeps,
  invoice: Obj,
  eventId: string,
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
  // The package recorded with the subscription at checkout wins over the invoice's metadata.
  const packageId = known?.package_id ?? str(metadata.packageId);
  const pkg = deps.packages.find((p) => p.id === packageId);
  if (!pkg) return flagged(`invoice for an unknown package ${String(packageId)}`, userId);
  // Only a subscription package is granted by invoices, only at its price, currency and interval.
  if (!pkg.interval) return flagged(`one-off package ${pkg.id} on a subscription invoice`, userId);
  const interval = invoiceInterval(invoice);
  if (interval !== null && interval !== pkg.interval)
    return flagged(
      `invoice billed every ${interval} for package ${pkg.id}, billed every ${pkg.interval}`,
      userId,
    );
  const mismatch =
    paymentMismatch(pkg, {
      amountCents: int(invoice.amount_paid),
      currency: str(invoice.currency),
    }) ?? lineMismatch(pkg, invoiceLines(invoice).map(paidLine));
  if (mismatch) return flagged(mismatch, userId);
  if (!(await openAccount(manager, userId)))
    return flagged('no open account for this user', userId);
  // An invoice delivered after the end event still grants if it was issued before the end.
  const issuedAt = (int(invoice.created) ?? 0) * 1000;
  if (known?.status === 'ENDED' && known.ended_at && issuedAt > known.ended_at.getTime())
    return flagged('invoice issued after the subscription ended', userId);
  if (!known) await upsertSubscription(manager, subscriptionId, userId!, pkg);
  // The invoice's payment is recorded like a checkout's, so its refunds and disputes take back.
  const paymentIntent = invoicePaymentIntent(invoice);
  if (paymentIntent)
    await manager.query(
      `INSERT INTO ${s}.stripe_payments (payment_intent, user_id, package_id, credits, amount_cents, currency, purchased_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, now(), now())
       ON CONFLICT (payment_intent) DO UPDATE SET user_id = EXCLUDED.user_id, package_id = EXCLUDED.package_id,
         credits = EXCLUDED.credits, amount_cents = EXCLUDED.amount_cents, currency = EXCLUDED.currency,
         purchased_at = now(), updated_at = now()
       WHERE ${s}.stripe_payments.purchased_at IS NULL`,
      [
        paymentIntent,
        userId,
        pkg.id,
        pkg.credits,
        int(invoice.amount_paid),
        pkg.currency.toLowerCase(),
      ],
    );
  await deps.ledger.append(
    manager,
    {
      userId: userId!,
      amount: pkg.credits,
      type: 'GRANT',
      description: `Monthly credits: ${pkg.name}`,
      idempotencyKey: `stripe:${str(invoice.id)}`,
      reason: 'STRIPE_INVOICE',
      // The organization active when the subscription was bought (its metadata, from checkout).
      organizationId: organizationOf(metadata),
      grant: { source: 'subscription', packageId: pkg.id },
    },
    1,
  );
  if (paymentIntent) {
    // A refund or dispute of this invoice's charge that arrived first is applied now.
    const debt = await applyRefunds(manager, deps.ledger, deps.logger, paymentIntent);
    if (debt > 0)
      await auditStripe(manager, 'credits.debt_recorded', userId, { paymentIntent, debt });
    await disputesApplied(manager, deps, paymentIntent, eventId, userId!);
  }
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

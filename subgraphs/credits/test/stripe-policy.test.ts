import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { stripeEvent, type FakeStripe, type TestPlatform, type TestUser } from '@bastion/testing';
import {
  ADD,
  HOLD,
  SETTLE,
  USE,
  asService,
  codeOf,
  ledgerOf,
  userWithAccount,
} from './credits-client';
import { checkout, query, startWithStripe } from './stripe-setup';

type Obj = Record<string, unknown>;

/** What this file sells (docs/configuration.md "Connecting Stripe", CREDIT_PACKAGES). */
const PACKAGES = [
  { id: 'starter', name: 'Starter', credits: 100, priceCents: 500, currency: 'usd' },
  { id: 'team', name: 'Team', credits: 10000, priceCents: 7000, currency: 'usd' },
  {
    id: 'monthly',
    name: 'Monthly',
    credits: 300,
    priceCents: 1000,
    currency: 'usd',
    interval: 'month',
  },
  {
    id: 'pro',
    name: 'Pro',
    credits: 2500,
    priceCents: 2000,
    currency: 'usd',
    stripePriceId: 'price_test_bastion_pro',
  },
  {
    id: 'monthly-pro',
    name: 'Monthly Pro',
    credits: 1000,
    priceCents: 1500,
    currency: 'usd',
    interval: 'month',
    stripeProductId: 'prod_test_bastion_monthly',
  },
];

/**
 * The grant and clawback policy (docs/security.md "Stripe policy"), attack by attack. Every event is
 * signed by the real stripe library's test header; every expected balance is written by hand.
 */
describe('Stripe: grants match the package; refunds and disputes take credits back', () => {
  let platform: TestPlatform;
  let stripe: FakeStripe;
  let secret: string;
  let url: string;
  let service: ReturnType<typeof asService>;

  beforeAll(async () => {
    ({
      platform,
      stripe,
      webhookSecret: secret,
      webhookUrl: url,
    } = await startWithStripe(PACKAGES));
    service = asService(platform);
  });
  afterAll(async () => {
    await platform.stop();
    await stripe.stop();
  });

  /** Delivers an event as Stripe does; the answer is its outcome ('DUPLICATE' for a replay). */
  async function deliver(event: Obj): Promise<string> {
    const payload = JSON.stringify(event);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }),
      },
      body: payload,
    });
    const body = (await response.json()) as Obj;
    if (response.status !== 200) return `HTTP ${response.status}`;
    return String(body.outcome);
  }

  const now = () => Math.floor(Date.now() / 1000);
  const paidSession = async (user: TestUser, packageId: string) =>
    stripe.paidSession(await checkout(platform, user, packageId));
  const spend = (user: TestUser, amount: number) => async () =>
    String(codeOf(await service(USE, { u: user.id, a: amount, k: randomUUID() })) ?? 'OK');
  const hold = (user: TestUser, amount: number) => async () =>
    String(codeOf(await service(HOLD, { u: user.id, a: amount, k: randomUUID() })) ?? 'OK');
  const grant = (user: TestUser, amount: number) => async () =>
    String(
      codeOf(await service(ADD, { u: user.id, a: amount, k: randomUUID(), t: 'GRANT' })) ?? 'OK',
    );
  const send = (event: Obj) => () => deliver(event);
  const dispute = (id: string, session: Obj, amount: number, status: string) => ({
    id,
    object: 'dispute',
    amount,
    currency: 'usd',
    charge: `ch_${id}`,
    payment_intent: session.payment_intent,
    reason: 'fraudulent',
    status,
    metadata: {},
  });
  const refund = (session: Obj, amountRefunded: number) =>
    stripeEvent('charge.refunded', {
      id: `ch_${randomUUID()}`,
      object: 'charge',
      amount: 500,
      amount_refunded: amountRefunded,
      payment_intent: session.payment_intent,
      currency: 'usd',
    });

  type Step = [label: string, action: () => Promise<string>, answer: string, balance: number];
  /** Runs the steps in order; after each, the answer and the balance must be the table's. */
  async function play(user: TestUser, steps: Step[]): Promise<void> {
    for (const [label, action, answer, balance] of steps) {
      const got = await action();
      const { balance: actual, sum } = await ledgerOf(platform, user.id);
      expect({ label, answer: got, balance: actual, ledgerSum: sum }).toEqual({
        label,
        answer,
        balance,
        ledgerSum: balance,
      });
    }
  }
  const ledgerLines = async (userId: string) =>
    (
      await query<{ type: string; amount: number; reason: string | null }>(
        platform,
        'SELECT type, amount, reason FROM $schema.credit_transactions WHERE user_id = $1 ORDER BY seq',
        [userId],
      )
    ).map((r) => `${r.type} ${r.amount}${r.reason ? ` ${r.reason}` : ''}`);
  const auditActions = async (userId: string) =>
    (
      await query<{ action: string }>(
        platform,
        "SELECT data->>'action' AS action FROM $schema.outbox WHERE type = 'AUDIT_RECORDED' AND data->>'targetId' = $1",
        [userId],
      )
    )
      .map((r) => r.action)
      .sort();

  it('grants nothing for a zero-amount, underpaid, wrong-currency or wrong-kind payment; the package price and kind grant', async () => {
    const user = await userWithAccount(platform, 20, { verified: true });
    const invoice = (packageId: string, fields: Obj = {}, subscription = `sub_${randomUUID()}`) =>
      stripeEvent('invoice.paid', {
        id: `in_${randomUUID()}`,
        object: 'invoice',
        created: now(),
        status: 'paid',
        amount_paid: 1000,
        currency: 'usd',
        parent: {
          type: 'subscription_details',
          subscription_details: { subscription, metadata: { userId: user.id, packageId } },
        },
        ...fields,
      });
    const starter = await paidSession(user, 'starter');
    const monthly = await paidSession(user, 'monthly');
    const starterAsSubscription = `sub_${randomUUID()}`;
    const completed = (session: Obj) => stripeEvent('checkout.session.completed', session);

    await play(user, [
      [
        'zero-amount invoice for the one-off team package',
        send(invoice('team', { amount_paid: 0 })),
        'FLAGGED',
        20,
      ],
      [
        'fully paid invoice for the one-off team package',
        send(invoice('team', { amount_paid: 7000 })),
        'FLAGGED',
        20,
      ],
      [
        'zero-amount invoice for the monthly package',
        send(invoice('monthly', { amount_paid: 0 })),
        'FLAGGED',
        20,
      ],
      ['invoice paying 999 of 1000', send(invoice('monthly', { amount_paid: 999 })), 'FLAGGED', 20],
      [
        'invoice paid in eur for a usd package',
        send(invoice('monthly', { currency: 'eur' })),
        'FLAGGED',
        20,
      ],
      [
        'invoice billed yearly for the monthly package',
        send(
          invoice('monthly', {
            lines: { object: 'list', data: [{ price: { recurring: { interval: 'year' } } }] },
          }),
        ),
        'FLAGGED',
        20,
      ],
      ['checkout paid in eur', send(completed({ ...starter, currency: 'eur' })), 'FLAGGED', 20],
      ['checkout paying 0', send(completed({ ...starter, amount_total: 0 })), 'FLAGGED', 20],
      [
        'one-off package bought as a subscription',
        send(
          completed({
            ...starter,
            mode: 'subscription',
            payment_intent: null,
            subscription: starterAsSubscription,
          }),
        ),
        'FLAGGED',
        20,
      ],
      [
        "that subscription's invoice",
        send(invoice('starter', { amount_paid: 500 }, starterAsSubscription)),
        'FLAGGED',
        20,
      ],
      [
        'subscription package bought as a one-time payment',
        send(
          completed({
            ...monthly,
            mode: 'payment',
            subscription: null,
            payment_intent: `pi_${randomUUID()}`,
          }),
        ),
        'FLAGGED',
        20,
      ],
      ['monthly invoice at its price', send(invoice('monthly')), 'APPLIED', 320],
      [
        'monthly invoice with tax on top',
        send(invoice('monthly', { amount_paid: 1100 })),
        'APPLIED',
        620,
      ],
      ['starter checkout at its price', send(completed(starter)), 'APPLIED', 720],
    ]);
    expect(await ledgerLines(user.id)).toEqual([
      'GRANT 20',
      'GRANT 300 STRIPE_INVOICE',
      'GRANT 300 STRIPE_INVOICE',
      'PURCHASE 100 STRIPE_PURCHASE',
    ]);
    // Each refusal is on record: the flagged event, and an audit event through the outbox.
    const flagged = await query<{ detail: string }>(
      platform,
      "SELECT detail FROM $schema.stripe_events WHERE outcome = 'FLAGGED' AND user_id = $1",
      [user.id],
    );
    expect(flagged).toHaveLength(11);
    expect(flagged.every((f) => f.detail.length > 0)).toBe(true);
    expect(await auditActions(user.id)).toEqual(Array(11).fill('credits.stripe_event_flagged'));
    expect(
      await query(platform, 'SELECT id FROM $schema.credit_subscriptions WHERE id = $1', [
        starterAsSubscription,
      ]),
    ).toEqual([]);
  });

  it('a package that names a Stripe price or product is granted only by paid lines naming it', async () => {
    const user = await userWithAccount(platform, 20, { verified: true });
    stripe.addPrice({
      id: 'price_test_bastion_pro',
      product: 'prod_test_bastion_pro',
      unit_amount: 2000,
      currency: 'usd',
    });
    const tampered = await paidSession(user, 'pro');
    // Checkout sells the package's own price by id.
    const sent = stripe.requests.filter(
      (r) => r.method === 'POST' && r.path === '/v1/checkout/sessions',
    );
    expect(sent[sent.length - 1].params.line_items).toEqual([
      { price: 'price_test_bastion_pro', quantity: '1' },
    ]);
    const other = { id: 'price_other', object: 'price', product: 'prod_other' };
    stripe.lineItems.get(tampered.id as string)![0].price = other;
    const genuine = await paidSession(user, 'pro');
    const expanded = await paidSession(user, 'pro');
    const invoice = (lines: Obj[]) =>
      stripeEvent('invoice.paid', {
        id: `in_${randomUUID()}`,
        object: 'invoice',
        created: now(),
        status: 'paid',
        amount_paid: 1500,
        currency: 'usd',
        lines: { object: 'list', data: lines },
        parent: {
          type: 'subscription_details',
          subscription_details: {
            subscription: `sub_${randomUUID()}`,
            metadata: { userId: user.id, packageId: 'monthly-pro' },
          },
        },
      });
    const completed = (session: Obj) => send(stripeEvent('checkout.session.completed', session));
    await play(user, [
      ['checkout whose line Stripe reports with another price', completed(tampered), 'FLAGGED', 20],
      [
        'checkout event carrying lines with another price',
        completed({ ...expanded, line_items: { object: 'list', data: [{ price: other }] } }),
        'FLAGGED',
        20,
      ],
      ['checkout selling the package price', completed(genuine), 'APPLIED', 2520],
      [
        'invoice for another product',
        send(
          invoice([{ pricing: { price_details: { price: 'price_x', product: 'prod_other' } } }]),
        ),
        'FLAGGED',
        2520,
      ],
      ['invoice naming no product', send(invoice([])), 'FLAGGED', 2520],
      [
        'invoice for the product (current API)',
        send(
          invoice([
            {
              pricing: {
                price_details: { price: 'price_y', product: 'prod_test_bastion_monthly' },
              },
            },
          ]),
        ),
        'APPLIED',
        3520,
      ],
      [
        'invoice for the product (API before 2025-03-31)',
        send(
          invoice([
            {
              price: {
                id: 'price_y',
                product: 'prod_test_bastion_monthly',
                recurring: { interval: 'month' },
              },
            },
          ]),
        ),
        'APPLIED',
        4520,
      ],
    ]);
  });

  it('a dispute takes the disputed credits back at once (into debt), blocks spending, and a won dispute restores them', async () => {
    const user = await userWithAccount(platform, 20, { verified: true });
    const session = await paidSession(user, 'starter');
    const id = `dp_${randomUUID()}`;
    const created = stripeEvent(
      'charge.dispute.created',
      dispute(id, session, 500, 'needs_response'),
    );
    await play(user, [
      ['purchase', send(stripeEvent('checkout.session.completed', session)), 'APPLIED', 120],
      ['spend 30', spend(user, 30), 'OK', 90],
      ['dispute created for the whole payment', send(created), 'APPLIED', -10],
      ['the same event again', send(created), 'DUPLICATE', -10],
      ['spend 1 while in debt', spend(user, 1), 'INSUFFICIENT_CREDITS', -10],
      ['hold 1 while in debt', hold(user, 1), 'INSUFFICIENT_CREDITS', -10],
      [
        'funds withdrawn (same dispute)',
        send(
          stripeEvent(
            'charge.dispute.funds_withdrawn',
            dispute(id, session, 500, 'needs_response'),
          ),
        ),
        'APPLIED',
        -10,
      ],
      [
        'dispute won',
        send(stripeEvent('charge.dispute.closed', dispute(id, session, 500, 'won'))),
        'APPLIED',
        90,
      ],
      [
        'funds reinstated',
        send(stripeEvent('charge.dispute.funds_reinstated', dispute(id, session, 500, 'won'))),
        'APPLIED',
        90,
      ],
      [
        'a late event with the open status',
        send(stripeEvent('charge.dispute.updated', dispute(id, session, 500, 'under_review'))),
        'APPLIED',
        90,
      ],
      ['spend 1', spend(user, 1), 'OK', 89],
    ]);
    expect(await ledgerLines(user.id)).toEqual([
      'GRANT 20',
      'PURCHASE 100 STRIPE_PURCHASE',
      'USAGE -30',
      'REFUND -100 DISPUTE_WITHDRAWN',
      'ADJUSTMENT 100 DISPUTE_REINSTATED',
      'USAGE -1',
    ]);
    expect(await auditActions(user.id)).toEqual([
      'credits.debt_recorded',
      'credits.dispute_closed',
      'credits.dispute_reinstated',
      'credits.dispute_withdrawn',
    ]);
  });

  it('concurrent deliveries of one dispute, and of its created and funds_withdrawn events, take back once', async () => {
    const user = await userWithAccount(platform, 20, { verified: true });
    const session = await paidSession(user, 'starter');
    expect(await deliver(stripeEvent('checkout.session.completed', session))).toBe('APPLIED');
    const id = `dp_${randomUUID()}`;
    const created = stripeEvent(
      'charge.dispute.created',
      dispute(id, session, 500, 'needs_response'),
    );
    const withdrawn = stripeEvent(
      'charge.dispute.funds_withdrawn',
      dispute(id, session, 500, 'needs_response'),
    );
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, () => deliver(created)),
      ...Array.from({ length: 8 }, () => deliver(withdrawn)),
    ]);
    expect(answers.filter((a) => a === 'APPLIED')).toHaveLength(2);
    expect(answers.filter((a) => a === 'DUPLICATE')).toHaveLength(14);
    expect(await ledgerOf(platform, user.id)).toMatchObject({ balance: 20, sum: 20 });
    expect(await ledgerLines(user.id)).toEqual([
      'GRANT 20',
      'PURCHASE 100 STRIPE_PURCHASE',
      'REFUND -100 DISPUTE_WITHDRAWN',
    ]);
  });

  it('a lost dispute keeps its share; the debt is paid by the next purchase before anything is spendable', async () => {
    const user = await userWithAccount(platform, 20, { verified: true });
    const session = await paidSession(user, 'starter');
    const id = `dp_${randomUUID()}`;
    await play(user, [
      ['purchase', send(stripeEvent('checkout.session.completed', session)), 'APPLIED', 120],
      ['spend 100', spend(user, 100), 'OK', 20],
      [
        'dispute for half the payment',
        send(stripeEvent('charge.dispute.created', dispute(id, session, 250, 'under_review'))),
        'APPLIED',
        -30,
      ],
      [
        'dispute lost',
        send(stripeEvent('charge.dispute.closed', dispute(id, session, 250, 'lost'))),
        'APPLIED',
        -30,
      ],
      ['spend 1 while in debt', spend(user, 1), 'INSUFFICIENT_CREDITS', -30],
      [
        'a second purchase',
        send(stripeEvent('checkout.session.completed', await paidSession(user, 'starter'))),
        'APPLIED',
        70,
      ],
      ['spend 71', spend(user, 71), 'INSUFFICIENT_CREDITS', 70],
      ['spend 70', spend(user, 70), 'OK', 0],
    ]);
    expect(await ledgerLines(user.id)).toEqual([
      'GRANT 20',
      'PURCHASE 100 STRIPE_PURCHASE',
      'USAGE -100',
      'REFUND -50 DISPUTE_WITHDRAWN',
      'PURCHASE 100 STRIPE_PURCHASE',
      'USAGE -70',
    ]);
    expect(await auditActions(user.id)).toEqual([
      'credits.debt_recorded',
      'credits.dispute_closed',
      'credits.dispute_withdrawn',
    ]);
  });

  it('a refund after the credits were spent takes its whole share back; the debt blocks spending until credits cover it', async () => {
    const user = await userWithAccount(platform, 20, { verified: true });
    const session = await paidSession(user, 'starter');
    await play(user, [
      ['purchase', send(stripeEvent('checkout.session.completed', session)), 'APPLIED', 120],
      ['spend 90', spend(user, 90), 'OK', 30],
      ['full refund', send(refund(session, 500)), 'APPLIED', -70],
      ['spend 1 while in debt', spend(user, 1), 'INSUFFICIENT_CREDITS', -70],
      ['grant 50', grant(user, 50), 'OK', -20],
      ['hold 1 while in debt', hold(user, 1), 'INSUFFICIENT_CREDITS', -20],
      ['grant 30', grant(user, 30), 'OK', 10],
      ['spend 10', spend(user, 10), 'OK', 0],
    ]);
    expect(
      await query(
        platform,
        'SELECT refunded_credits, refund_shortfall FROM $schema.stripe_payments WHERE payment_intent = $1',
        [session.payment_intent],
      ),
    ).toEqual([{ refunded_credits: 100, refund_shortfall: 70 }]);
    expect(await auditActions(user.id)).toEqual(['credits.debt_recorded']);
  });

  it('a hold reserved before a refund may still be settled, deepening the debt', async () => {
    const user = await userWithAccount(platform, 20, { verified: true });
    const session = await paidSession(user, 'starter');
    let holdId = '';
    const reserve = async () => {
      const response = await service<{ holdCredits: { id: string } }>(HOLD, {
        u: user.id,
        a: 100,
        k: randomUUID(),
      });
      holdId = response.body.data?.holdCredits.id ?? '';
      return String(codeOf(response) ?? 'OK');
    };
    const settle = async () => String(codeOf(await service(SETTLE, { h: holdId, a: 100 })) ?? 'OK');
    await play(user, [
      ['purchase', send(stripeEvent('checkout.session.completed', session)), 'APPLIED', 120],
      ['hold 100', reserve, 'OK', 120],
      ['full refund', send(refund(session, 500)), 'APPLIED', 20],
      ['spend 1 (20 on the balance, 100 held)', spend(user, 1), 'INSUFFICIENT_CREDITS', 20],
      ['settle the hold', settle, 'OK', -80],
      ['spend 1 while in debt', spend(user, 1), 'INSUFFICIENT_CREDITS', -80],
    ]);
    expect(await ledgerOf(platform, user.id)).toMatchObject({ held: 0 });
  });

  it("a subscription invoice's refund or dispute takes its credits back too (both API shapes of the invoice's payment)", async () => {
    const user = await userWithAccount(platform, 20, { verified: true });
    const subscription = `sub_${randomUUID()}`;
    const [first, second] = [`pi_${randomUUID()}`, `pi_${randomUUID()}`];
    const invoice = (fields: Obj) =>
      stripeEvent('invoice.paid', {
        id: `in_${randomUUID()}`,
        object: 'invoice',
        created: now(),
        status: 'paid',
        amount_paid: 1000,
        currency: 'usd',
        parent: {
          type: 'subscription_details',
          subscription_details: {
            subscription,
            metadata: { userId: user.id, packageId: 'monthly' },
          },
        },
        ...fields,
      });
    const charge = { payment_intent: first };
    const id = `dp_${randomUUID()}`;
    await play(user, [
      [
        'invoice paid (payment_intent field)',
        send(invoice({ payment_intent: first })),
        'APPLIED',
        320,
      ],
      ['spend 300', spend(user, 300), 'OK', 20],
      [
        'its charge refunded in full',
        send(
          stripeEvent('charge.refunded', {
            id: `ch_${randomUUID()}`,
            object: 'charge',
            amount: 1000,
            amount_refunded: 1000,
            payment_intent: charge.payment_intent,
            currency: 'usd',
          }),
        ),
        'APPLIED',
        -280,
      ],
      [
        'next invoice (payments list)',
        send(
          invoice({
            payments: {
              object: 'list',
              data: [
                { status: 'paid', payment: { type: 'payment_intent', payment_intent: second } },
              ],
            },
          }),
        ),
        'APPLIED',
        20,
      ],
      [
        'its charge disputed',
        send(
          stripeEvent(
            'charge.dispute.created',
            dispute(id, { payment_intent: second }, 1000, 'needs_response'),
          ),
        ),
        'APPLIED',
        -280,
      ],
      [
        'dispute won',
        send(
          stripeEvent(
            'charge.dispute.closed',
            dispute(id, { payment_intent: second }, 1000, 'won'),
          ),
        ),
        'APPLIED',
        20,
      ],
    ]);
  });

  it('a dispute before its purchase waits for it; refunds and disputes together never take back more than was bought', async () => {
    const user = await userWithAccount(platform, 20, { verified: true });
    const early = await paidSession(user, 'starter');
    const first = `dp_${randomUUID()}`;
    const second = await paidSession(user, 'starter');
    await play(user, [
      [
        'dispute before the purchase',
        send(stripeEvent('charge.dispute.created', dispute(first, early, 500, 'needs_response'))),
        'PENDING',
        20,
      ],
      ['its purchase', send(stripeEvent('checkout.session.completed', early)), 'APPLIED', 20],
      [
        'dispute won',
        send(stripeEvent('charge.dispute.closed', dispute(first, early, 500, 'won'))),
        'APPLIED',
        120,
      ],
      ['another purchase', send(stripeEvent('checkout.session.completed', second)), 'APPLIED', 220],
      ['half of it refunded', send(refund(second, 250)), 'APPLIED', 170],
      [
        'a dispute for all of it',
        send(
          stripeEvent(
            'charge.dispute.created',
            dispute(`dp_${randomUUID()}`, second, 500, 'needs_response'),
          ),
        ),
        'APPLIED',
        120,
      ],
      ['the rest refunded as well', send(refund(second, 500)), 'APPLIED', 120],
    ]);
  });
});

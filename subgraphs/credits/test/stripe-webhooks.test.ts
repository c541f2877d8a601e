import { randomUUID } from 'node:crypto';
import {
  PLATFORM_SETUP_MS,
  deliverStripeEvent,
  signStripePayload,
  stripeEvent,
  type FakeStripe,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import { USE, asService, ledgerOf, userWithAccount } from './credits-client';
import { checkout, query, startWithStripe } from './stripe-setup';

type Obj = Record<string, unknown>;

describe('Stripe webhooks', () => {
  let platform: TestPlatform;
  let stripe: FakeStripe;
  let secret: string;
  let url: string;
  const send = (event: Obj, options?: { timestamp?: number; signature?: string }) =>
    deliverStripeEvent(url, event, secret, options);

  beforeAll(async () => {
    ({ platform, stripe, webhookSecret: secret, webhookUrl: url } = await startWithStripe());
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform.stop();
    await stripe.stop();
  }, PLATFORM_SETUP_MS);

  /** A verified user with an open account and a paid checkout session for `packageId`. */
  async function paidCheckout(packageId = 'starter'): Promise<{ user: TestUser; session: Obj }> {
    const user = await userWithAccount(platform, 20, { verified: true });
    const session = stripe.paidSession(await checkout(platform, user, packageId));
    return { user, session };
  }

  const refund = (session: Obj, amountRefunded: number) =>
    stripeEvent('charge.refunded', {
      id: `ch_${randomUUID()}`,
      object: 'charge',
      amount: 500,
      amount_refunded: amountRefunded,
      refunded: amountRefunded === 500,
      payment_intent: session.payment_intent,
      metadata: session.metadata,
      currency: 'usd',
    });
  const ledgerTypes = async (userId: string) =>
    (
      await query<{ type: string; amount: number }>(
        platform,
        'SELECT type, amount FROM $schema.credit_transactions WHERE user_id = $1 ORDER BY seq',
        [userId],
      )
    ).map((r) => `${r.type} ${r.amount}`);

  it('checkout.session.completed (paid) buys exactly the package once, with CREDITS_PURCHASED in the outbox', async () => {
    const { user, session } = await paidCheckout();
    const event = stripeEvent('checkout.session.completed', session);
    expect(await send(event)).toEqual({
      status: 200,
      body: { received: true, duplicate: false, outcome: 'APPLIED' },
    });
    expect(await ledgerTypes(user.id)).toEqual(['GRANT 20', 'PURCHASE 100']);
    const outbox = await query<{ data: Obj }>(
      platform,
      "SELECT data FROM $schema.outbox WHERE type = 'CREDITS_PURCHASED' AND data->>'userId' = $1",
      [user.id],
    );
    expect(outbox).toEqual([
      {
        data: expect.objectContaining({
          userId: user.id,
          packageId: 'starter',
          credits: 100,
          checkoutSessionId: session.id,
        }),
      },
    ]);

    // A replay of the same event, and the same payment under another event id: nothing more.
    expect((await send(event)).body).toMatchObject({ duplicate: true });
    expect(
      (await send(stripeEvent('checkout.session.async_payment_succeeded', session))).body,
    ).toMatchObject({ outcome: 'IGNORED' });
    expect(await ledgerOf(platform, user.id)).toMatchObject({ balance: 120, sum: 120, count: 2 });
  });

  it('20 concurrent deliveries of one event credit once', async () => {
    const { user, session } = await paidCheckout();
    const event = stripeEvent('checkout.session.completed', session);
    const results = await Promise.all(Array.from({ length: 20 }, () => send(event)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(await ledgerOf(platform, user.id)).toMatchObject({ balance: 120, count: 2 });
  });

  it('an unpaid session, a session for an unknown user or package, or a wrong price credits nothing', async () => {
    const { user, session } = await paidCheckout();
    expect(
      (
        await send(
          stripeEvent('checkout.session.completed', { ...session, payment_status: 'unpaid' }),
        )
      ).body,
    ).toMatchObject({ outcome: 'IGNORED' });
    const stranger = randomUUID();
    for (const forged of [
      {
        ...session,
        metadata: { userId: stranger, packageId: 'starter' },
        client_reference_id: stranger,
      },
      { ...session, client_reference_id: randomUUID() },
      { ...session, metadata: { userId: user.id, packageId: 'gold' } },
      { ...session, amount_total: 1 },
    ]) {
      expect(await send(stripeEvent('checkout.session.completed', forged))).toMatchObject({
        status: 200,
        body: { outcome: 'FLAGGED' },
      });
    }
    expect(await ledgerOf(platform, user.id)).toMatchObject({ balance: 20, count: 1 });
    const flagged = await query(
      platform,
      "SELECT count(*)::int AS n FROM $schema.stripe_events WHERE outcome = 'FLAGGED' AND user_id = $1",
      [stranger],
    );
    expect(flagged).toEqual([{ n: 1 }]);
  });

  it('refuses a bad, missing or stale signature and a tampered body with 400, recording and crediting nothing', async () => {
    const { user, session } = await paidCheckout();
    const event = stripeEvent('checkout.session.completed', session);
    const payload = JSON.stringify(event, null, 2);
    const attempts = [
      await deliverStripeEvent(url, event, 'whsec_someone_else'),
      await send(event, { signature: '' }),
      await send(event, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      await send(event, { signature: `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` }),
    ];
    const tampered = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signStripePayload(payload, secret),
      },
      body: payload.replace('"paid"', '"paid" '),
    });
    expect([...attempts.map((a) => a.status), tampered.status]).toEqual([400, 400, 400, 400, 400]);
    expect(
      await query(platform, 'SELECT id FROM $schema.stripe_events WHERE id = $1', [event.id]),
    ).toEqual([]);
    expect(await ledgerOf(platform, user.id)).toMatchObject({ balance: 20, count: 1 });
    // The genuine delivery still works afterwards.
    expect((await send(event)).body).toMatchObject({ outcome: 'APPLIED' });
  });

  it('charge.refunded takes back the refunded share; partial then full, replays ignored', async () => {
    const { user, session } = await paidCheckout();
    await send(stripeEvent('checkout.session.completed', session));
    const half = refund(session, 250);
    expect((await send(half)).body).toMatchObject({ outcome: 'APPLIED' });
    expect((await send(half)).body).toMatchObject({ duplicate: true });
    expect((await send(refund(session, 500))).body).toMatchObject({ outcome: 'APPLIED' });
    // An older, smaller cumulative figure arriving late changes nothing.
    expect((await send(refund(session, 250))).body).toMatchObject({ outcome: 'APPLIED' });
    expect(await ledgerTypes(user.id)).toEqual([
      'GRANT 20',
      'PURCHASE 100',
      'REFUND -50',
      'REFUND -50',
    ]);
    expect(await ledgerOf(platform, user.id)).toMatchObject({ balance: 20, sum: 20 });
  });

  it('a refund beyond what is left takes its whole share, leaving a debt, and records the shortfall', async () => {
    const { user, session } = await paidCheckout();
    await send(stripeEvent('checkout.session.completed', session));
    await asService(platform)(USE, { u: user.id, a: 90, k: 'spent-it' });
    expect((await send(refund(session, 500))).body).toMatchObject({ outcome: 'APPLIED' });
    expect(await ledgerTypes(user.id)).toEqual([
      'GRANT 20',
      'PURCHASE 100',
      'USAGE -90',
      'REFUND -100',
    ]);
    expect(await ledgerOf(platform, user.id)).toMatchObject({ balance: -70, sum: -70 });
    const [payment] = await query(
      platform,
      'SELECT refunded_credits, refund_shortfall FROM $schema.stripe_payments WHERE payment_intent = $1',
      [session.payment_intent],
    );
    expect(payment).toEqual({ refunded_credits: 100, refund_shortfall: 70 });
  });

  it('out of order: a refund before its purchase waits, then both apply once', async () => {
    const { user, session } = await paidCheckout();
    expect((await send(refund(session, 500))).body).toMatchObject({ outcome: 'PENDING' });
    expect(await ledgerOf(platform, user.id)).toMatchObject({ balance: 20, count: 1 });
    expect((await send(stripeEvent('checkout.session.completed', session))).body).toMatchObject({
      outcome: 'APPLIED',
    });
    expect(await ledgerTypes(user.id)).toEqual(['GRANT 20', 'PURCHASE 100', 'REFUND -100']);
  });

  describe('subscriptions', () => {
    const invoice = (subscription: string, metadata: Obj, created: number) =>
      stripeEvent('invoice.paid', {
        id: `in_${randomUUID()}`,
        object: 'invoice',
        created,
        status: 'paid',
        amount_paid: 1000,
        currency: 'usd',
        parent: { type: 'subscription_details', subscription_details: { subscription, metadata } },
      });
    const now = () => Math.floor(Date.now() / 1000);

    it('invoice.paid grants the monthly credits once per invoice; deletion ends it; later invoices grant nothing', async () => {
      const { user, session } = await paidCheckout('monthly');
      const subscription = session.subscription as string;
      const metadata = { userId: user.id, packageId: 'monthly' };
      // Stripe often sends the first invoice before the checkout completes.
      const first = invoice(subscription, metadata, now() - 60);
      expect((await send(first)).body).toMatchObject({ outcome: 'APPLIED' });
      expect((await send(stripeEvent('checkout.session.completed', session))).body).toMatchObject({
        outcome: 'APPLIED',
      });
      expect((await send(first)).body).toMatchObject({ duplicate: true });
      expect(await ledgerTypes(user.id)).toEqual(['GRANT 20', 'GRANT 300']);

      const second = invoice(subscription, metadata, now() - 30);
      const ended = stripeEvent('customer.subscription.deleted', {
        id: subscription,
        object: 'subscription',
        status: 'canceled',
        ended_at: now() - 10,
        metadata,
      });
      expect((await send(ended)).body).toMatchObject({ outcome: 'APPLIED' });
      // Issued before the end, delivered after it: still owed.
      expect((await send(second)).body).toMatchObject({ outcome: 'APPLIED' });
      expect((await send(invoice(subscription, metadata, now() + 5))).body).toMatchObject({
        outcome: 'FLAGGED',
      });
      expect(await ledgerTypes(user.id)).toEqual(['GRANT 20', 'GRANT 300', 'GRANT 300']);
      expect(
        await query(platform, 'SELECT status FROM $schema.credit_subscriptions WHERE id = $1', [
          subscription,
        ]),
      ).toEqual([{ status: 'ENDED' }]);
    });

    it('an invoice outside any subscription or for an unknown user credits nothing', async () => {
      expect(
        (
          await send(
            stripeEvent('invoice.paid', { id: 'in_plain', object: 'invoice', created: now() }),
          )
        ).body,
      ).toMatchObject({ outcome: 'IGNORED' });
      expect(
        (
          await send(
            invoice(`sub_${randomUUID()}`, { userId: randomUUID(), packageId: 'monthly' }, now()),
          )
        ).body,
      ).toMatchObject({ outcome: 'FLAGGED' });
    });
  });

  it('acknowledges event types it does not use, recording them', async () => {
    expect(
      (await send(stripeEvent('customer.created', { id: 'cus_x', object: 'customer' }))).body,
    ).toMatchObject({ outcome: 'IGNORED' });
  });
});

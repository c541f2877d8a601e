import { randomUUID } from 'node:crypto';
import {
  PLATFORM_SETUP_MS,
  deliverStripeEvent,
  stripeEvent,
  withOwnOrganization,
  type FakeStripe,
  type TestPlatform,
} from '@bastion/testing';
import {
  ADD,
  HOLD,
  RELEASE,
  SETTLE,
  USE,
  asService,
  codeOf,
  ledgerOf,
  userWithAccount,
} from './credits-client';
import { checkout, query, startWithStripe } from './stripe-setup';

type Obj = Record<string, unknown>;

const GRANT = 20;
const THRESHOLD = 10;

/**
 * The credits events webhooks are made from (README "Webhooks"): CREDITS_GRANTED for every grant,
 * CREDITS_LOW when a charge crosses the threshold, CREDITS_PURCHASED naming the buyer's
 * organization, each written to the outbox by the transaction of the ledger entry it reports.
 */
describe('credits events for webhooks', () => {
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
    } = await startWithStripe(undefined, { CREDITS_LOW_THRESHOLD: String(THRESHOLD) }));
    service = asService(platform);
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform.stop();
    await stripe.stop();
  }, PLATFORM_SETUP_MS);

  const outbox = async (type: string, userId: string): Promise<Obj[]> =>
    (
      await query<{ data: Obj }>(
        platform,
        "SELECT data FROM $schema.outbox WHERE type = $1 AND data->>'userId' = $2 ORDER BY occurred_at, id",
        [type, userId],
      )
    ).map((row) => row.data);
  const transactionIds = async (userId: string, type: string): Promise<string[]> =>
    (
      await query<{ id: string }>(
        platform,
        'SELECT id FROM $schema.credit_transactions WHERE user_id = $1 AND type = $2 ORDER BY seq',
        [userId, type],
      )
    ).map((row) => row.id);

  it('the sign-up grant publishes CREDITS_GRANTED (no organization yet) with its ledger entry', async () => {
    const user = await userWithAccount(platform, GRANT);
    const [grantId] = await transactionIds(user.id, 'GRANT');
    expect(await outbox('CREDITS_GRANTED', user.id)).toEqual([
      {
        userId: user.id,
        organizationId: null,
        credits: GRANT,
        source: 'signup',
        packageId: null,
        transactionId: grantId,
      },
    ]);
  });

  it("a service's GRANT publishes CREDITS_GRANTED once per entry; other additions publish none", async () => {
    const user = await userWithAccount(platform, GRANT);
    const organizationId = randomUUID();
    const granted = await service<{ addCredits: { id: string } }>(ADD, {
      u: user.id,
      a: 50,
      k: 'bonus-1',
      t: 'GRANT',
      o: organizationId,
    });
    expect(granted.body.errors).toBeUndefined();
    // The same key again answers the first entry and publishes nothing more.
    await service(ADD, { u: user.id, a: 50, k: 'bonus-1', t: 'GRANT', o: organizationId });
    await service(ADD, { u: user.id, a: 5, k: 'fix-1', t: 'ADJUSTMENT' });
    expect(codeOf(await service(ADD, { u: user.id, a: 5, k: 'x', t: 'GRANT', o: 'acme' }))).toBe(
      'BAD_USER_INPUT',
    );
    const events = await outbox('CREDITS_GRANTED', user.id);
    expect(events.slice(1)).toEqual([
      {
        userId: user.id,
        organizationId,
        credits: 50,
        source: 'service',
        packageId: null,
        transactionId: granted.body.data!.addCredits.id,
      },
    ]);
    expect(await ledgerOf(platform, user.id)).toMatchObject({ balance: GRANT + 55, count: 3 });
  });

  it('a spend that takes the available credits below the threshold publishes CREDITS_LOW, once per crossing', async () => {
    const user = await userWithAccount(platform, GRANT);
    const organizationId = randomUUID();
    const spend = async (amount: number, key: string) => {
      const spent = await service<{ useCredits: { id: string; balanceAfter: number } }>(USE, {
        u: user.id,
        a: amount,
        k: key,
        o: organizationId,
      });
      expect(spent.body.errors).toBeUndefined();
      return spent.body.data!.useCredits;
    };
    expect((await spend(5, 's1')).balanceAfter).toBe(15); // 15: still at or above 10
    const crossed = await spend(6, 's2'); // 9: below 10
    expect(crossed.balanceAfter).toBe(9);
    await spend(6, 's2'); // a retry of that spend: the same entry, no second event
    await spend(1, 's3'); // 8: was below already
    await service(ADD, { u: user.id, a: 30, k: 'top-up', t: 'GRANT' }); // 38
    const again = await spend(29, 's4'); // 9 again
    await spend(9, 's5'); // 0
    expect(await outbox('CREDITS_LOW', user.id)).toEqual([
      { userId: user.id, organizationId, available: 9, threshold: 10, transactionId: crossed.id },
      { userId: user.id, organizationId, available: 9, threshold: 10, transactionId: again.id },
    ]);
  });

  it("settling a hold counts the charge, not the reservation, and names the hold's organization", async () => {
    const user = await userWithAccount(platform, GRANT);
    const organizationId = randomUUID();
    const hold = async (amount: number, key: string, org?: string) => {
      const held = await service<{ holdCredits: { id: string } }>(HOLD, {
        u: user.id,
        a: amount,
        k: key,
        o: org,
      });
      expect(held.body.errors).toBeUndefined();
      return held.body.data!.holdCredits.id;
    };
    // Reserving 15 leaves 5 available, but reserving is no charge; releasing it neither.
    await service(RELEASE, { h: await hold(15, 'h1', organizationId) });
    expect(await outbox('CREDITS_LOW', user.id)).toEqual([]);
    // Holding 15 and charging 4 of them: 16 available, nothing.
    await service(SETTLE, { h: await hold(15, 'h2', organizationId), a: 4 });
    expect(await outbox('CREDITS_LOW', user.id)).toEqual([]);
    // Holding 12 and charging all of them: 4 available, below 10.
    const settled = await service<{ settleHold: { id: string; balanceAfter: number } }>(SETTLE, {
      h: await hold(12, 'h3', organizationId),
      a: 12,
    });
    expect(settled.body.data?.settleHold.balanceAfter).toBe(4);
    expect(codeOf(await service(HOLD, { u: user.id, a: 1, k: 'h4', o: 'acme' }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(await outbox('CREDITS_LOW', user.id)).toEqual([
      {
        userId: user.id,
        organizationId,
        available: 4,
        threshold: 10,
        transactionId: settled.body.data!.settleHold.id,
      },
    ]);
  });

  it("a purchase and a subscription's grants name the organization active at checkout", async () => {
    const buyer = await withOwnOrganization(
      platform,
      await userWithAccount(platform, GRANT, { verified: true }),
    );
    const send = (event: Obj) => deliverStripeEvent(url, event, secret);

    const session = stripe.paidSession(await checkout(platform, buyer, 'starter'));
    expect(session.metadata).toEqual({
      userId: buyer.id,
      packageId: 'starter',
      organizationId: buyer.organizationId,
    });
    expect((await send(stripeEvent('checkout.session.completed', session))).body).toMatchObject({
      outcome: 'APPLIED',
    });
    const [purchaseId] = await transactionIds(buyer.id, 'PURCHASE');
    expect(await outbox('CREDITS_PURCHASED', buyer.id)).toEqual([
      {
        userId: buyer.id,
        packageId: 'starter',
        credits: 100,
        transactionId: purchaseId,
        checkoutSessionId: session.id,
        amountCents: 500,
        currency: 'usd',
        organizationId: buyer.organizationId,
      },
    ]);

    const monthly = stripe.paidSession(await checkout(platform, buyer, 'monthly'));
    const created = stripe.requests.filter((r) => r.path === '/v1/checkout/sessions').at(-1)!;
    expect(created.params.subscription_data).toEqual({ metadata: monthly.metadata });
    await send(stripeEvent('checkout.session.completed', monthly));
    const invoice = stripeEvent('invoice.paid', {
      id: `in_${randomUUID()}`,
      object: 'invoice',
      created: Math.floor(Date.now() / 1000),
      status: 'paid',
      amount_paid: 1000,
      currency: 'usd',
      parent: {
        type: 'subscription_details',
        subscription_details: { subscription: monthly.subscription, metadata: monthly.metadata },
      },
    });
    expect((await send(invoice)).body).toMatchObject({ outcome: 'APPLIED' });
    const grants = await transactionIds(buyer.id, 'GRANT');
    expect((await outbox('CREDITS_GRANTED', buyer.id)).slice(1)).toEqual([
      {
        userId: buyer.id,
        organizationId: buyer.organizationId,
        credits: 300,
        source: 'subscription',
        packageId: 'monthly',
        transactionId: grants[1],
      },
    ]);
  });

  it('a checkout without an active organization carries none, and its purchase names none', async () => {
    const buyer = await userWithAccount(platform, GRANT, { verified: true });
    const session = stripe.paidSession(await checkout(platform, buyer, 'starter'));
    expect(session.metadata).toEqual({ userId: buyer.id, packageId: 'starter' });
    await deliverStripeEvent(url, stripeEvent('checkout.session.completed', session), secret);
    const [event] = await outbox('CREDITS_PURCHASED', buyer.id);
    expect(event).toMatchObject({ userId: buyer.id, packageId: 'starter' });
    expect(event).not.toHaveProperty('organizationId');
  });
});

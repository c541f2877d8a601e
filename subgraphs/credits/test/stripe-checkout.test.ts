import Stripe from 'stripe';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  signStripePayload,
  type FakeStripe,
  type TestPlatform,
} from '@bastion/testing';
import { userWithAccount } from './credits-client';
import { APP_URL, CHECKOUT, checkout, query, startWithStripe } from './stripe-setup';

describe('Stripe checkout', () => {
  let platform: TestPlatform;
  let stripe: FakeStripe;

  beforeAll(async () => {
    ({ platform, stripe } = await startWithStripe());
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform.stop();
    await stripe.stop();
  }, PLATFORM_SETUP_MS);

  it('creates a session carrying the user and package, for one reused customer', async () => {
    const user = await userWithAccount(platform, 20, { verified: true });
    const before = stripe.requests.length;
    const first = await platform.gql<{ createCheckoutSession: { id: string; url: string } }>(
      CHECKOUT,
      {
        p: 'starter',
        s: `${APP_URL}/billing/success?session={CHECKOUT_SESSION_ID}`,
        c: `${APP_URL}/billing/cancel`,
      },
      { token: user.accessToken },
    );
    expect(first.body.errors).toBeUndefined();
    const session = first.body.data!.createCheckoutSession;
    expect(session.url).toBe(`https://checkout.stripe.com/c/pay/${session.id}`);

    const sent = stripe.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/customers',
      'POST /v1/checkout/sessions',
    ]);
    expect(sent[0].params).toEqual({ metadata: { userId: user.id } });
    expect(sent[0].headers['idempotency-key']).toBe(`bastion-customer-${user.id}`);
    const customerId = [...stripe.customers.values()].find(
      (c) => (c.metadata as { userId: string }).userId === user.id,
    )!.id;
    expect(sent[1].params).toEqual({
      mode: 'payment',
      customer: customerId,
      client_reference_id: user.id,
      metadata: { userId: user.id, packageId: 'starter' },
      payment_intent_data: { metadata: { userId: user.id, packageId: 'starter' } },
      line_items: [
        {
          quantity: '1',
          price_data: { currency: 'usd', unit_amount: '500', product_data: { name: 'Starter' } },
        },
      ],
      success_url: `${APP_URL}/billing/success?session={CHECKOUT_SESSION_ID}`,
      cancel_url: `${APP_URL}/billing/cancel`,
    });
    expect(sent[1].headers.authorization).toBe(`Bearer ${stripe.secretKey}`);

    await checkout(platform, user, 'monthly');
    const again = stripe.requests.slice(before + 2);
    expect(again.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1/checkout/sessions']);
    expect(again[0].params).toMatchObject({
      mode: 'subscription',
      customer: customerId,
      subscription_data: { metadata: { userId: user.id, packageId: 'monthly' } },
      line_items: [{ price_data: { unit_amount: '1000', recurring: { interval: 'month' } } }],
    });
    expect(
      await query(platform, 'SELECT customer_id FROM $schema.stripe_customers WHERE user_id = $1', [
        user.id,
      ]),
    ).toEqual([{ customer_id: customerId }]);
  });

  it.each([
    ['another host', 'https://evil.example/success'],
    ['another port', 'https://app.example.test:8443/success'],
    ['another scheme', 'http://app.example.test/success'],
    ['credentials in the URL', 'https://user:pw@app.example.test/success'],
    ['no URL at all', 'javascript:alert(1)'],
  ])('refuses a return URL on %s, asking Stripe nothing', async (_label, url) => {
    const user = await userWithAccount(platform, 20, { verified: true });
    const before = stripe.requests.length;
    const response = await platform.gql(
      CHECKOUT,
      { p: 'starter', s: url, c: url },
      { token: user.accessToken },
    );
    expect(response.body.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: { successUrl: expect.any(String), cancelUrl: expect.any(String) },
    });
    expect(stripe.requests.length).toBe(before);
  });

  it('refuses an unknown package, an unverified user and an anonymous caller', async () => {
    const verified = await userWithAccount(platform, 20, { verified: true });
    const unknown = await platform.gql(
      CHECKOUT,
      { p: 'gold', s: `${APP_URL}/s`, c: `${APP_URL}/c` },
      { token: verified.accessToken },
    );
    expect(unknown.body.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: { packageId: expect.any(String) },
    });
    const unverified = await registerUser(platform);
    expect(
      (
        await platform.gql(
          CHECKOUT,
          { p: 'starter', s: `${APP_URL}/s`, c: `${APP_URL}/c` },
          { token: unverified.accessToken },
        )
      ).body.errors?.[0].extensions?.code,
    ).toBe('EMAIL_NOT_VERIFIED');
    expect(
      (await platform.gql(CHECKOUT, { p: 'starter', s: `${APP_URL}/s`, c: `${APP_URL}/c` })).body
        .errors?.[0].extensions?.code,
    ).toBe('UNAUTHENTICATED');
  });

  it("shows the owner's saved cards, read from Stripe", async () => {
    const user = await userWithAccount(platform, 20, { verified: true });
    const cards = '{ me { credits { paymentMethods { id brand last4 expMonth expYear } } } }';
    expect((await platform.gql(cards, {}, { token: user.accessToken })).body.data).toEqual({
      me: { credits: { paymentMethods: [] } },
    });
    await checkout(platform, user, 'starter');
    const [{ customer_id: customer }] = await query<{ customer_id: string }>(
      platform,
      'SELECT customer_id FROM $schema.stripe_customers WHERE user_id = $1',
      [user.id],
    );
    stripe.addCard(customer, { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2034 });
    const listed = await platform.gql<{ me: { credits: { paymentMethods: unknown[] } } }>(
      cards,
      {},
      { token: user.accessToken },
    );
    expect(listed.body.data?.me.credits.paymentMethods).toEqual([
      {
        id: expect.stringMatching(/^pm_/),
        brand: 'visa',
        last4: '4242',
        expMonth: 12,
        expYear: 2034,
      },
    ]);
  });

  it('signs webhooks exactly as the SDK does (one cross-check of the test helper)', () => {
    const payload = JSON.stringify({ id: 'evt_1', object: 'event' });
    const timestamp = 1_700_000_000;
    const ours = signStripePayload(payload, 'whsec_cross_check', timestamp);
    expect(ours).toBe(
      Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_cross_check', timestamp }),
    );
  });
});

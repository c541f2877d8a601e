import { randomUUID } from 'node:crypto';
import { PLATFORM_SETUP_MS, startTestPlatform, type TestPlatform } from '@bastion/testing';
import {
  ADD,
  BALANCE,
  HOLD,
  USE,
  asService,
  codeOf,
  ledgerOf,
  userWithAccount,
} from './credits-client';

describe('credit ledger through the internal listener', () => {
  let platform: TestPlatform;
  let service: ReturnType<typeof asService>;

  beforeAll(async () => {
    platform = await startTestPlatform({ CREDITS_SIGNUP_GRANT: '50', CREDITS_MAX_AMOUNT: '1000' });
    service = asService(platform);
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('refuses a spend beyond the balance with INSUFFICIENT_CREDITS, required and available', async () => {
    const user = await userWithAccount(platform, 50);
    const spent = await service(USE, { u: user.id, a: 51, k: 'too-much' });
    expect(spent.body.errors?.[0].extensions).toEqual({
      code: 'INSUFFICIENT_CREDITS',
      required: 51,
      available: 50,
    });
    expect(await ledgerOf(platform, user.id)).toMatchObject({ balance: 50, count: 1 });
  });

  it('replays a key: the same payload returns the same transaction, another payload is CONFLICT', async () => {
    const user = await userWithAccount(platform, 50);
    const first = await service<{ useCredits: { id: string; balanceAfter: number } }>(USE, {
      u: user.id,
      a: 10,
      k: 'order-1',
      d: 'first',
    });
    expect(first.body.data?.useCredits.balanceAfter).toBe(40);
    const again = await service<{ useCredits: { id: string; balanceAfter: number } }>(USE, {
      u: user.id,
      a: 10,
      k: 'order-1',
      d: 'first',
    });
    expect(again.body.data?.useCredits).toEqual(first.body.data?.useCredits);
    expect(codeOf(await service(USE, { u: user.id, a: 11, k: 'order-1', d: 'first' }))).toBe(
      'CONFLICT',
    );
    expect(codeOf(await service(USE, { u: user.id, a: 10, k: 'order-1', d: 'other' }))).toBe(
      'CONFLICT',
    );
    expect(
      codeOf(await service(ADD, { u: user.id, a: 10, k: 'order-1', t: 'GRANT', d: 'first' })),
    ).toBe('CONFLICT');
    expect(await ledgerOf(platform, user.id)).toEqual({ sum: 40, count: 2, balance: 40, held: 0 });
  });

  it('100 concurrent spends of 1 on 50 credits: exactly 50 succeed, the balance ends at 0 and equals the ledger', async () => {
    const user = await userWithAccount(platform, 50);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => service(USE, { u: user.id, a: 1, k: `spend-${i}` })),
    );
    const ok = results.filter((r) => r.body.data?.useCredits);
    const refused = results.filter((r) => codeOf(r) === 'INSUFFICIENT_CREDITS');
    expect([ok.length, refused.length]).toEqual([50, 50]);
    const balances = ok
      .map((r) => (r.body.data!.useCredits as { balanceAfter: number }).balanceAfter)
      .sort((a, b) => a - b);
    expect(balances).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(await ledgerOf(platform, user.id)).toEqual({ sum: 0, count: 51, balance: 0, held: 0 });
  });

  it('lists entries in ledger order under concurrent spends and adds: each balanceAfter = the next older one + its amount, across pages', async () => {
    const user = await userWithAccount(platform, 50);
    // Spends of 1, 2 and 3 and adds of 5, all at once: their timestamps tie and cross.
    const writes = await Promise.all(
      Array.from({ length: 36 }, (_, i) =>
        i % 4 === 3
          ? service(ADD, { u: user.id, a: 5, k: `add-${i}`, t: 'GRANT' })
          : service(USE, { u: user.id, a: (i % 4) + 1, k: `spend-${i}` }),
      ),
    );
    expect(writes.map((w) => w.body.errors)).toEqual(Array(36).fill(undefined));
    // 50 + 9 x 5 - 9 x (1 + 2 + 3) = 41
    expect(await ledgerOf(platform, user.id)).toEqual({ sum: 41, count: 37, balance: 41, held: 0 });
    const LIST = `query ($u: ID!, $f: Int, $a: String) { creditTransactions(userId: $u, first: $f, after: $a) {
      edges { node { amount balanceAfter } } pageInfo { hasNextPage endCursor } } }`;
    type Page = {
      creditTransactions: {
        edges: { node: { amount: number; balanceAfter: number } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const listed: { amount: number; balanceAfter: number }[] = [];
    let after: string | null = null;
    for (let page = 0; page < 3; page++) {
      const response: Awaited<ReturnType<typeof service<Page>>> = await service<Page>(LIST, {
        u: user.id,
        f: 15,
        a: after,
      });
      const connection = response.body.data!.creditTransactions;
      listed.push(...connection.edges.map((e) => e.node));
      after = connection.pageInfo.endCursor;
      if (!connection.pageInfo.hasNextPage) break;
    }
    expect(listed).toHaveLength(37);
    expect(listed[0].balanceAfter).toBe(41);
    expect(listed[36]).toEqual({ amount: 50, balanceAfter: 50 });
    for (let i = 0; i < listed.length - 1; i++)
      expect([i, listed[i].balanceAfter]).toEqual([
        i,
        listed[i + 1].balanceAfter + listed[i].amount,
      ]);
  });

  it('20 concurrent spends under one key charge once and all return that one transaction', async () => {
    const user = await userWithAccount(platform, 50);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        service<{ useCredits: { id: string } }>(USE, { u: user.id, a: 7, k: 'same-key' }),
      ),
    );
    expect(results.map((r) => r.body.errors)).toEqual(Array(20).fill(undefined));
    expect(new Set(results.map((r) => r.body.data!.useCredits.id)).size).toBe(1);
    expect(await ledgerOf(platform, user.id)).toEqual({ sum: 43, count: 2, balance: 43, held: 0 });
  });

  it('gives NOT_FOUND for a user id with no account, and opens none', async () => {
    const stranger = randomUUID();
    expect(codeOf(await service(ADD, { u: stranger, a: 5, k: 'k', t: 'GRANT' }))).toBe('NOT_FOUND');
    expect(codeOf(await service(USE, { u: stranger, a: 5, k: 'k' }))).toBe('NOT_FOUND');
    expect(codeOf(await service(HOLD, { u: stranger, a: 5, k: 'k' }))).toBe('NOT_FOUND');
    expect((await service(BALANCE, { u: stranger })).body.data).toEqual({ creditBalance: 0 });
    expect((await ledgerOf(platform, stranger)).balance).toBeUndefined();
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['beyond CREDITS_MAX_AMOUNT', 1001],
  ])('refuses a %s amount as BAD_USER_INPUT and writes nothing', async (_label, amount) => {
    const user = await userWithAccount(platform, 50);
    for (const response of [
      await service(USE, { u: user.id, a: amount, k: 'bad' }),
      await service(ADD, { u: user.id, a: amount, k: 'bad', t: 'GRANT' }),
      await service(HOLD, { u: user.id, a: amount, k: 'bad' }),
    ]) {
      expect(response.body.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: { amount: expect.any(String) },
      });
    }
    expect(await ledgerOf(platform, user.id)).toEqual({ sum: 50, count: 1, balance: 50, held: 0 });
  });

  it('refuses a non-integer amount before any resolver runs', async () => {
    const user = await userWithAccount(platform, 50);
    expect(codeOf(await service(USE, { u: user.id, a: 1.5, k: 'frac' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await service(ADD, { u: user.id, a: 5, k: 'usage', t: 'USAGE' }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('never lets a user token call the internal mutations', async () => {
    const user = await userWithAccount(platform, 50, { verified: true });
    const asUser = await platform.internal(
      USE,
      { u: user.id, a: 1, k: 'self' },
      { token: user.accessToken },
    );
    // The internal listener takes service tokens only; the tier would refuse a user as well.
    expect(asUser.status).toBe(401);
    expect(codeOf(asUser)).toBe('UNAUTHENTICATED');
    expect(await ledgerOf(platform, user.id)).toMatchObject({ balance: 50 });
  });
});

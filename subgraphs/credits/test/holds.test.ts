import { randomUUID } from 'node:crypto';
import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';
import {
  HOLD,
  MY_CREDITS,
  RELEASE,
  SETTLE,
  USE,
  asService,
  codeOf,
  ledgerOf,
  userWithAccount,
} from './credits-client';

type Hold = { id: string; amount: number; expiresAt: string; createdAt: string };

describe('credit holds', () => {
  let platform: TestPlatform;
  let service: ReturnType<typeof asService>;

  beforeAll(async () => {
    // A fast sweep, so the expiry test waits on a condition for a second, not ten minutes.
    platform = await startTestPlatform({
      CREDITS_SIGNUP_GRANT: '100',
      CREDITS_HOLD_SWEEP_MS: '100',
      CREDITS_MAX_AMOUNT: '1000',
    });
    service = asService(platform);
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  const hold = async (userId: string, amount: number, key: string, expiresInSeconds?: number) =>
    service<{ holdCredits: Hold }>(HOLD, { u: userId, a: amount, k: key, e: expiresInSeconds });

  it('reserves, shows the hold to its owner, settles part and frees the rest', async () => {
    const user = await userWithAccount(platform, 100, { verified: true });
    const held = await hold(user.id, 30, 'gen-1');
    expect(held.body.errors).toBeUndefined();
    const { id, expiresAt } = held.body.data!.holdCredits;
    // Default lifetime: 10 minutes (CREDITS_HOLD_TTL 600 s).
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(590_000);
    const mine = await platform.gql<{
      me: { credits: { balance: number; available: number; holds: Hold[] } };
    }>(MY_CREDITS, {}, { token: user.accessToken });
    expect(mine.body.data?.me.credits).toMatchObject({
      balance: 100,
      available: 70,
      holds: [{ id, amount: 30, expiresAt }],
    });

    // Spends see only the available 70.
    expect(
      (await service(USE, { u: user.id, a: 71, k: 'big' })).body.errors?.[0].extensions,
    ).toEqual({ code: 'INSUFFICIENT_CREDITS', required: 71, available: 70 });

    const settled = await service<{
      settleHold: { id: string; type: string; amount: number; balanceAfter: number };
    }>(SETTLE, { h: id, a: 12 });
    expect(settled.body.data?.settleHold).toMatchObject({
      type: 'USAGE',
      amount: -12,
      balanceAfter: 88,
    });
    // An identical retry returns the same entry; another amount or a release is a CONFLICT.
    expect((await service(SETTLE, { h: id, a: 12 })).body.data).toEqual(settled.body.data);
    expect(codeOf(await service(SETTLE, { h: id, a: 13 }))).toBe('CONFLICT');
    expect(codeOf(await service(RELEASE, { h: id }))).toBe('CONFLICT');
    expect(await ledgerOf(platform, user.id)).toEqual({ sum: 88, count: 2, balance: 88, held: 0 });
  });

  it('charges at most the held amount', async () => {
    const user = await userWithAccount(platform, 100);
    const { id } = (await hold(user.id, 20, 'cap')).body.data!.holdCredits;
    const settled = await service<{ settleHold: { amount: number } }>(SETTLE, { h: id, a: 500 });
    expect(settled.body.data?.settleHold.amount).toBe(-20);
    expect(await ledgerOf(platform, user.id)).toEqual({ sum: 80, count: 2, balance: 80, held: 0 });
  });

  it('releases a hold once; the same key returns the same hold, another amount is CONFLICT', async () => {
    const user = await userWithAccount(platform, 100);
    const first = (await hold(user.id, 40, 'k1')).body.data!.holdCredits;
    expect((await hold(user.id, 40, 'k1')).body.data!.holdCredits).toEqual(first);
    expect(codeOf(await hold(user.id, 41, 'k1'))).toBe('CONFLICT');
    expect((await service(RELEASE, { h: first.id })).body.data).toEqual({ releaseHold: true });
    expect((await service(RELEASE, { h: first.id })).body.data).toEqual({ releaseHold: false });
    expect(codeOf(await service(SETTLE, { h: first.id, a: 5 }))).toBe('CONFLICT');
    expect(await ledgerOf(platform, user.id)).toEqual({
      sum: 100,
      count: 1,
      balance: 100,
      held: 0,
    });
  });

  it('the sweeper releases an expired hold without anyone asking', async () => {
    const user = await userWithAccount(platform, 100);
    await hold(user.id, 60, 'short', 2);
    expect((await ledgerOf(platform, user.id)).held).toBe(60);
    await eventually(async () => expect((await ledgerOf(platform, user.id)).held).toBe(0), 10_000);
    const rows = await platform.credits.dataSource.query(
      `SELECT status FROM ${schemaOf(platform.credits.dataSource)}.credit_holds WHERE user_id = $1`,
      [user.id],
    );
    expect(rows).toEqual([{ status: 'EXPIRED' }]);
    expect((await service(USE, { u: user.id, a: 100, k: 'all' })).body.errors).toBeUndefined();
  });

  it('concurrent holds race for the last credits: exactly the ones that fit win', async () => {
    const user = await userWithAccount(platform, 100);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => hold(user.id, 7, `race-${i}`)),
    );
    const won = results.filter((r) => r.body.data?.holdCredits);
    expect(won.length).toBe(14); // floor(100 / 7)
    expect(results.filter((r) => codeOf(r) === 'INSUFFICIENT_CREDITS').length).toBe(16);
    const after = await ledgerOf(platform, user.id);
    expect(after).toEqual({ sum: 100, count: 1, balance: 100, held: 98 });
    // Holds and spends race together: available never goes below zero.
    const mixed = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => service(USE, { u: user.id, a: 1, k: `use-${i}` })),
      ...Array.from({ length: 5 }, (_, i) => hold(user.id, 1, `tail-${i}`)),
    ]);
    expect(mixed.filter((r) => !r.body.errors).length).toBe(2);
    const end = await ledgerOf(platform, user.id);
    expect(end.balance - end.held).toBe(0);
    expect(end.sum).toBe(end.balance);
  });

  it('refuses a foreign hold id, a malformed one, and bad lifetimes', async () => {
    const user = await userWithAccount(platform, 100);
    expect(codeOf(await service(SETTLE, { h: randomUUID(), a: 1 }))).toBe('NOT_FOUND');
    expect(codeOf(await service(RELEASE, { h: randomUUID() }))).toBe('NOT_FOUND');
    expect(codeOf(await service(RELEASE, { h: 'not-a-hold' }))).toBe('BAD_USER_INPUT');
    const { id } = (await hold(user.id, 5, 'ok')).body.data!.holdCredits;
    expect(codeOf(await service(SETTLE, { h: id, a: 0 }))).toBe('BAD_USER_INPUT');
    for (const e of [0, -1, 86_401]) {
      expect((await hold(user.id, 5, `ttl-${e}`, e)).body.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: { expiresInSeconds: expect.any(String) },
      });
    }
    expect(await ledgerOf(platform, user.id)).toEqual({
      sum: 100,
      count: 1,
      balance: 100,
      held: 5,
    });
  });

  it("hides a user's holds from another user", async () => {
    const owner = await userWithAccount(platform, 100, { verified: true });
    await hold(owner.id, 5, 'private');
    const other = await userWithAccount(platform, 100, { verified: true });
    const mine = await platform.gql<{ me: { credits: { holds: Hold[] } } }>(
      MY_CREDITS,
      {},
      { token: other.accessToken },
    );
    expect(mine.body.data?.me.credits.holds).toEqual([]);
  });
});

import { randomUUID } from 'node:crypto';
import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  startTestPlatform,
  type GraphQLResponse,
  type TestPlatform,
} from '@bastion/testing';
import { LedgerService } from '../src/accounts/ledger.service';
import { HoldsService } from '../src/holds/holds.service';
import {
  ADD,
  SETTLE,
  RELEASE,
  asService,
  codeOf,
  ledgerOf,
  userWithAccount,
} from './credits-client';

const HOLD = `mutation ($u: ID!, $a: Int!, $k: String!, $e: Int, $key: ApiKeySpendInput) {
  holdCredits(userId: $u, amount: $a, idempotencyKey: $k, expiresInSeconds: $e, apiKey: $key) { id amount } }`;
const USE = `mutation ($u: ID!, $a: Int!, $k: String!, $key: ApiKeySpendInput) {
  useCredits(userId: $u, amount: $a, idempotencyKey: $k, apiKey: $key) { id amount balanceAfter } }`;

type Key = { id: string; creditCeiling?: number; ceilingPeriod?: 'DAY' | 'MONTH' };

/** Today's UTC midnight and tomorrow's, from the ISO date (not from the code under test). */
function utcDay(offsetDays = 0): string {
  const day = new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
  return `${day}T00:00:00.000Z`;
}

describe('API key credit ceilings in the ledger', () => {
  let platform: TestPlatform;
  let service: ReturnType<typeof asService>;

  beforeAll(async () => {
    platform = await startTestPlatform({
      CREDITS_SIGNUP_GRANT: '100',
      CREDITS_HOLD_SWEEP_MS: '100',
      CREDITS_MAX_AMOUNT: '1000',
    });
    service = asService(platform);
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  const hold = (userId: string, amount: number, k: string, key?: Key | null, e?: number) =>
    service<{ holdCredits: { id: string; amount: number } }>(HOLD, {
      u: userId,
      a: amount,
      k,
      e,
      key,
    });
  const use = (userId: string, amount: number, k: string, key?: Key | null) =>
    service<{ useCredits: { id: string } }>(USE, { u: userId, a: amount, k, key });
  /** The key's spending rows as the database holds them, oldest period first. */
  const spending = async (keyId: string) => {
    const ds = platform.credits.dataSource;
    const rows: { period_start: Date; held: number; charged: number }[] = await ds.query(
      `SELECT period_start, held, charged FROM ${schemaOf(ds)}.api_key_spending WHERE api_key_id = $1 ORDER BY period_start`,
      [keyId],
    );
    return rows.map((r) => ({
      periodStart: new Date(r.period_start).toISOString(),
      held: Number(r.held),
      charged: Number(r.charged),
    }));
  };
  const holdCount = async (userId: string) => {
    const ds = platform.credits.dataSource;
    const [row] = await ds.query(
      `SELECT count(*)::int AS n FROM ${schemaOf(ds)}.credit_holds WHERE user_id = $1`,
      [userId],
    );
    return row.n as number;
  };
  const extensionsOf = (r: GraphQLResponse) => r.body.errors?.[0]?.extensions;

  it('a hold reserves against the ceiling; settlement keeps what was charged; release gives back', async () => {
    const user = await userWithAccount(platform, 100);
    const key: Key = { id: randomUUID(), creditCeiling: 30, ceilingPeriod: 'DAY' };

    const first = await hold(user.id, 20, 'h1', key);
    expect(first.body.errors).toBeUndefined();
    const firstId = first.body.data!.holdCredits.id;
    expect(await spending(key.id)).toEqual([{ periodStart: utcDay(), held: 20, charged: 0 }]);
    // The same idempotency key is the same hold: not counted twice.
    expect((await hold(user.id, 20, 'h1', key)).body.data?.holdCredits.id).toBe(firstId);
    expect(await spending(key.id)).toEqual([{ periodStart: utcDay(), held: 20, charged: 0 }]);

    // 20 + 11 > 30: refused for the key although the balance has 80 available; nothing changed.
    const before = await ledgerOf(platform, user.id);
    const refused = await hold(user.id, 11, 'h2', key);
    expect(extensionsOf(refused)).toEqual({
      code: 'INSUFFICIENT_CREDITS',
      reason: 'KEY_CEILING',
      required: 11,
      available: 10,
      ceiling: 30,
      ceilingPeriod: 'DAY',
      resetsAt: utcDay(1),
    });
    expect(await ledgerOf(platform, user.id)).toEqual(before);
    expect(await spending(key.id)).toEqual([{ periodStart: utcDay(), held: 20, charged: 0 }]);
    expect(await holdCount(user.id)).toBe(1);

    // Settled for 5: the key's period keeps the 5 charged, the other 15 reserved come back.
    expect((await service(SETTLE, { h: firstId, a: 5 })).body.errors).toBeUndefined();
    expect(await spending(key.id)).toEqual([{ periodStart: utcDay(), held: 0, charged: 5 }]);

    // 5 + 25 = 30 fits exactly; released, it is given back.
    const second = await hold(user.id, 25, 'h3', key);
    expect(second.body.errors).toBeUndefined();
    expect(await spending(key.id)).toEqual([{ periodStart: utcDay(), held: 25, charged: 5 }]);
    expect((await service(RELEASE, { h: second.body.data!.holdCredits.id })).body.data).toEqual({
      releaseHold: true,
    });
    expect(await spending(key.id)).toEqual([{ periodStart: utcDay(), held: 0, charged: 5 }]);

    // A spend through the key counts as charged; one credit more is refused.
    expect((await use(user.id, 25, 'u1', key)).body.errors).toBeUndefined();
    expect(await spending(key.id)).toEqual([{ periodStart: utcDay(), held: 0, charged: 30 }]);
    const over = await use(user.id, 1, 'u2', key);
    expect(extensionsOf(over)).toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
      reason: 'KEY_CEILING',
      required: 1,
      available: 0,
    });
    expect(await ledgerOf(platform, user.id)).toEqual({
      sum: 70,
      count: 3,
      balance: 70,
      held: 0,
    });

    // The ceiling is the key's: the same user without it, or through a key without a ceiling, spends.
    expect((await use(user.id, 1, 'u3')).body.errors).toBeUndefined();
    expect((await use(user.id, 1, 'u4', { id: randomUUID() })).body.errors).toBeUndefined();
    expect((await ledgerOf(platform, user.id)).balance).toBe(68);
  });

  it('an expired hold gives its reservation back to the key (the sweeper, and the next hold)', async () => {
    const user = await userWithAccount(platform, 100);
    const key: Key = { id: randomUUID(), creditCeiling: 10, ceilingPeriod: 'MONTH' };
    expect((await hold(user.id, 10, 'short', key, 1)).body.errors).toBeUndefined();
    await eventually(
      async () => expect((await spending(key.id))[0]).toMatchObject({ held: 0, charged: 0 }),
      10_000,
    );
    expect((await ledgerOf(platform, user.id)).held).toBe(0);
    expect((await hold(user.id, 10, 'again', key)).body.errors).toBeUndefined();
  });

  it('a ceiling of zero refuses every charge; a ceiling larger than the balance leaves the balance to refuse', async () => {
    const user = await userWithAccount(platform, 100);
    const zero: Key = { id: randomUUID(), creditCeiling: 0, ceilingPeriod: 'DAY' };
    expect(extensionsOf(await hold(user.id, 1, 'z', zero))).toMatchObject({
      reason: 'KEY_CEILING',
      available: 0,
    });
    const wide: Key = { id: randomUUID(), creditCeiling: 500, ceilingPeriod: 'DAY' };
    const short = await hold(user.id, 101, 'w', wide);
    // The balance's own refusal, without a reason; the key's count is rolled back with it.
    expect(extensionsOf(short)).toEqual({
      code: 'INSUFFICIENT_CREDITS',
      required: 101,
      available: 100,
    });
    expect(await spending(wide.id)).toEqual([]);
    expect(await ledgerOf(platform, user.id)).toEqual({
      sum: 100,
      count: 1,
      balance: 100,
      held: 0,
    });
  });

  it('refuses a malformed apiKey argument with field errors, holding nothing', async () => {
    const user = await userWithAccount(platform, 100);
    const cases: [Record<string, unknown>, string][] = [
      [{ id: 'key-1', creditCeiling: 5, ceilingPeriod: 'DAY' }, 'apiKey.id'],
      [{ id: randomUUID(), creditCeiling: -1, ceilingPeriod: 'DAY' }, 'apiKey.creditCeiling'],
      [{ id: randomUUID(), creditCeiling: 5 }, 'apiKey.ceilingPeriod'],
    ];
    for (const [key, field] of cases) {
      const r = await service(HOLD, { u: user.id, a: 1, k: `bad-${field}`, key });
      expect(extensionsOf(r)).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: { [field]: expect.any(String) },
      });
      expect(codeOf(await service(USE, { u: user.id, a: 1, k: `bad-${field}`, key }))).toBe(
        'BAD_USER_INPUT',
      );
    }
    expect(await ledgerOf(platform, user.id)).toEqual({
      sum: 100,
      count: 1,
      balance: 100,
      held: 0,
    });
  });

  it('50 concurrent holds and spends through one key: exactly the ones within the ceiling pass', async () => {
    const user = await userWithAccount(platform, 100);
    expect(
      (await service(ADD, { u: user.id, a: 900, k: 'topup', t: 'ADJUSTMENT' })).body.errors,
    ).toBeUndefined();
    const key: Key = { id: randomUUID(), creditCeiling: 100, ceilingPeriod: 'DAY' };
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0 ? hold(user.id, 7, `race-h${i}`, key) : use(user.id, 7, `race-u${i}`, key),
      ),
    );
    const passed = results.filter((r) => !r.body.errors);
    // floor(100 / 7) = 14 pass whichever kind they are; every refusal is the key's.
    expect(passed).toHaveLength(14);
    const refusals = results.filter((r) => r.body.errors);
    expect(refusals).toHaveLength(36);
    for (const r of refusals) expect(extensionsOf(r)).toMatchObject({ reason: 'KEY_CEILING' });
    const holds = results
      .map((r) => (r.body.data as { holdCredits?: { id: string } } | null)?.holdCredits?.id)
      .filter((id): id is string => Boolean(id));
    const spends = passed.length - holds.length;
    expect(await spending(key.id)).toEqual([
      { periodStart: utcDay(), held: 7 * holds.length, charged: 7 * spends },
    ]);
    // Settled concurrently for 3 each: 4 of each hold's 7 come back to the key.
    await Promise.all(holds.map((h) => service(SETTLE, { h, a: 3 })));
    const [after] = await spending(key.id);
    expect(after).toEqual({
      periodStart: utcDay(),
      held: 0,
      charged: 7 * spends + 3 * holds.length,
    });
    const ledger = await ledgerOf(platform, user.id);
    expect(ledger).toEqual({
      sum: 1000 - after.charged,
      count: 2 + passed.length,
      balance: 1000 - after.charged,
      held: 0,
    });
  });

  it("a deleted user's key spending is released and carries the account's pseudonym", async () => {
    const user = await userWithAccount(platform, 100, { verified: true });
    const key: Key = { id: randomUUID(), creditCeiling: 10, ceilingPeriod: 'DAY' };
    expect((await hold(user.id, 4, 'before-deletion', key)).body.errors).toBeUndefined();
    const deleted = await platform.gql(
      'mutation ($pw: String!) { deleteAccount(password: $pw) }',
      { pw: user.password },
      { token: user.accessToken },
    );
    expect(deleted.body.errors).toBeUndefined();
    const ds = platform.credits.dataSource;
    await eventually(async () => {
      const rows: { user_id: string; held: number }[] = await ds.query(
        `SELECT user_id, held FROM ${schemaOf(ds)}.api_key_spending WHERE api_key_id = $1`,
        [key.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].user_id).not.toBe(user.id);
      expect(Number(rows[0].held)).toBe(0);
    }, 10_000);
  });

  it('the period rolls over at midnight UTC (a moved clock); a hold settles in the period it reserved in', async () => {
    const user = await userWithAccount(platform, 100);
    const ds = platform.credits.dataSource;
    let now = new Date('2026-01-31T23:59:59.999Z');
    const holds = new HoldsService(
      ds,
      new LedgerService(ds, 1000),
      { defaultTtlSeconds: 600, maxTtlSeconds: 86_400 },
      () => now,
    );
    const daily: Key = { id: randomUUID(), creditCeiling: 10, ceilingPeriod: 'DAY' };
    const monthly: Key = { id: randomUUID(), creditCeiling: 10, ceilingPeriod: 'MONTH' };
    const lastOfJanuary = await holds.hold({
      userId: user.id,
      amount: 10,
      idempotencyKey: 'd1',
      apiKey: daily,
    });
    await holds.hold({ userId: user.id, amount: 10, idempotencyKey: 'm1', apiKey: monthly });
    await expect(
      holds.hold({ userId: user.id, amount: 1, idempotencyKey: 'd2', apiKey: daily }),
    ).rejects.toMatchObject({ extensions: { reason: 'KEY_CEILING' } });

    now = new Date('2026-02-01T00:00:00.000Z');
    await holds.hold({ userId: user.id, amount: 10, idempotencyKey: 'd3', apiKey: daily });
    await holds.hold({ userId: user.id, amount: 10, idempotencyKey: 'm2', apiKey: monthly });
    // January's hold settles after midnight: January's row keeps its charge, February's is untouched.
    await holds.settle(lastOfJanuary.id, 4);
    expect(await spending(daily.id!)).toEqual([
      { periodStart: '2026-01-31T00:00:00.000Z', held: 0, charged: 4 },
      { periodStart: '2026-02-01T00:00:00.000Z', held: 10, charged: 0 },
    ]);
    expect(await spending(monthly.id!)).toEqual([
      { periodStart: '2026-01-01T00:00:00.000Z', held: 10, charged: 0 },
      { periodStart: '2026-02-01T00:00:00.000Z', held: 10, charged: 0 },
    ]);
    now = new Date('2026-02-01T23:59:59.999Z');
    await expect(
      holds.hold({ userId: user.id, amount: 1, idempotencyKey: 'd4', apiKey: daily }),
    ).rejects.toMatchObject({
      extensions: { reason: 'KEY_CEILING', resetsAt: '2026-02-02T00:00:00.000Z' },
    });
    expect(await ledgerOf(platform, user.id)).toEqual({
      sum: 96,
      count: 2,
      balance: 96,
      held: 30,
    });
  });
});

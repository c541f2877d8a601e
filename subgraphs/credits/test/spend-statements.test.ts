import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  isRelayStatement,
  startTestPlatform,
  statementsOf,
  type TestPlatform,
} from '@bastion/testing';
import { asService, userWithAccount } from './credits-client';

const SPEND = `mutation ($u: ID!, $k: String!) {
  useCredits(userId: $u, amount: 5, description: "statements", idempotencyKey: $k) { id amount balanceAfter } }`;

/**
 * The statements of one plain spend (an open account with enough available credits, no stale
 * hold, a new key, the available credits staying at or above CREDITS_LOW_THRESHOLD), written down
 * from the design (docs/performance.md "Spends"), not from a run: one statement that moves the
 * balance under the account's row lock and appends the ledger row with the balance it produced
 * (atomic on its own: no START TRANSACTION / COMMIT, no row read before it, no outbox row: a plain
 * spend causes no event). The outbox relay polls on a timer, so its claims may land anywhere in
 * the list: they are told apart by their text.
 */
const EXPECTED = [
  /^WITH account AS \( UPDATE \S+\.credit_accounts SET balance = balance - \$2::int, updated_at = now\(\) WHERE user_id = \$1 AND balance - \$2::int >= held AND closed_at IS NULL AND anonymized_at IS NULL .*NOT EXISTS \(SELECT 1 FROM \S+\.credit_holds .*NOT EXISTS \(SELECT 1 FROM \S+\.credit_transactions .* RETURNING balance \) INSERT INTO \S+\.credit_transactions .* RETURNING balance_after, seq::text AS seq$/,
];

describe('useCredits: statements per spend', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ CREDITS_SIGNUP_GRANT: '100' });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  const rows = async (sql: string, params: unknown[]) =>
    (await platform.credits.dataSource.query(
      sql.replaceAll('$schema', schemaOf(platform.credits.dataSource)),
      params,
    )) as Record<string, unknown>[];

  it('a plain spend is the one hand-counted statement, and commits its ledger row and balance with no event', async () => {
    const user = await userWithAccount(platform, 100);
    const service = asService(platform);
    const outboxBefore = await rows(
      "SELECT type FROM $schema.outbox WHERE data->>'userId' = $1 ORDER BY occurred_at, id",
      [user.id],
    );
    // The sign-up grant's event, written with the account.
    expect(outboxBefore).toEqual([{ type: 'CREDITS_GRANTED' }]);
    await platform.credits.relay.idle();

    let answer: { id: string; amount: number; balanceAfter: number } | undefined;
    const seen = await statementsOf(platform.credits.dataSource, async () => {
      const response = await service<{ useCredits: NonNullable<typeof answer> }>(SPEND, {
        u: user.id,
        k: 'statements-1',
      });
      expect(response.body.errors).toBeUndefined();
      answer = response.body.data!.useCredits;
    });
    const request = seen.filter((statement) => !isRelayStatement(statement));
    expect(request).toHaveLength(EXPECTED.length);
    request.forEach((statement, index) => expect(statement).toMatch(EXPECTED[index]));
    expect(answer).toMatchObject({ amount: -5, balanceAfter: 95 });

    // What was committed, read back with SQL: the ledger row, the balance, no new outbox row.
    expect(
      await rows(
        'SELECT id, type, amount, balance_after, description, idempotency_key FROM $schema.credit_transactions WHERE user_id = $1 AND type = $2',
        [user.id, 'USAGE'],
      ),
    ).toEqual([
      {
        id: answer!.id,
        type: 'USAGE',
        amount: -5,
        balance_after: 95,
        description: 'statements',
        idempotency_key: 'statements-1',
      },
    ]);
    expect(
      await rows('SELECT balance, held FROM $schema.credit_accounts WHERE user_id = $1', [user.id]),
    ).toEqual([{ balance: 95, held: 0 }]);
    expect(
      await rows(
        "SELECT type FROM $schema.outbox WHERE data->>'userId' = $1 ORDER BY occurred_at, id",
        [user.id],
      ),
    ).toEqual(outboxBefore);

    // The same key again charges nothing and answers the first entry.
    const replay = await service<{ useCredits: NonNullable<typeof answer> }>(SPEND, {
      u: user.id,
      k: 'statements-1',
    });
    expect(replay.body.data?.useCredits).toEqual(answer);
    expect(
      await rows('SELECT balance FROM $schema.credit_accounts WHERE user_id = $1', [user.id]),
    ).toEqual([{ balance: 95 }]);
    expect(
      await rows(
        'SELECT count(*)::int AS n FROM $schema.credit_transactions WHERE user_id = $1 AND type = $2',
        [user.id, 'USAGE'],
      ),
    ).toEqual([{ n: 1 }]);
  });
});

import { randomUUID } from 'node:crypto';
import {
  PLATFORM_SETUP_MS,
  eventually,
  type FakeStripe,
  type TestPlatform,
} from '@bastion/testing';
import { ADD, HOLD, asService, codeOf, userWithAccount } from './credits-client';
import { checkout, query, startWithStripe } from './stripe-setup';

const DELETE_ACCOUNT = 'mutation ($pw: String!) { deleteAccount(password: $pw) }';

describe('USER_DELETED', () => {
  let platform: TestPlatform;
  let stripe: FakeStripe;

  beforeAll(async () => {
    ({ platform, stripe } = await startWithStripe());
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform.stop();
    await stripe.stop();
  }, PLATFORM_SETUP_MS);

  it('releases holds, keeps the amounts under a pseudonym, removes every link to the user, once per event', async () => {
    const service = asService(platform);
    const user = await userWithAccount(platform, 20, { verified: true });
    await service(ADD, { u: user.id, a: 30, k: 'bonus', t: 'ADJUSTMENT' });
    await service(HOLD, { u: user.id, a: 15, k: 'pending-generation' });
    await checkout(platform, user, 'starter');
    const deleted = await platform.gql(
      DELETE_ACCOUNT,
      { pw: user.password },
      { token: user.accessToken },
    );
    expect(deleted.body.errors).toBeUndefined();

    await eventually(async () =>
      expect(
        await query(platform, 'SELECT 1 FROM $schema.credit_accounts WHERE user_id = $1', [
          user.id,
        ]),
      ).toEqual([]),
    );
    for (const table of ['credit_transactions', 'credit_holds', 'stripe_customers']) {
      expect(
        await query(platform, `SELECT 1 FROM $schema.${table} WHERE user_id = $1`, [user.id]),
      ).toEqual([]);
    }
    // The same rows, amounts intact, now under an id that names nobody.
    const [account] = await query<{
      user_id: string;
      balance: number;
      held: number;
      closed: boolean;
    }>(
      platform,
      "SELECT user_id, balance, held, closed_at IS NOT NULL AS closed FROM $schema.credit_accounts WHERE anonymized_at IS NOT NULL AND user_id IN (SELECT user_id FROM $schema.credit_transactions WHERE idempotency_key = 'bonus' AND amount = 30)",
    );
    expect(account).toMatchObject({ balance: 0, held: 0, closed: true });
    const rows = await query<{ type: string; amount: number }>(
      platform,
      'SELECT type, amount FROM $schema.credit_transactions WHERE user_id = $1 ORDER BY created_at, id',
      [account.user_id],
    );
    expect(rows.map((r) => `${r.type} ${r.amount}`)).toEqual([
      'GRANT 20',
      'ADJUSTMENT 30',
      'ADJUSTMENT -50',
    ]);
    expect(
      await query(platform, 'SELECT status FROM $schema.credit_holds WHERE user_id = $1', [
        account.user_id,
      ]),
    ).toEqual([{ status: 'RELEASED' }]);

    // Redelivering the same event changes nothing (the inbox has it).
    const [inbox] = await query<{ event_id: string }>(
      platform,
      "SELECT event_id FROM $schema.inbox WHERE consumer = 'credits' ORDER BY handled_at DESC LIMIT 1",
    );
    await platform.credits.services.handleUserEvent({
      id: inbox.event_id,
      type: 'USER_DELETED',
      occurredAt: new Date().toISOString(),
      source: 'auth',
      data: { userId: user.id },
    });
    expect(
      await query(
        platform,
        'SELECT count(*)::int AS n FROM $schema.credit_transactions WHERE user_id = $1',
        [account.user_id],
      ),
    ).toEqual([{ n: 3 }]);

    // The deleted user has no account any more: no new entries, no new account.
    expect(codeOf(await service(ADD, { u: user.id, a: 5, k: 'after', t: 'GRANT' }))).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(await service(HOLD, { u: user.id, a: 5, k: randomUUID() }))).toBe('NOT_FOUND');
  });
});

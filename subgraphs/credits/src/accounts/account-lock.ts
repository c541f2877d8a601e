import type { EntityManager } from 'typeorm';
import { AppError, schemaOf } from '@bastion/platform';
import { endKeyReservation } from '../ceilings/key-ceilings';
import { updateReturning } from './update-returning';
import { CreditAccountEntity } from './ledger.entity';

/**
 * Locks a user's account row for the rest of the transaction. Every change of a balance or of
 * held credits takes this lock first (then a hold's row), so concurrent writers queue in one order.
 */
export async function lockAccount(
  manager: EntityManager,
  userId: string,
): Promise<CreditAccountEntity> {
  const account = await manager.findOne(CreditAccountEntity, {
    where: { userId },
    lock: { mode: 'pessimistic_write' },
  });
  // Accounts are opened by USER_CREATED only: an id that is no user gets no orphan account.
  if (!account || account.anonymizedAt)
    throw new AppError('NOT_FOUND', { message: 'No credit account for this user.' });
  return account;
}

// In its own module so the ceilings' code uses it without an import cycle; re-exported for the rest.
export { updateReturning };

/**
 * Expires the account's holds whose deadline passed and frees their credits, under the account
 * lock the caller holds: a spend never waits for the sweeper to see the credits as available.
 * A hold through an API key gives its reservation back to the key's period as well.
 */
export async function expireStaleHolds(manager: EntityManager, userId: string): Promise<number> {
  const expired = await updateReturning<{
    amount: number;
    api_key_id: string | null;
    key_period_start: Date | null;
  }>(
    manager,
    `UPDATE $schema.credit_holds SET status = 'EXPIRED', closed_at = now()
     WHERE user_id = $1 AND status = 'ACTIVE' AND expires_at <= now()
     RETURNING amount, api_key_id, key_period_start`,
    [userId],
  );
  for (const row of expired)
    await endKeyReservation(
      manager,
      {
        apiKeyId: row.api_key_id,
        keyPeriodStart: row.key_period_start,
        amount: Number(row.amount),
      },
      0,
    );
  const freed = expired.reduce((sum, row) => sum + Number(row.amount), 0);
  if (freed > 0) {
    await manager.query(
      `UPDATE ${schemaOf(manager.connection)}.credit_accounts SET held = held - $2, updated_at = now() WHERE user_id = $1`,
      [userId, freed],
    );
  }
  return freed;
}

import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { schemaOf } from '@bastion/platform';
import { CreditAccountEntity } from './ledger.entity';
import type { LedgerService } from './ledger.service';

/**
 * On USER_DELETED: releases the account's holds, zeroes what is left with an ADJUSTMENT, closes
 * the account and replaces the user id by a random pseudonym, in the ledger too (amounts stay for
 * accounting; nothing links them to the person any more). Extra cleanups (the Stripe customer
 * link) run in the same transaction.
 */
export async function anonymizeAccount(
  manager: EntityManager,
  ledger: LedgerService,
  userId: string,
  cleanups: ((manager: EntityManager, userId: string) => Promise<void>)[] = [],
): Promise<void> {
  const s = schemaOf(manager.connection);
  const account = await manager.findOne(CreditAccountEntity, {
    where: { userId },
    lock: { mode: 'pessimistic_write' },
  });
  for (const cleanup of cleanups) await cleanup(manager, userId);
  if (!account || account.anonymizedAt) return;
  await manager.query(
    `UPDATE ${s}.credit_holds SET status = 'RELEASED', closed_at = now() WHERE user_id = $1 AND status = 'ACTIVE'`,
    [userId],
  );
  await manager.query(`UPDATE ${s}.credit_accounts SET held = 0 WHERE user_id = $1`, [userId]);
  // Released with them: nothing stays reserved against the ceilings of the user's API keys.
  await manager.query(`UPDATE ${s}.api_key_spending SET held = 0 WHERE user_id = $1`, [userId]);
  if (account.balance > 0) {
    await ledger.write(
      manager,
      {
        userId,
        amount: account.balance,
        type: 'ADJUSTMENT',
        description: 'Account closed',
        idempotencyKey: 'account-closed',
      },
      -account.balance,
      account.balance,
    );
  }
  // ON UPDATE CASCADE carries the pseudonym to the ledger rows and holds.
  await manager.query(
    `UPDATE ${s}.credit_accounts SET user_id = $2, closed_at = now(), anonymized_at = now(), updated_at = now() WHERE user_id = $1`,
    [userId, randomUUID()],
  );
}

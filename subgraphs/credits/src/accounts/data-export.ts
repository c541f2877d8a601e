import type { DataSource } from 'typeorm';
import { CreditHoldEntity } from '../holds/hold.entity';
import { CreditAccountEntity, CreditTransactionEntity } from './ledger.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * Credits' part of a user's data export (README "Your data"): the account, its whole ledger in
 * the order it was applied, and its holds. Null when the user never had an account.
 */
export async function creditsDataExport(dataSource: DataSource, userId: string) {
  if (!UUID.test(userId)) return null;
  const account = await dataSource.getRepository(CreditAccountEntity).findOneBy({ userId });
  if (!account) return null;
  const transactions = await dataSource
    .getRepository(CreditTransactionEntity)
    .createQueryBuilder('t')
    .where('t.userId = :userId', { userId })
    .orderBy('t.seq', 'ASC')
    .getMany();
  const holds = await dataSource
    .getRepository(CreditHoldEntity)
    .find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  return {
    account: {
      balance: account.balance,
      held: account.held,
      createdAt: iso(account.createdAt),
      updatedAt: iso(account.updatedAt),
      closedAt: iso(account.closedAt),
    },
    transactions: transactions.map((t) => ({
      id: t.id,
      type: t.type,
      amount: t.amount,
      balanceAfter: t.balanceAfter,
      description: t.description,
      reason: t.reason,
      createdAt: iso(t.createdAt),
    })),
    holds: holds.map((h) => ({
      id: h.id,
      amount: h.amount,
      status: h.status,
      settledAmount: h.settledAmount,
      createdAt: iso(h.createdAt),
      expiresAt: iso(h.expiresAt),
      closedAt: iso(h.closedAt),
    })),
  };
}

import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { AppError, badInput, conflict, decodeCursor, pageSize, toConnection, type Connection } from '@bastion/platform';
import { CreditAccountEntity, CreditTransactionEntity, type TransactionType } from './ledger.entity';

export interface LedgerEntryInput {
  userId: string;
  /** Positive; the sign comes from the operation. */
  amount: number;
  type: TransactionType;
  description?: string | null;
  idempotencyKey: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_AMOUNT = 100_000_000;

function validate(input: LedgerEntryInput): void {
  const problems: Record<string, string> = {};
  if (!UUID.test(input.userId)) problems.userId = 'Must be a user id.';
  if (!Number.isInteger(input.amount) || input.amount < 1 || input.amount > MAX_AMOUNT) problems.amount = `Must be a whole number from 1 to ${MAX_AMOUNT}.`;
  if (!input.idempotencyKey || input.idempotencyKey.length > 200) problems.idempotencyKey = 'Must be 1 to 200 characters.';
  if (input.description && input.description.length > 500) problems.description = 'Use at most 500 characters.';
  if (Object.keys(problems).length > 0) throw badInput(problems);
}

/**
 * The credit ledger. Every change of a balance is one transaction that locks the account row,
 * appends one ledger row and updates the balance; the database refuses a negative balance and a
 * repeated idempotency key on its own as well.
 */
export class LedgerService {
  constructor(private readonly dataSource: DataSource) {}

  /** Opens an account (idempotent) with an optional sign-up grant, in the caller's transaction. */
  async openAccount(manager: EntityManager, userId: string, grant: number): Promise<void> {
    const now = new Date();
    await manager.createQueryBuilder().insert().into(CreditAccountEntity)
      .values({ userId, balance: 0, closedAt: null, createdAt: now, updatedAt: now }).orIgnore().execute();
    if (grant > 0) await this.append(manager, { userId, amount: grant, type: 'GRANT', description: 'Sign-up grant', idempotencyKey: 'signup-grant' }, 1);
  }

  /** Adds credits (GRANT, PURCHASE, REFUND, ADJUSTMENT). */
  add(input: LedgerEntryInput): Promise<CreditTransactionEntity> {
    validate(input);
    if (input.type === 'USAGE') throw badInput({ type: 'Use useCredits to spend credits.' });
    return this.dataSource.transaction((manager) => this.append(manager, input, 1));
  }

  /** Spends credits; INSUFFICIENT_CREDITS rather than a negative balance. */
  use(input: Omit<LedgerEntryInput, 'type'>): Promise<CreditTransactionEntity> {
    const entry = { ...input, type: 'USAGE' as const };
    validate(entry);
    return this.dataSource.transaction((manager) => this.append(manager, entry, -1));
  }

  /** Appends one entry under the account's row lock; a repeated key returns the first entry. */
  async append(manager: EntityManager, input: LedgerEntryInput, sign: 1 | -1): Promise<CreditTransactionEntity> {
    const now = new Date();
    await manager.createQueryBuilder().insert().into(CreditAccountEntity)
      .values({ userId: input.userId, balance: 0, closedAt: null, createdAt: now, updatedAt: now }).orIgnore().execute();
    const account = await manager.findOneOrFail(CreditAccountEntity, { where: { userId: input.userId }, lock: { mode: 'pessimistic_write' } });
    const existing = await manager.findOneBy(CreditTransactionEntity, { userId: input.userId, idempotencyKey: input.idempotencyKey });
    if (existing) {
      if (existing.amount !== sign * input.amount || existing.type !== input.type) {
        throw conflict('This idempotency key was already used for a different entry.');
      }
      return existing;
    }
    if (account.closedAt) throw new AppError('NOT_FOUND', { message: 'This credit account is closed.' });
    const balanceAfter = account.balance + sign * input.amount;
    if (balanceAfter < 0) {
      throw new AppError('INSUFFICIENT_CREDITS', { extensions: { required: input.amount, available: account.balance } });
    }
    const row = manager.create(CreditTransactionEntity, {
      id: randomUUID(), userId: input.userId, type: input.type, amount: sign * input.amount, balanceAfter,
      description: input.description ?? null, idempotencyKey: input.idempotencyKey, createdAt: now,
    });
    await manager.insert(CreditTransactionEntity, row);
    await manager.update(CreditAccountEntity, { userId: input.userId }, { balance: balanceAfter, updatedAt: now });
    return row;
  }

  account(userId: string): Promise<CreditAccountEntity | null> {
    if (!UUID.test(userId)) return Promise.resolve(null);
    return this.dataSource.getRepository(CreditAccountEntity).findOneBy({ userId });
  }

  async balance(userId: string): Promise<number> {
    return (await this.account(userId))?.balance ?? 0;
  }

  async transactions(userId: string, first?: number | null, after?: string | null): Promise<Connection<CreditTransactionEntity>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after);
    if (!UUID.test(userId)) return toConnection([], limit);
    const query = this.dataSource.getRepository(CreditTransactionEntity).createQueryBuilder('t')
      .where('t.user_id = :userId', { userId })
      .orderBy('t.created_at', 'DESC').addOrderBy('t.id', 'DESC')
      .limit(limit + 1);
    if (cursor) query.andWhere('(t.created_at, t.id) < (:at, :id)', { at: cursor.createdAt, id: cursor.id });
    return toConnection(await query.getMany(), limit);
  }

  /** On user deletion: zero the balance with an ADJUSTMENT and close the account; the ledger stays. */
  async closeAccount(manager: EntityManager, userId: string): Promise<void> {
    const account = await manager.findOne(CreditAccountEntity, { where: { userId }, lock: { mode: 'pessimistic_write' } });
    if (!account || account.closedAt) return;
    if (account.balance > 0) {
      await this.append(manager, { userId, amount: account.balance, type: 'ADJUSTMENT', description: 'Account closed', idempotencyKey: 'account-closed' }, -1);
    }
    await manager.update(CreditAccountEntity, { userId }, { closedAt: new Date(), updatedAt: new Date() });
  }
}

import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  badInput,
  conflict,
  decodeCursor,
  enqueueEvent,
  isUniqueViolation,
  pageSize,
  schemaOf,
  toConnection,
  type Connection,
} from '@bastion/platform';
import { apiKeyProblems, countAgainstCeiling, type ApiKeySpend } from '../ceilings/key-ceilings';
import { expireStaleHolds, lockAccount, updateReturning } from './account-lock';
import {
  CreditAccountEntity,
  CreditTransactionEntity,
  type TransactionType,
} from './ledger.entity';
import { UUID, validateAmount } from './validate';

export interface LedgerEntryInput {
  userId: string;
  /** Positive; the sign comes from the operation. */
  amount: number;
  type: TransactionType;
  description?: string | null;
  idempotencyKey: string;
  /** Why a Stripe entry was written (docs/security.md "Stripe policy"); stored, never shown as the type. */
  reason?: string | null;
  /**
   * The active organization of the request the entry comes from (the buyer's, the charged
   * caller's), for the events it causes: CREDITS_GRANTED, CREDITS_LOW. Null or absent: none known.
   */
  organizationId?: string | null;
  /** A GRANT's origin, for CREDITS_GRANTED; `packageId` for a subscription's grant. */
  grant?: { source: GrantSource; packageId: string | null };
}

/** Where granted credits come from (CREDITS_GRANTED `source`). Names are API. */
export type GrantSource = 'signup' | 'subscription' | 'service';

export interface WriteOptions {
  /**
   * A clawback (refund, dispute) or the settlement of a hold reserved before one: the balance may
   * fall below the held credits and below zero, and the negative balance is the account's debt.
   */
  allowDebt?: boolean;
}

export const DEFAULT_MAX_AMOUNT = 1_000_000;

/**
 * When a charge takes the available credits below this, CREDITS_LOW is published
 * (CREDITS_LOW_THRESHOLD; 0: never).
 */
export const DEFAULT_LOW_THRESHOLD = 20;

/**
 * The credit ledger. Every change of a balance is one transaction that locks the account row,
 * appends one ledger row and moves the balance with one conditional update; the database refuses
 * a repeated idempotency key as well. A spend or hold never takes the balance under the held
 * credits; only a Stripe clawback may take it below zero, and while it is negative (a debt) no
 * spend or hold passes, and credits added pay the debt off first. Each row gets the next value
 * of a ledger sequence while the account's row is locked, so `seq` is the order of application.
 */
export class LedgerService {
  constructor(
    private readonly dataSource: DataSource,
    readonly maxAmount = DEFAULT_MAX_AMOUNT,
    readonly lowThreshold = DEFAULT_LOW_THRESHOLD,
  ) {}

  /** Opens an account (idempotent) with an optional sign-up grant, in the caller's transaction. */
  async openAccount(manager: EntityManager, userId: string, grant: number): Promise<void> {
    const now = new Date();
    await manager
      .createQueryBuilder()
      .insert()
      .into(CreditAccountEntity)
      .values({
        userId,
        balance: 0,
        held: 0,
        closedAt: null,
        anonymizedAt: null,
        createdAt: now,
        updatedAt: now,
      })
      .orIgnore()
      .execute();
    if (grant > 0)
      await this.append(
        manager,
        {
          userId,
          amount: grant,
          type: 'GRANT',
          description: 'Sign-up grant',
          idempotencyKey: 'signup-grant',
          // A new account: its user has chosen no organization yet.
          organizationId: null,
          grant: { source: 'signup', packageId: null },
        },
        1,
      );
  }

  /** Adds credits (GRANT, PURCHASE, REFUND, ADJUSTMENT); a service's GRANT is a `service` grant. */
  add(input: LedgerEntryInput): Promise<CreditTransactionEntity> {
    validateAmount(input, this.maxAmount);
    if (input.type === 'USAGE') throw badInput({ type: 'Use useCredits to spend credits.' });
    const entry: LedgerEntryInput =
      input.type === 'GRANT' ? { ...input, grant: { source: 'service', packageId: null } } : input;
    return this.dataSource.transaction((manager) => this.append(manager, entry, 1));
  }

  /**
   * Spends available credits (balance minus active holds); INSUFFICIENT_CREDITS rather than less.
   * Through an API key with a credit ceiling, the spend counts against it as well (KEY_CEILING).
   */
  async use(
    input: Omit<LedgerEntryInput, 'type'> & { apiKey?: ApiKeySpend | null },
  ): Promise<CreditTransactionEntity> {
    const { apiKey, ...rest } = input;
    const entry = { ...rest, type: 'USAGE' as const };
    validateAmount(entry, this.maxAmount, apiKeyProblems(apiKey));
    // The key's spending row is locked with the account's: only the locked path does both.
    if (apiKey?.creditCeiling != null)
      return this.dataSource.transaction((manager) => this.append(manager, entry, -1, apiKey));
    return (
      (await this.spendInOneStatement(entry)) ??
      this.dataSource.transaction((manager) => this.append(manager, entry, -1))
    );
  }

  /**
   * The common spend as one statement: the balance moves and the ledger row is appended while the
   * database holds the account's row lock, and the lock is released at the statement's end, not
   * after round trips through a busy event loop (100 concurrent spends on one account queued
   * behind each other's round trips before). It only covers the plain case: an open account with
   * enough available credits, no hold past its deadline and an unused key. Anything else, and a
   * key taken by a concurrent spend (the unique constraint fails the whole statement), returns
   * null and takes the locked path in append(), which gives the same answers as before. A spend
   * that takes the available credits below the low threshold also takes the locked path, whose
   * transaction publishes CREDITS_LOW with it.
   */
  private async spendInOneStatement(
    input: LedgerEntryInput,
  ): Promise<CreditTransactionEntity | null> {
    if (!UUID.test(input.userId)) return null;
    const s = schemaOf(this.dataSource);
    const row = {
      id: randomUUID(),
      userId: input.userId,
      type: 'USAGE' as const,
      amount: -input.amount,
      balanceAfter: 0,
      description: input.description ?? null,
      idempotencyKey: input.idempotencyKey,
      reason: null,
      createdAt: new Date(),
    };
    let rows: { balance_after: number; seq: string }[];
    try {
      rows = await this.dataSource.query(
        `WITH account AS (
           UPDATE ${s}.credit_accounts SET balance = balance - $2::int, updated_at = now()
           WHERE user_id = $1 AND balance - $2::int >= held AND closed_at IS NULL AND anonymized_at IS NULL
             AND (balance - held - $2::int >= $7::int OR balance - held < $7::int)
             AND NOT EXISTS (SELECT 1 FROM ${s}.credit_holds h WHERE h.user_id = $1 AND h.status = 'ACTIVE' AND h.expires_at <= now())
             AND NOT EXISTS (SELECT 1 FROM ${s}.credit_transactions t WHERE t.user_id = $1 AND t.idempotency_key = $5)
           RETURNING balance
         )
         INSERT INTO ${s}.credit_transactions (id, user_id, type, amount, balance_after, description, idempotency_key, created_at)
         SELECT $3, $1, 'USAGE', -$2::int, account.balance, $4, $5, $6 FROM account
         RETURNING balance_after, seq::text AS seq`,
        [
          input.userId,
          input.amount,
          row.id,
          row.description,
          row.idempotencyKey,
          row.createdAt,
          this.lowThreshold,
        ],
      );
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
    if (rows.length === 0) return null;
    return this.dataSource.manager.create(CreditTransactionEntity, {
      ...row,
      balanceAfter: Number(rows[0].balance_after),
      seq: rows[0].seq,
    });
  }

  /**
   * Appends one entry under the account's row lock; a repeated key returns the first entry. A
   * spend through `apiKey` counts against its ceiling (refused past it, nothing written).
   */
  async append(
    manager: EntityManager,
    input: LedgerEntryInput,
    sign: 1 | -1,
    apiKey?: ApiKeySpend | null,
  ): Promise<CreditTransactionEntity> {
    const account = await lockAccount(manager, input.userId);
    const existing = await manager.findOneBy(CreditTransactionEntity, {
      userId: input.userId,
      idempotencyKey: input.idempotencyKey,
    });
    if (existing) {
      const same =
        existing.amount === sign * input.amount &&
        existing.type === input.type &&
        existing.description === (input.description ?? null);
      if (!same) throw conflict('This idempotency key was already used for a different entry.');
      return existing;
    }
    if (account.closedAt)
      throw new AppError('NOT_FOUND', { message: 'This credit account is closed.' });
    const freed = sign < 0 ? await expireStaleHolds(manager, input.userId) : 0;
    if (sign < 0)
      await countAgainstCeiling(manager, input.userId, apiKey, input.amount, 'charged', new Date());
    return this.write(manager, input, sign * input.amount, account.balance - account.held + freed);
  }

  /**
   * Moves the balance by `delta` (one conditional update: a debit only while the balance stays at
   * or above the held credits, unless `allowDebt`; a credit always) and appends the ledger row
   * with the balance it produced. The caller holds the account's row lock. The events the entry
   * causes go to the outbox in the same transaction: CREDITS_GRANTED for a GRANT, CREDITS_LOW
   * for a USAGE that took the available credits (balance minus held, after it) from at least the
   * threshold to below it. A clawback (REFUND, ADJUSTMENT) is no charge and never counts as one.
   */
  async write(
    manager: EntityManager,
    input: LedgerEntryInput,
    delta: number,
    available: number,
    options: WriteOptions = {},
  ): Promise<CreditTransactionEntity> {
    const updated = await updateReturning<{ balance: number; held: number }>(
      manager,
      `UPDATE $schema.credit_accounts SET balance = balance + $2, updated_at = now()
       WHERE user_id = $1 AND ($2 > 0 OR $3 OR balance + $2 >= held) RETURNING balance, held`,
      [input.userId, delta, options.allowDebt === true],
    );
    if (updated.length === 0) {
      throw new AppError('INSUFFICIENT_CREDITS', {
        extensions: { required: -delta, available: Math.max(0, available) },
      });
    }
    const row = manager.create(CreditTransactionEntity, {
      id: randomUUID(),
      userId: input.userId,
      type: input.type,
      amount: delta,
      balanceAfter: Number(updated[0].balance),
      description: input.description ?? null,
      idempotencyKey: input.idempotencyKey,
      reason: input.reason ?? null,
      createdAt: new Date(),
    });
    await manager.insert(CreditTransactionEntity, row);
    await this.publishEffects(manager, input, row, Number(updated[0].held));
    return row;
  }

  private async publishEffects(
    manager: EntityManager,
    input: LedgerEntryInput,
    row: CreditTransactionEntity,
    held: number,
  ): Promise<void> {
    const organizationId = input.organizationId ?? null;
    if (row.type === 'GRANT') {
      if (!input.grant) throw new Error('a GRANT entry names where its credits come from');
      await enqueueEvent(manager, 'CREDITS_GRANTED', {
        userId: row.userId,
        organizationId,
        credits: row.amount,
        source: input.grant.source,
        packageId: input.grant.packageId,
        transactionId: row.id,
      });
    }
    const available = row.balanceAfter - held;
    const charged = -row.amount;
    if (
      row.type === 'USAGE' &&
      this.lowThreshold > 0 &&
      available < this.lowThreshold &&
      available + charged >= this.lowThreshold
    )
      await enqueueEvent(manager, 'CREDITS_LOW', {
        userId: row.userId,
        organizationId,
        available,
        threshold: this.lowThreshold,
        transactionId: row.id,
      });
  }

  account(userId: string): Promise<CreditAccountEntity | null> {
    if (!UUID.test(userId)) return Promise.resolve(null);
    return this.dataSource.getRepository(CreditAccountEntity).findOneBy({ userId });
  }

  async balance(userId: string): Promise<number> {
    return (await this.account(userId))?.balance ?? 0;
  }

  /**
   * The account's entries, newest first in ledger order (`seq`, the order they were applied to the
   * balance), so each entry's balanceAfter is the next older one's plus its amount. Timestamps
   * come from the writers' clocks and may disagree with that order under concurrent spends. The
   * cursor stays the platform's (createdAt, id); the page continues below that entry's seq.
   */
  async transactions(
    userId: string,
    first?: number | null,
    after?: string | null,
  ): Promise<Connection<CreditTransactionEntity>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after);
    if (!UUID.test(userId)) return toConnection([], limit);
    const query = this.dataSource
      .getRepository(CreditTransactionEntity)
      .createQueryBuilder('t')
      .where('t.user_id = :userId', { userId })
      .orderBy('t.seq', 'DESC')
      .limit(limit + 1);
    if (cursor)
      query.andWhere(
        `t.seq < (SELECT c.seq FROM ${schemaOf(this.dataSource)}.credit_transactions c WHERE c.id = :id AND c.user_id = :userId)`,
        { id: cursor.id },
      );
    return toConnection(await query.getMany(), limit);
  }
}

import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { AppError, badInput, conflict, schemaOf } from '@bastion/platform';
import { expireStaleHolds, lockAccount, updateReturning } from '../accounts/account-lock';
import { CreditTransactionEntity } from '../accounts/ledger.entity';
import type { LedgerService } from '../accounts/ledger.service';
import { UUID, validateAmount } from '../accounts/validate';
import {
  apiKeyProblems,
  countAgainstCeiling,
  endKeyReservation,
  type ApiKeySpend,
} from '../ceilings/key-ceilings';
import { CreditHoldEntity } from './hold.entity';

export interface HoldInput {
  userId: string;
  amount: number;
  idempotencyKey: string;
  expiresInSeconds?: number | null;
  /** The charged caller's active organization, for the CREDITS_LOW the settlement may cause. */
  organizationId?: string | null;
  /** The personal API key the hold goes through: it reserves against the key's ceiling too. */
  apiKey?: ApiKeySpend | null;
}

export interface HoldLimits {
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
}

const holdNotFound = () => new AppError('NOT_FOUND', { message: 'Hold not found.' });

/**
 * Holds reserve credits for a pending charge (the ai service's generation): reserved with one
 * conditional update of `held`, then settled (one USAGE row, at most the held amount) or released.
 * A hold through a personal API key with a credit ceiling also reserves against the key's
 * spending in the current period (ceilings/key-ceilings.ts), in the same transaction.
 */
export class HoldsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly limits: HoldLimits,
    /** When a hold is made, for the key's ceiling period (tests move it). */
    private readonly clock: () => Date = () => new Date(),
  ) {}

  hold(input: HoldInput): Promise<CreditHoldEntity> {
    const ttl = input.expiresInSeconds ?? this.limits.defaultTtlSeconds;
    const ttlProblem: Record<string, string> =
      !Number.isInteger(ttl) || ttl < 1 || ttl > this.limits.maxTtlSeconds
        ? { expiresInSeconds: `Must be a whole number from 1 to ${this.limits.maxTtlSeconds}.` }
        : {};
    validateAmount(input, this.ledger.maxAmount, {
      ...ttlProblem,
      ...apiKeyProblems(input.apiKey),
    });
    return this.dataSource.transaction(async (manager) => {
      const account = await lockAccount(manager, input.userId);
      const existing = await manager.findOneBy(CreditHoldEntity, {
        userId: input.userId,
        idempotencyKey: input.idempotencyKey,
      });
      if (existing) {
        if (existing.amount !== input.amount)
          throw conflict('This idempotency key was already used for a different hold.');
        return existing;
      }
      if (account.closedAt)
        throw new AppError('NOT_FOUND', { message: 'This credit account is closed.' });
      const freed = await expireStaleHolds(manager, input.userId);
      // The key's ceiling first: past it, the refusal says so whatever the balance.
      const keyPeriod = await countAgainstCeiling(
        manager,
        input.userId,
        input.apiKey,
        input.amount,
        'held',
        this.clock(),
      );
      // The reservation itself: it succeeds only while the unreserved balance covers the amount.
      const reserved = await updateReturning(
        manager,
        `UPDATE $schema.credit_accounts SET held = held + $2, updated_at = now()
         WHERE user_id = $1 AND balance - held >= $2 RETURNING held`,
        [input.userId, input.amount],
      );
      if (reserved.length === 0) {
        const available = account.balance - account.held + freed;
        throw new AppError('INSUFFICIENT_CREDITS', {
          extensions: { required: input.amount, available: Math.max(0, available) },
        });
      }
      const now = new Date();
      const hold = manager.create(CreditHoldEntity, {
        id: randomUUID(),
        userId: input.userId,
        amount: input.amount,
        status: 'ACTIVE',
        idempotencyKey: input.idempotencyKey,
        expiresAt: new Date(now.getTime() + ttl * 1000),
        createdAt: now,
        closedAt: null,
        settledAmount: null,
        transactionId: null,
        organizationId: input.organizationId ?? null,
        apiKeyId: keyPeriod?.apiKeyId ?? null,
        keyPeriodStart: keyPeriod?.periodStart ?? null,
      });
      await manager.insert(CreditHoldEntity, hold);
      return hold;
    });
  }

  /** Charges min(amount, held) as one USAGE row and frees the rest; a repeated identical settle returns the same row. */
  settle(holdId: string, amount: number): Promise<CreditTransactionEntity> {
    validateAmount({ amount }, this.ledger.maxAmount);
    return this.dataSource.transaction(async (manager) => {
      const hold = await this.lockHold(manager, holdId);
      const charge = Math.min(amount, hold.amount);
      if (hold.status === 'SETTLED') {
        if (hold.settledAmount !== charge)
          throw conflict('This hold was already settled for a different amount.');
        return this.transactionOf(manager, hold);
      }
      if (hold.status !== 'ACTIVE' || hold.expiresAt.getTime() <= Date.now())
        throw conflict('This hold was released or has expired.');
      await manager.query(
        `UPDATE ${this.schema()}.credit_accounts SET held = held - $2 WHERE user_id = $1`,
        [hold.userId, hold.amount],
      );
      await endKeyReservation(manager, hold, charge);
      const row = await this.ledger.write(
        manager,
        {
          userId: hold.userId,
          amount: charge,
          type: 'USAGE',
          description: 'Settled hold',
          idempotencyKey: `hold:${hold.id}`,
          organizationId: hold.organizationId,
        },
        -charge,
        hold.amount,
        // Reserved while the credits were there: a Stripe clawback since may have taken the
        // balance under the hold, and the work is done, so the charge stands (a debt if need be).
        { allowDebt: true },
      );
      await manager.update(
        CreditHoldEntity,
        { id: hold.id },
        { status: 'SETTLED', settledAmount: charge, transactionId: row.id, closedAt: new Date() },
      );
      return row;
    });
  }

  /** Frees a hold's credits: true when this call freed them, false when it was already released or expired. */
  release(holdId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const hold = await this.lockHold(manager, holdId);
      if (hold.status === 'SETTLED') throw conflict('This hold was already settled.');
      if (hold.status !== 'ACTIVE') return false;
      await manager.query(
        `UPDATE ${this.schema()}.credit_accounts SET held = held - $2, updated_at = now() WHERE user_id = $1`,
        [hold.userId, hold.amount],
      );
      await endKeyReservation(manager, hold, 0);
      await manager.update(
        CreditHoldEntity,
        { id: hold.id },
        { status: 'RELEASED', closedAt: new Date() },
      );
      return true;
    });
  }

  /** The account's active holds, soonest deadline first (bounded: an account holds few at once). */
  active(userId: string): Promise<CreditHoldEntity[]> {
    if (!UUID.test(userId)) return Promise.resolve([]);
    return this.dataSource
      .getRepository(CreditHoldEntity)
      .createQueryBuilder('h')
      .where("h.user_id = :userId AND h.status = 'ACTIVE' AND h.expires_at > now()", { userId })
      .orderBy('h.expires_at', 'ASC')
      .limit(100)
      .getMany();
  }

  /** The credits the account's running (unexpired) holds reserve. */
  async runningTotal(userId: string): Promise<number> {
    if (!UUID.test(userId)) return 0;
    const rows: { total: string | null }[] = await this.dataSource.query(
      `SELECT sum(amount) AS total FROM ${this.schema()}.credit_holds WHERE user_id = $1 AND status = 'ACTIVE' AND expires_at > now()`,
      [userId],
    );
    return Number(rows[0]?.total ?? 0);
  }

  /** Account lock first, then the hold's row: the same order as every other writer. */
  private async lockHold(manager: EntityManager, holdId: string): Promise<CreditHoldEntity> {
    if (typeof holdId !== 'string' || !UUID.test(holdId))
      throw badInput({ holdId: 'Must be a hold id.' });
    const found = await manager.findOneBy(CreditHoldEntity, { id: holdId });
    if (!found) throw holdNotFound();
    await lockAccount(manager, found.userId).catch(() => Promise.reject(holdNotFound()));
    const hold = await manager.findOne(CreditHoldEntity, {
      where: { id: holdId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!hold) throw holdNotFound();
    return hold;
  }

  private async transactionOf(
    manager: EntityManager,
    hold: CreditHoldEntity,
  ): Promise<CreditTransactionEntity> {
    const row = hold.transactionId
      ? await manager.findOneBy(CreditTransactionEntity, { id: hold.transactionId })
      : null;
    if (!row) throw holdNotFound();
    return row;
  }

  private schema(): string {
    return schemaOf(this.dataSource);
  }
}

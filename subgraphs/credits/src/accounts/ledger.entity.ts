import { Column, Entity, PrimaryColumn } from 'typeorm';

export type TransactionType = 'GRANT' | 'PURCHASE' | 'USAGE' | 'REFUND' | 'ADJUSTMENT';

/** The balance of one user; it changes only together with a ledger row. */
@Entity({ name: 'credit_accounts' })
export class CreditAccountEntity {
  @PrimaryColumn('uuid')
  userId!: string;

  @Column('int')
  balance!: number;

  /** The sum of the account's active holds; available = balance - held. */
  @Column('int', { default: 0 })
  held!: number;

  /** Set when the user was deleted; a closed account takes no new entries. */
  @Column('timestamptz', { nullable: true })
  closedAt!: Date | null;

  /** Set when a deleted user's account was given a pseudonym in place of the user id. */
  @Column('timestamptz', { nullable: true })
  anonymizedAt!: Date | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;
}

/** Append-only ledger row. */
@Entity({ name: 'credit_transactions' })
export class CreditTransactionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('text')
  type!: TransactionType;

  @Column('int')
  amount!: number;

  @Column('int')
  balanceAfter!: number;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('text')
  idempotencyKey!: string;

  /** Why a Stripe entry was written (STRIPE_PURCHASE, DISPUTE_WITHDRAWN, ...); null for plain ones. */
  @Column('text', { nullable: true })
  reason!: string | null;

  /**
   * The order in which entries were applied to their account's balance (a database sequence drawn
   * while the account's row is locked); listings follow it. Set by the database on insert, so
   * unset on a row this process just wrote.
   */
  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  @Column('timestamptz')
  createdAt!: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

export type HoldStatus = 'ACTIVE' | 'SETTLED' | 'RELEASED' | 'EXPIRED';

/** Credits reserved for a pending charge; counted against `available` while ACTIVE. */
@Entity({ name: 'credit_holds' })
export class CreditHoldEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('int')
  amount!: number;

  @Column('text')
  status!: HoldStatus;

  @Column('text')
  idempotencyKey!: string;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  closedAt!: Date | null;

  /** What settleHold charged (at most `amount`). */
  @Column('int', { nullable: true })
  settledAmount!: number | null;

  @Column('uuid', { nullable: true })
  transactionId!: string | null;

  /** The active organization of the request the hold reserves for, named by CREDITS_LOW. */
  @Column('uuid', { nullable: true })
  organizationId!: string | null;

  /** The personal API key whose ceiling the hold reserves against (null: none counted). */
  @Column('uuid', { nullable: true })
  apiKeyId!: string | null;

  /** The start of the key's period the hold reserved in; its settlement gives back to that period. */
  @Column('timestamptz', { nullable: true })
  keyPeriodStart!: Date | null;
}

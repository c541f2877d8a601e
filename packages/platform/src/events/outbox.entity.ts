import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An event written in the same transaction as the change it announces; the relay publishes it. */
@Entity({ name: 'outbox' })
export class OutboxRow {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  type!: string;

  @Column('jsonb')
  data!: Record<string, unknown>;

  @Column('timestamptz')
  occurredAt!: Date;

  @Column('timestamptz', { nullable: true })
  publishedAt!: Date | null;

  @Column('int', { default: 0 })
  attempts!: number;

  /** A relay instance's lease on the row while it publishes; expired leases are taken over. */
  @Column('timestamptz', { nullable: true })
  claimedUntil!: Date | null;
}

/** Event ids a consumer has applied, written in the same transaction as the effect. */
@Entity({ name: 'inbox' })
export class InboxRow {
  @PrimaryColumn('text')
  consumer!: string;

  @PrimaryColumn('uuid')
  eventId!: string;

  @Column('timestamptz')
  handledAt!: Date;
}

/** SQL for the outbox and inbox tables; the first migration of every service runs it. */
export function eventTablesSql(schema: string): string[] {
  return [
    `CREATE TABLE ${schema}.outbox (
      id uuid PRIMARY KEY,
      type text NOT NULL,
      data jsonb NOT NULL,
      occurred_at timestamptz NOT NULL,
      published_at timestamptz,
      attempts int NOT NULL DEFAULT 0,
      claimed_until timestamptz
    )`,
    `CREATE INDEX outbox_pending ON ${schema}.outbox (occurred_at) WHERE published_at IS NULL`,
    `CREATE TABLE ${schema}.inbox (
      consumer text NOT NULL,
      event_id uuid NOT NULL,
      handled_at timestamptz NOT NULL,
      PRIMARY KEY (consumer, event_id)
    )`,
  ];
}

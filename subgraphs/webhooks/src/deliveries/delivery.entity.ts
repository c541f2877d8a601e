import { Column, Entity, PrimaryColumn } from 'typeorm';

export type DeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/** The body sent, exactly: the webhook event type, the event's time (ISO) and its data. */
export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** One event for one endpoint: unique per (endpoint, event), retried until it succeeds or fails for good. */
@Entity({ name: 'deliveries' })
export class WebhookDeliveryEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  endpointId!: string;

  @Column('uuid')
  organizationId!: string;

  /** The outbox event's id (a fresh one for webhook.ping): the `webhook-id` header on every attempt. */
  @Column('uuid')
  eventId!: string;

  @Column('text')
  eventType!: string;

  @Column('jsonb')
  payload!: WebhookPayload;

  @Column('text')
  status!: DeliveryStatus;

  /** Attempts made since the delivery was created or last replayed (the retry budget). */
  @Column('int', { default: 0 })
  attemptCount!: number;

  @Column('timestamptz', { nullable: true })
  nextAttemptAt!: Date | null;

  /** A dispatcher holds the delivery until then; once it lapses another may take it. */
  @Column('timestamptz', { nullable: true })
  leaseUntil!: Date | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;
}

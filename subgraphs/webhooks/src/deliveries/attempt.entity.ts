import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One request made for a delivery, as the delivery log shows it. */
@Entity({ name: 'attempts' })
export class WebhookAttemptEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  deliveryId!: string;

  @Column('timestamptz')
  at!: Date;

  /** The receiver's HTTP status; null when no answer came (timeout, refused address, reset). */
  @Column('int', { nullable: true })
  responseStatus!: number | null;

  @Column('int')
  durationMs!: number;

  @Column('text', { nullable: true })
  error!: string | null;

  /** The first 1024 bytes of the answer's body. */
  @Column('text', { nullable: true })
  responseBody!: string | null;
}

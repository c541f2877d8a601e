import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Why an endpoint was turned off by the platform rather than by an ADMIN (null: enabled, or by hand). */
export type DisabledReason = 'GONE' | 'FAILING';

/** A URL an organization's ADMINs registered to receive the event types it names. */
@Entity({ name: 'endpoints' })
export class WebhookEndpointEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  organizationId!: string;

  @Column('text')
  url!: string;

  @Column('text', { array: true })
  eventTypes!: string[];

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('boolean')
  enabled!: boolean;

  @Column('text', { nullable: true })
  disabledReason!: DisabledReason | null;

  /** The signing secret, sealed (EndpointSecrets); never read outside the sealing and the dispatcher. */
  @Column('bytea')
  secret!: Buffer;

  /** The secret before the last rotation, which also signs until `previousSecretExpiresAt`. */
  @Column('bytea', { nullable: true })
  previousSecret!: Buffer | null;

  @Column('timestamptz', { nullable: true })
  previousSecretExpiresAt!: Date | null;

  /** When the current run of failed attempts began; cleared by a success or by enabling. */
  @Column('timestamptz', { nullable: true })
  failingSince!: Date | null;

  @Column('uuid', { nullable: true })
  createdBy!: string | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;

  @Column('timestamptz', { nullable: true })
  organizationDeletedAt!: Date | null;
}

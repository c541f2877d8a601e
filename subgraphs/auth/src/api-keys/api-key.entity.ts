import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A personal API key; only its SHA-256 and its first characters (for recognising it) are kept. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('text')
  name!: string;

  /** The key's first characters (`bk_` and a few more), shown in lists so a user knows which it is. */
  @Column('text')
  prefix!: string;

  @Column('text')
  sha256!: string;

  @Column('text', { array: true })
  capabilities!: string[];

  @Column('uuid', { nullable: true })
  organizationId!: string | null;

  @Column('integer', { nullable: true })
  creditCeiling!: number | null;

  @Column('text', { nullable: true })
  ceilingPeriod!: 'DAY' | 'MONTH' | null;

  @Column('timestamptz', { nullable: true })
  expiresAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  lastUsedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;

  @Column('timestamptz')
  createdAt!: Date;
}

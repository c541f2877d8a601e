import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A service token issued through the API; only its hash is kept. */
@Entity({ name: 'service_tokens' })
export class ServiceTokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { array: true })
  scopes!: string[];

  @Column('text')
  sha256!: string;

  /** Who issued it (the calling service's name). */
  @Column('text')
  issuedBy!: string;

  @Column('timestamptz')
  createdAt!: Date;

  /** Set by revokeServiceToken; a revoked token is never valid again. */
  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;
}

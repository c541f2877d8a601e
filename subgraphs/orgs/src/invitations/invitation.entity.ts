import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '@bastion/platform';

@Entity({ name: 'invitations' })
export class InvitationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  organizationId!: string;

  /** Lower-cased; only a verified user with this address may accept. */
  @Column('text')
  email!: string;

  @Column('text')
  role!: Role;

  /** SHA-256 of the mailed token: a leaked table row is not an invitation. */
  @Column('text')
  tokenHash!: string;

  @Column('uuid', { nullable: true })
  invitedBy!: string | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  acceptedAt!: Date | null;

  @Column('uuid', { nullable: true })
  acceptedBy!: string | null;

  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '@bastion/platform';

@Entity({ name: 'organizations' })
export class OrganizationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  slug!: string;

  @Column('timestamptz')
  createdAt!: Date;

  /** Who created it: counts toward ORGS_CREATED_PER_DAY. */
  @Column('uuid', { nullable: true })
  createdBy!: string | null;

  /** Members must have used a second factor in their session (amr has 'mfa') to reach its fields. */
  @Column('boolean', { default: false })
  requireMfa!: boolean;
}

@Entity({ name: 'memberships' })
export class MembershipEntity {
  @PrimaryColumn('uuid')
  organizationId!: string;

  @PrimaryColumn('uuid')
  userId!: string;

  @Column('text')
  role!: Role;

  @Column('timestamptz')
  joinedAt!: Date;
}

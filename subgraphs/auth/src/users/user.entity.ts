import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** Stored lower-cased and trimmed; unique. */
  @Column('text')
  email!: string;

  /** argon2id PHC string; null for accounts that only sign in through a provider. */
  @Column('text', { nullable: true })
  passwordHash!: string | null;

  @Column('text', { nullable: true })
  displayName!: string | null;

  @Column('timestamptz', { nullable: true })
  emailVerifiedAt!: Date | null;

  /** Has a confirmed second factor (kept with the factors, in the same transaction). */
  @Column('boolean', { default: false })
  mfaEnabled!: boolean;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

export type EmailTokenPurpose = 'verify_email' | 'change_email' | 'reset_password';

/** A single-use link token mailed to an address, stored only as its SHA-256. */
@Entity({ name: 'email_tokens' })
export class EmailTokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('text')
  purpose!: EmailTokenPurpose;

  @Column('text')
  tokenHash!: string;

  /** The address the token was mailed to; for change_email, the pending new address. */
  @Column('text')
  email!: string;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  usedAt!: Date | null;
}

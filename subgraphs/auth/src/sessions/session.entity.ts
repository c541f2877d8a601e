import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '@bastion/platform';

/** One login: a family of refresh tokens. Its id is the `sid` claim of every access token it issues. */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  lastUsedAt!: Date;

  /** Absolute end of the family: rotation never renews past it. */
  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;

  @Column('text', { nullable: true })
  revokedReason!: string | null;

  /** The organization the session acts in (switchOrganization), carried into each access token. */
  @Column('uuid', { nullable: true })
  organizationId!: string | null;

  @Column('text', { nullable: true })
  role!: Role | null;

  /** RFC 8176 methods of the sign-in (or the last step-up), carried into every access token. */
  @Column('text', { array: true, default: () => "'{}'" })
  amr!: string[];

  /** When the user last authenticated for this session; null for sessions from before MFA. */
  @Column('timestamptz', { nullable: true })
  authTime!: Date | null;

  @Column('text', { nullable: true })
  userAgent!: string | null;

  @Column('text', { nullable: true })
  ip!: string | null;

  /**
   * Set on a support impersonation session: the service acting as the user (the `act` claim of
   * its access tokens, which makes them read-only). Null for the user's own sessions.
   */
  @Column('text', { nullable: true })
  impersonatedBy!: string | null;

  /** Why support impersonates the user, shown to them; set exactly when impersonatedBy is. */
  @Column('text', { nullable: true })
  impersonationReason!: string | null;
}

/** One refresh token of a family, stored only as its SHA-256. */
@Entity({ name: 'refresh_tokens' })
export class RefreshTokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  sessionId!: string;

  @Column('text')
  tokenHash!: string;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  expiresAt!: Date;

  /** When it was traded for its successor; presenting it again after the grace window is reuse. */
  @Column('timestamptz', { nullable: true })
  rotatedAt!: Date | null;

  @Column('uuid', { nullable: true })
  replacedById!: string | null;
}

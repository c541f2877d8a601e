import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A provider identity linked to a user: signing in with it signs in as that user. */
@Entity({ name: 'oauth_accounts' })
export class OAuthAccountEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  /** `google` or `oidc`; one identity per provider and user. */
  @Column('text')
  provider!: string;

  /** The provider's `sub`: stable, unlike the email, so it alone identifies the person. */
  @Column('text')
  subject!: string;

  /** The email the provider reported at link time, for display and support only. */
  @Column('text', { nullable: true })
  email!: string | null;

  @Column('timestamptz')
  createdAt!: Date;
}

export type OAuthPurpose = 'login' | 'link';

/**
 * A started authorization flow, keyed by the SHA-256 of its `state`: a database read yields no
 * usable state. Single use (deleted when consumed) and short-lived.
 */
@Entity({ name: 'oauth_states' })
export class OAuthStateEntity {
  @PrimaryColumn('text')
  hash!: string;

  @Column('text')
  provider!: string;

  @Column('text')
  redirectUri!: string;

  /** PKCE verifier: the code is worthless without it, so a stolen code cannot be redeemed elsewhere. */
  @Column('text')
  codeVerifier!: string;

  /** Bound into the ID token: a token minted for another flow is refused. */
  @Column('text')
  nonce!: string;

  @Column('text')
  purpose!: OAuthPurpose;

  /** For `link`: the signed-in user who started the flow, the only one who may finish it. */
  @Column('uuid', { nullable: true })
  userId!: string | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  expiresAt!: Date;
}

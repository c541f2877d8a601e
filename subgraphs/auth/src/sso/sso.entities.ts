import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '@bastion/platform';

export type SsoConnectionKind = 'SAML' | 'OIDC';

/** One row of a connection's group -> role table: the first group the user is in decides. */
export interface SsoGroupRole {
  group: string;
  role: Role;
}

/**
 * A domain an organization claims. It routes sign-ins and links existing accounts only once
 * verified (DNS TXT `_bastion-verification.<domain>` = `bastion-verification=<txtToken>`, or an
 * operator's markSsoDomainVerified); verified for at most one organization.
 */
@Entity({ name: 'sso_domains' })
export class SsoDomainEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  organizationId!: string;

  /** Lower-case, no trailing dot. */
  @Column('text')
  domain!: string;

  @Column('text')
  txtToken!: string;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  verifiedAt!: Date | null;
}

/** An organization's identity provider: SAML 2.0 or OpenID Connect. */
@Entity({ name: 'sso_connections' })
export class SsoConnectionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  organizationId!: string;

  @Column('text')
  kind!: SsoConnectionKind;

  @Column('text')
  name!: string;

  @Column('boolean')
  enabled!: boolean;

  /** Users of the organization's verified domains must sign in through it (SSO_REQUIRED otherwise). */
  @Column('boolean')
  enforced!: boolean;

  /** Unknown users of a verified domain get an account and a membership at their first sign-in. */
  @Column('boolean')
  jitProvisioning!: boolean;

  /** SAML: accept responses that answer no AuthnRequest of ours (off by default). */
  @Column('boolean')
  idpInitiated!: boolean;

  /** The role of a user in none of the mapped groups; null: such a user is no member. */
  @Column('text', { nullable: true })
  defaultRole!: Role | null;

  @Column('jsonb')
  groupRoles!: SsoGroupRole[];

  /** Attribute (SAML) or claim (OIDC) names; null: the protocol's usual one. */
  @Column('text', { nullable: true })
  emailAttribute!: string | null;

  @Column('text', { nullable: true })
  nameAttribute!: string | null;

  @Column('text', { nullable: true })
  groupsAttribute!: string | null;

  @Column('text', { nullable: true })
  samlIdpEntityId!: string | null;

  @Column('text', { nullable: true })
  samlSsoUrl!: string | null;

  /** The IdP's signing certificates (PEM); several while the IdP rotates its key. */
  @Column('text', { array: true })
  samlCertificates!: string[];

  @Column('text', { nullable: true })
  oidcIssuer!: string | null;

  @Column('text', { nullable: true })
  oidcClientId!: string | null;

  /** Sealed (AES-256-GCM); never returned by the API. */
  @Column('bytea', { nullable: true })
  oidcClientSecret!: Buffer | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;
}

/** A started sign-in: `id` is the SAML RelayState / OIDC state. Single use, ten minutes. */
@Entity({ name: 'sso_requests' })
export class SsoRequestEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('uuid')
  connectionId!: string;

  @Column('text')
  redirectUri!: string;

  /** SAML: the AuthnRequest's ID, which the response's InResponseTo must name. */
  @Column('text', { nullable: true })
  samlRequestId!: string | null;

  @Column('text', { nullable: true })
  oidcNonce!: string | null;

  @Column('text', { nullable: true })
  oidcCodeVerifier!: string | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  usedAt!: Date | null;
}

/** A SAML assertion id already accepted, until the assertion would have expired (replay defence). */
@Entity({ name: 'sso_assertions' })
export class SsoAssertionEntity {
  @PrimaryColumn('uuid')
  connectionId!: string;

  @PrimaryColumn('text')
  id!: string;

  @Column('timestamptz')
  expiresAt!: Date;
}

/** The one-time code the browser brings back to ssoLogin, stored as its SHA-256. Two minutes. */
@Entity({ name: 'sso_codes' })
export class SsoCodeEntity {
  @PrimaryColumn('text')
  codeHash!: string;

  @Column('uuid')
  connectionId!: string;

  /** The SsoIdentity the IdP vouched for (sso/identity.ts). */
  @Column('jsonb')
  identity!: unknown;

  @Column('text')
  redirectUri!: string;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  usedAt!: Date | null;
}

/** Which user a connection's subject (NameID / sub) signs in as: set at provisioning or linking. */
@Entity({ name: 'sso_links' })
export class SsoLinkEntity {
  @PrimaryColumn('uuid')
  connectionId!: string;

  @PrimaryColumn('text')
  subject!: string;

  @Column('uuid')
  userId!: string;

  /** The email at link time, for display and support only. */
  @Column('text')
  email!: string;

  @Column('timestamptz')
  createdAt!: Date;
}

export const SSO_ENTITIES = [
  SsoDomainEntity,
  SsoConnectionEntity,
  SsoRequestEntity,
  SsoAssertionEntity,
  SsoCodeEntity,
  SsoLinkEntity,
];

import { Column, Entity, PrimaryColumn } from 'typeorm';

export type MfaFactorKind = 'TOTP' | 'PASSKEY';

/** A second factor: a TOTP secret (AES-256-GCM sealed) or a WebAuthn credential. */
@Entity({ name: 'mfa_factors' })
export class MfaFactorEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('text')
  kind!: MfaFactorKind;

  @Column('text')
  name!: string;

  @Column('timestamptz')
  createdAt!: Date;

  /** Null while a TOTP factor waits for its first code: it protects nothing until then. */
  @Column('timestamptz', { nullable: true })
  confirmedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  lastUsedAt!: Date | null;

  /** TOTP: the sealed secret (never the plain one). */
  @Column('bytea', { nullable: true })
  totpSecret!: Buffer | null;

  /** TOTP: the last time step a code was accepted for; a code of that step or older is refused. */
  @Column('bigint', {
    nullable: true,
    transformer: {
      to: (v: number | null) => v,
      from: (v: string | null) => (v === null ? null : Number(v)),
    },
  })
  totpLastStep!: number | null;

  /** Passkey: the credential id, base64url. */
  @Column('text', { nullable: true })
  credentialId!: string | null;

  /** Passkey: the COSE public key. */
  @Column('bytea', { nullable: true })
  publicKey!: Buffer | null;

  @Column('bigint', {
    nullable: true,
    transformer: {
      to: (v: number | null) => v,
      from: (v: string | null) => (v === null ? null : Number(v)),
    },
  })
  signCount!: number | null;

  @Column('text', { array: true, nullable: true })
  transports!: string[] | null;

  /** Passkey: `singleDevice` (amr hwk) or `multiDevice` (synced, amr swk). */
  @Column('text', { nullable: true })
  deviceType!: string | null;

  @Column('boolean', { nullable: true })
  backedUp!: boolean | null;
}

/** One recovery code, stored as a hash; `usedAt` set once it signed someone in. */
@Entity({ name: 'recovery_codes' })
export class RecoveryCodeEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('text')
  codeHash!: string;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  usedAt!: Date | null;
}

/** The pending second step of a sign-in: the mfaToken, stored as its SHA-256. */
@Entity({ name: 'mfa_challenges' })
export class MfaChallengeEntity {
  @PrimaryColumn('text')
  tokenHash!: string;

  @Column('uuid')
  userId!: string;

  /** What the first factor was (e.g. ['pwd'], ['fed']). */
  @Column('text', { array: true })
  amr!: string[];

  /** A hash of the client the first factor came from; the token works only from it. */
  @Column('text')
  clientBinding!: string;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  usedAt!: Date | null;

  @Column('integer', { default: 0 })
  attempts!: number;
}

export type WebAuthnPurpose = 'REGISTER' | 'LOGIN' | 'MFA' | 'STEP_UP';

/** A WebAuthn challenge handed out in options: single use, short-lived, bound to its purpose. */
@Entity({ name: 'webauthn_challenges' })
export class WebAuthnChallengeEntity {
  /** base64url, as it comes back in clientDataJSON. */
  @PrimaryColumn('text')
  challenge!: string;

  @Column('text')
  purpose!: WebAuthnPurpose;

  /** The user it was issued to (null for a passwordless sign-in, where the user is not known yet). */
  @Column('uuid', { nullable: true })
  userId!: string | null;

  /** MFA: the mfa_challenges row it belongs to. */
  @Column('text', { nullable: true })
  mfaTokenHash!: string | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  usedAt!: Date | null;
}

import type { ClientInfo } from '@bastion/platform';
import type { EntityManager } from 'typeorm';
import type { UserEntity } from '../users/user.entity';
import type { MfaFactorEntity, WebAuthnPurpose } from './mfa.entities';

/**
 * The seams between the parts of MFA: factors' lifecycle (recovery codes, the `mfa_enabled`
 * flag, events, audit, mail), passkeys (WebAuthn) and the sign-in state machine.
 */

/** What a passkey assertion is checked against. */
export interface PasskeyAssertionCheck {
  purpose: Exclude<WebAuthnPurpose, 'REGISTER'>;
  /** JSON of AuthenticationResponseJSON as the client sent it. */
  response: string;
  /** The user the credential must belong to; null for a passwordless sign-in (any user's discoverable credential). */
  userId: string | null;
  /** MFA: the mfa_challenges row the challenge was issued for (a challenge of another sign-in is refused). */
  mfaTokenHash?: string;
  /** Who sent it, for the audit entry of a refusal (e.g. a signature counter gone backwards). */
  client?: ClientInfo;
}

export interface VerifiedPasskey {
  userId: string;
  factorId: string;
  /** RFC 8176: `hwk` for a device-bound credential, `swk` for a synced one. */
  method: 'hwk' | 'swk';
  /** The authenticator verified the user (PIN or biometric): with it a passkey alone is multi-factor. */
  userVerified: boolean;
}

export interface PasskeyVerifier {
  /**
   * WebAuthn request options (JSON of PublicKeyCredentialRequestOptionsJSON); the challenge is
   * stored server-side, single use, short-lived. For a known user the options list their passkeys.
   */
  authenticationOptions(
    purpose: PasskeyAssertionCheck['purpose'],
    userId: string | null,
    mfaTokenHash?: string,
  ): Promise<string>;
  /**
   * Verifies an assertion inside the caller's transaction: consumes the challenge (any outcome),
   * checks origin, RP id, signature, user verification where required and the signature counter,
   * and records the use. Throws INVALID_CREDENTIALS (unknown credential, bad signature, counter
   * gone backwards, wrong user), INVALID_TOKEN (challenge unknown, used, expired or of another
   * purpose) or BAD_USER_INPUT (malformed JSON).
   */
  verifyAssertion(manager: EntityManager, check: PasskeyAssertionCheck): Promise<VerifiedPasskey>;
}

export interface FactorLifecycle {
  /**
   * A factor was just confirmed (TOTP's first code, a passkey's registration), inside the
   * caller's transaction: sets `users.mfa_enabled`, issues the recovery codes when it is the
   * account's first factor (returned, else null), records the audit entry and the event, mails
   * the user.
   */
  factorConfirmed(
    manager: EntityManager,
    user: UserEntity,
    factor: MfaFactorEntity,
    client: ClientInfo,
  ): Promise<string[] | null>;
}

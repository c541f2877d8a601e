import type { MfaKeys } from '../mfa/mfa-keys';

/**
 * Seals secrets at rest (an OIDC client secret). `context` (the connection id) is bound in as
 * associated data: a sealed value copied onto another row does not open.
 */
export interface SecretSealer {
  seal(plain: Buffer, context: string): Buffer;
  open(sealed: Buffer, context: string): Buffer;
}

/**
 * The MFA keys' AES-256-GCM sealing (MFA_ENCRYPTION_KEY, key version byte) for SSO secrets. The
 * associated data is prefixed so a sealed client secret can never open as a user's TOTP secret
 * (whose associated data is the bare user id), nor the other way round.
 */
export function ssoSecretSealer(keys: MfaKeys): SecretSealer {
  return {
    seal: (plain, context) => keys.seal(plain, `sso-connection:${context}`),
    open: (sealed, context) => keys.open(sealed, `sso-connection:${context}`),
  };
}

import type { Logger } from '@bastion/platform';
import { SsoFailure } from './failure';
import type { SsoIdentity } from './identity';
import type { SsoConnectionEntity, SsoRequestEntity } from './sso.entities';

/**
 * The seam between the protocols (sso-saml) and sign-in (sso-admin): the routes hand a validated
 * identity to `completeSso`, which keeps it behind a one-time code (sso_codes) and returns the
 * code; `signInFailed` records SSO_SIGN_IN_FAILED; `openSecret` opens a sealed OIDC client secret.
 */
export interface SsoSignInPort {
  completeSso(identity: SsoIdentity, request: SsoRequestEntity): Promise<string>;
  signInFailed(connection: SsoConnectionEntity, reason: string): Promise<void>;
  openSecret(sealed: Buffer, connectionId: string): string;
}

/**
 * Until sign-in is merged: refuses to complete (no code, no session) and logs failures. The
 * server's wiring replaces it with sso-admin's implementation.
 */
export function provisionalSsoSignIn(logger: Logger): SsoSignInPort {
  return {
    completeSso: async () => {
      throw new SsoFailure('SSO_CONNECTION_DISABLED', 'SSO sign-in is not available yet.');
    },
    signInFailed: async (connection, reason) => {
      logger.warn(
        { connectionId: connection.id, organizationId: connection.organizationId, reason },
        'sso sign-in failed',
      );
    },
    openSecret: () => {
      throw new SsoFailure('SSO_CONNECTION_DISABLED', 'No sealing key for OIDC client secrets.');
    },
  };
}

import { AppError } from '@bastion/platform';

/**
 * Why an identity provider's answer was refused. The code travels back to the application as
 * `redirectUri?error=<reason>` and into the SSO_SIGN_IN_FAILED event; the message stays in logs.
 */
export type SsoFailureReason =
  | 'SSO_REQUEST_UNKNOWN'
  | 'SSO_REQUEST_EXPIRED'
  | 'SSO_CONNECTION_DISABLED'
  | 'SAML_RESPONSE_MALFORMED'
  | 'SAML_UNSIGNED'
  | 'SAML_SIGNATURE_INVALID'
  | 'SAML_ISSUER_MISMATCH'
  | 'SAML_AUDIENCE_MISMATCH'
  | 'SAML_RECIPIENT_MISMATCH'
  | 'SAML_DESTINATION_MISMATCH'
  | 'SAML_EXPIRED'
  | 'SAML_NOT_YET_VALID'
  | 'SAML_UNSOLICITED'
  | 'SAML_IN_RESPONSE_TO_MISMATCH'
  | 'SAML_REPLAYED'
  | 'SAML_IDP_ERROR'
  | 'SSO_EMAIL_MISSING'
  | 'OIDC_STATE_INVALID'
  | 'OIDC_NONCE_MISMATCH'
  | 'OIDC_CODE_REFUSED'
  | 'OIDC_IDP_ERROR';

/** A refused SSO response: INVALID_TOKEN with `extensions.reason`, never a session. */
export class SsoFailure extends AppError {
  constructor(
    readonly reason: SsoFailureReason,
    message: string,
  ) {
    super('INVALID_TOKEN', { message, extensions: { reason } });
  }
}

/** The reason carried by an error, when it is an SSO refusal. */
export const failureReason = (error: unknown): SsoFailureReason | null =>
  error instanceof SsoFailure ? error.reason : null;

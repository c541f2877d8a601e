/**
 * The IdP's account of how the person authenticated, mapped to RFC 8176 values for the session's
 * `amr`. Every SSO sign-in is 'fed'; 'mfa' only when the IdP says more than one factor was used,
 * so an organization's MFA rule can accept the IdP's MFA (docs/security.md "Enterprise SSO").
 * A password-only context (PasswordProtectedTransport, amr ['pwd']) never maps to 'mfa'.
 */

/**
 * SAML AuthnContextClassRef values (and Entra ID's authnmethodsreferences attribute values)
 * that mean several factors: the OASIS two-factor classes, REFEDS MFA, Microsoft's multipleauthn,
 * and the "MultiFactor"/"mfa" names Okta and others use.
 */
const SAML_MFA_PATTERNS = [
  /:ac:classes:(MobileTwoFactor|TimeSyncToken)/i,
  /^https:\/\/refeds\.org\/profile\/mfa$/i,
  /multipleauthn$/i,
  /multi-?factor/i,
  /(^|[:/#])mfa$/i,
];

/** OIDC `amr` values (RFC 8176) that are a second factor or say several were used. */
const OIDC_MFA_VALUES = new Set(['mfa', 'mca', 'otp', 'hwk', 'sc', 'sms', 'fpt', 'face', 'iris']);

export function samlAmr(classRefs: readonly string[]): string[] {
  const isMfa = classRefs.some((ref) => SAML_MFA_PATTERNS.some((pattern) => pattern.test(ref)));
  return isMfa ? ['fed', 'mfa'] : ['fed'];
}

export function oidcAmr(amr: unknown): string[] {
  const values = Array.isArray(amr) ? amr.filter((v): v is string => typeof v === 'string') : [];
  return values.some((value) => OIDC_MFA_VALUES.has(value.toLowerCase()))
    ? ['fed', 'mfa']
    : ['fed'];
}

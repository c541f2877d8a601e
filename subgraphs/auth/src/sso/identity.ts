/**
 * What an organization's identity provider asserted about the person who signed in, once the
 * protocol adapter (SAML or OIDC, sso/saml.ts and sso/oidc.ts) has validated the response. It is
 * the only thing the protocols hand to sign-in (sso/sign-in.ts): accounts and memberships are
 * decided from it, never from the raw response.
 */
export interface SsoIdentity {
  connectionId: string;
  organizationId: string;
  /** SAML NameID or OIDC `sub`: stable per connection, the key an account is linked by. */
  subject: string;
  /** Lower-cased; its domain must be verified for the organization before it links or creates an account. */
  email: string;
  name: string | null;
  /** The IdP's group names (mapped attribute), matched against the connection's group -> role table. */
  groups: string[];
  /**
   * Authentication methods (RFC 8176 values): always 'fed'; 'mfa' when the IdP says it used
   * more than one factor (SAML AuthnContextClassRef, OIDC `amr`), so an organization's MFA rule
   * can accept the IdP's second factor.
   */
  amr: string[];
}

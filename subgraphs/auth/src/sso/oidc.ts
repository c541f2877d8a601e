import { OidcRefusal, type OidcClient, type OidcProviderSettings } from '../oauth/oidc-client';
import { oidcAmr } from './amr';
import { SsoFailure } from './failure';
import type { SsoIdentity } from './identity';

/** What the OIDC adapter needs of a connection (sso_connections, kind OIDC), secret unsealed. */
export interface OidcConnectionSettings {
  id: string;
  organizationId: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Claim names; null: `email`, `name`, `groups`. */
  emailAttribute: string | null;
  nameAttribute: string | null;
  groupsAttribute: string | null;
}

/** The flow secrets kept in sso_requests: `id` is the state. */
export interface OidcPendingRequest {
  id: string;
  oidcNonce: string;
  oidcCodeVerifier: string;
}

export const OIDC_CALLBACK_PATH = '/sso/oidc/callback';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An organization's OpenID Connect IdP, through the same OidcClient as the deployment's providers
 * (discovery, authorization code with PKCE S256 and nonce, ID token validation by openid-client).
 * The IdP returns to Bastion's callback, never to the application.
 */
export class OidcConnections {
  constructor(
    private readonly client: OidcClient,
    private readonly publicOrigin: () => string,
  ) {}

  callbackUrl(): string {
    return `${this.publicOrigin().replace(/\/+$/, '')}${OIDC_CALLBACK_PATH}`;
  }

  /** Fresh state, nonce and PKCE verifier for a request row. */
  async newRequest(): Promise<OidcPendingRequest> {
    const flow = await this.client.newFlow(this.callbackUrl());
    return { id: flow.state, oidcNonce: flow.nonce, oidcCodeVerifier: flow.codeVerifier };
  }

  authorizationUrl(connection: OidcConnectionSettings, request: OidcPendingRequest) {
    return this.client.authorizationUrl(providerOf(connection), this.flowOf(request));
  }

  /** Redeems the code for this request; refusals are SsoFailures with their reason. */
  async identity(
    connection: OidcConnectionSettings,
    request: OidcPendingRequest,
    code: string,
  ): Promise<SsoIdentity> {
    let claims: Record<string, unknown>;
    let amr: string[];
    try {
      ({ claims, amr } = await this.client.exchange(
        providerOf(connection),
        this.flowOf(request),
        code,
      ));
    } catch (error) {
      throw refusal(error);
    }
    const subject = typeof claims.sub === 'string' ? claims.sub : '';
    const email = stringClaim(claims, connection.emailAttribute ?? 'email')
      ?.trim()
      .toLowerCase();
    if (!subject || !email || !EMAIL.test(email))
      throw new SsoFailure('SSO_EMAIL_MISSING', 'The ID token carries no e-mail address.');
    const groups = claims[connection.groupsAttribute ?? 'groups'];
    return {
      connectionId: connection.id,
      organizationId: connection.organizationId,
      subject,
      email,
      name: stringClaim(claims, connection.nameAttribute ?? 'name') ?? null,
      groups: Array.isArray(groups)
        ? groups.filter((g): g is string => typeof g === 'string')
        : typeof groups === 'string'
          ? [groups]
          : [],
      amr: oidcAmr(amr),
    };
  }

  private flowOf(request: OidcPendingRequest) {
    return {
      redirectUri: this.callbackUrl(),
      state: request.id,
      nonce: request.oidcNonce,
      codeVerifier: request.oidcCodeVerifier,
    };
  }
}

function providerOf(connection: OidcConnectionSettings): OidcProviderSettings {
  return {
    name: connection.name,
    issuer: new URL(connection.issuer),
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
  };
}

function stringClaim(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** openid-client's refusal (kept by OidcRefusal) named: a nonce that does not match is its own reason. */
function refusal(error: unknown): Error {
  if (!(error instanceof OidcRefusal)) return error as Error;
  const seen: string[] = [];
  let current = error.refusal as
    { code?: string; message?: string; claim?: string; cause?: unknown } | undefined;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth += 1) {
    seen.push(
      String(current.code ?? ''),
      String(current.message ?? ''),
      String(current.claim ?? ''),
    );
    current = current.cause as typeof current;
  }
  const text = seen.join(' ');
  if (/nonce/i.test(text))
    return new SsoFailure('OIDC_NONCE_MISMATCH', 'The ID token answers another sign-in (nonce).');
  if (/\bstate\b/i.test(text))
    return new SsoFailure('OIDC_STATE_INVALID', 'The answer belongs to another sign-in (state).');
  return new SsoFailure('OIDC_CODE_REFUSED', 'The identity provider refused the code.');
}

import { LessThan, type DataSource } from 'typeorm';
import type { Logger } from '@bastion/platform';
import { OidcClient } from '../oauth/oidc-client';
import { SsoFailure } from './failure';
import type { SsoIdentity } from './identity';
import { OidcConnections, type OidcConnectionSettings } from './oidc';
import { SamlServiceProvider, newSamlRequestId, type SamlConnectionSettings } from './saml';
import { SsoRequestEntity, type SsoConnectionEntity } from './sso.entities';
import { SqlAssertionReplayStore } from './sso-store';

/** How long the IdP has to answer a sign-in request (sso_requests.expires_at). */
export const SSO_REQUEST_TTL_MS = 10 * 60 * 1000;

/** The flow secrets a new sso_requests row carries, by the connection's kind. */
export type SsoRequestSecrets = Pick<
  SsoRequestEntity,
  'id' | 'samlRequestId' | 'oidcNonce' | 'oidcCodeVerifier'
>;

export interface SsoProtocolOptions {
  dataSource: DataSource;
  logger: Logger;
  /** The gateway's public origin (SSO_PUBLIC_URL): ACS, OIDC callback and SP entity ids hang off it. */
  publicOrigin: () => string;
  /** Plain-http OIDC issuers on loopback (tests, development); never in production. */
  allowLoopbackHttp: boolean;
  /** Opens a connection's sealed OIDC client secret (bound to the connection id). */
  openSecret: (sealed: Buffer, connectionId: string) => string;
}

/**
 * The protocol side of enterprise SSO, for the resolvers (ssoAuthorizationUrl) and the HTTP
 * routes (sso/routes.ts): a connection row in, an IdP URL or a validated SsoIdentity out.
 */
export class SsoProtocols {
  readonly saml: SamlServiceProvider;
  readonly oidc: OidcConnections;

  constructor(private readonly options: SsoProtocolOptions) {
    this.saml = new SamlServiceProvider(
      { publicOrigin: options.publicOrigin },
      new SqlAssertionReplayStore(options.dataSource),
    );
    this.oidc = new OidcConnections(
      new OidcClient({ logger: options.logger, allowLoopbackHttp: options.allowLoopbackHttp }),
      options.publicOrigin,
    );
  }

  /**
   * Fresh secrets for a sign-in with `connection`: the row's id (RelayState / state), and the
   * AuthnRequest ID (SAML) or nonce and PKCE verifier (OIDC). The caller stores them in
   * sso_requests with the redirectUri, then calls authorizationUrl.
   */
  async newRequest(connection: SsoConnectionEntity): Promise<SsoRequestSecrets> {
    if (connection.kind === 'SAML')
      return {
        id: newSamlRequestId().slice(1),
        samlRequestId: newSamlRequestId(),
        oidcNonce: null,
        oidcCodeVerifier: null,
      };
    const flow = await this.oidc.newRequest();
    return { ...flow, samlRequestId: null };
  }

  /**
   * Starts a sign-in for ssoAuthorizationUrl, once the resolver has found the connection (by the
   * email's verified domain or the organization's slug) and checked `redirectUri` against the
   * allow-list: stores the sso_requests row (ten minutes, single use) and returns the IdP URL.
   */
  async begin(connection: SsoConnectionEntity, redirectUri: string): Promise<string> {
    if (!connection.enabled)
      throw new SsoFailure('SSO_CONNECTION_DISABLED', 'The connection is not available.');
    const secrets = await this.newRequest(connection);
    const now = Date.now();
    const requests = this.options.dataSource.getRepository(SsoRequestEntity);
    // Requests long past their life are swept here; recent ones stay, so a late answer is still
    // sent back to its application with an error rather than answered 400.
    await requests.delete({ expiresAt: LessThan(new Date(now - SSO_REQUEST_TTL_MS)) });
    await requests.insert({
      ...secrets,
      connectionId: connection.id,
      redirectUri,
      createdAt: new Date(now),
      expiresAt: new Date(now + SSO_REQUEST_TTL_MS),
      usedAt: null,
    });
    return this.authorizationUrl(connection, secrets);
  }

  /** The IdP URL for a stored request: SAML AuthnRequest over HTTP-Redirect, or OIDC code + PKCE + nonce. */
  async authorizationUrl(
    connection: SsoConnectionEntity,
    request: SsoRequestSecrets,
  ): Promise<string> {
    if (connection.kind === 'SAML') {
      if (!request.samlRequestId) throw new Error('a SAML request needs its AuthnRequest ID');
      return this.saml.authorizationUrl(samlSettings(connection), {
        id: request.id,
        samlRequestId: request.samlRequestId,
      });
    }
    return this.oidc.authorizationUrl(this.oidcSettings(connection), oidcRequest(request));
  }

  samlIdentity(
    connection: SsoConnectionEntity,
    request: SsoRequestEntity | null,
    samlResponse: string,
  ): Promise<SsoIdentity> {
    return this.saml.identity(
      samlSettings(connection),
      request
        ? { samlRequestId: request.samlRequestId, createdAt: request.createdAt }
        : { samlRequestId: null, createdAt: new Date() },
      samlResponse,
    );
  }

  oidcIdentity(
    connection: SsoConnectionEntity,
    request: SsoRequestEntity,
    code: string,
  ): Promise<SsoIdentity> {
    return this.oidc.identity(this.oidcSettings(connection), oidcRequest(request), code);
  }

  samlMetadata(connection: SsoConnectionEntity): string {
    return this.saml.metadata(samlSettings(connection));
  }

  private oidcSettings(connection: SsoConnectionEntity): OidcConnectionSettings {
    if (!connection.oidcIssuer || !connection.oidcClientId || !connection.oidcClientSecret)
      throw new SsoFailure('SSO_CONNECTION_DISABLED', 'The OIDC connection is incomplete.');
    return {
      id: connection.id,
      organizationId: connection.organizationId,
      name: connection.name,
      issuer: connection.oidcIssuer,
      clientId: connection.oidcClientId,
      clientSecret: this.options.openSecret(connection.oidcClientSecret, connection.id),
      emailAttribute: connection.emailAttribute,
      nameAttribute: connection.nameAttribute,
      groupsAttribute: connection.groupsAttribute,
    };
  }
}

export function samlSettings(connection: SsoConnectionEntity): SamlConnectionSettings {
  if (!connection.samlIdpEntityId || !connection.samlSsoUrl || !connection.samlCertificates.length)
    throw new SsoFailure('SSO_CONNECTION_DISABLED', 'The SAML connection is incomplete.');
  return {
    id: connection.id,
    organizationId: connection.organizationId,
    idpEntityId: connection.samlIdpEntityId,
    ssoUrl: connection.samlSsoUrl,
    certificates: connection.samlCertificates,
    idpInitiated: connection.idpInitiated,
    emailAttribute: connection.emailAttribute,
    nameAttribute: connection.nameAttribute,
    groupsAttribute: connection.groupsAttribute,
  };
}

function oidcRequest(request: SsoRequestSecrets) {
  if (!request.oidcNonce || !request.oidcCodeVerifier)
    throw new SsoFailure('SSO_REQUEST_UNKNOWN', 'The request is not an OIDC sign-in.');
  return {
    id: request.id,
    oidcNonce: request.oidcNonce,
    oidcCodeVerifier: request.oidcCodeVerifier,
  };
}

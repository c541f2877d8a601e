import type { SsoConnectionResolvers, SsoDomainResolvers } from '../generated/resolvers-types';
import { txtRecordName, txtRecordValue } from '../sso/domain-verification';

export const SsoDomain: SsoDomainResolvers = {
  txtRecordName: (domain) => txtRecordName(domain.domain),
  txtRecordValue: (domain) => txtRecordValue(domain.txtToken),
  verified: (domain) => domain.verifiedAt !== null,
};

export const SsoConnection: SsoConnectionResolvers = {
  // The secret itself never leaves auth: only whether one is stored.
  hasClientSecret: (connection) => connection.oidcClientSecret !== null,
  // What the organization's administrator enters at the IdP, from SSO_PUBLIC_URL.
  spEntityId: (connection, _, ctx) =>
    connection.kind === 'SAML' ? ctx.ssoProtocols.saml.entityId(connection.id) : null,
  acsUrl: (connection, _, ctx) =>
    connection.kind === 'SAML' ? ctx.ssoProtocols.saml.acsUrl() : null,
  oidcRedirectUri: (connection, _, ctx) =>
    connection.kind === 'OIDC' ? ctx.ssoProtocols.oidc.callbackUrl() : null,
};

import { graphql } from '../../generated';

/** Enterprise SSO's operations for an organization's ADMINs (docs/api.md "Operations"). */

export const SsoSettings = graphql(`
  query SsoSettings($organizationId: ID!) {
    organization(id: $organizationId) {
      id
      name
      slug
    }
    ssoDomains(organizationId: $organizationId) {
      id
      domain
      txtRecordName
      txtRecordValue
      verified
      verifiedAt
    }
    ssoConnections(organizationId: $organizationId) {
      id
      kind
      name
      enabled
      enforced
      jitProvisioning
      defaultRole
      samlIdpEntityId
      oidcIssuer
      spEntityId
      acsUrl
      oidcRedirectUri
    }
  }
`);

export const AddSsoDomain = graphql(`
  mutation AddSsoDomain($organizationId: ID!, $domain: String!) {
    addSsoDomain(organizationId: $organizationId, domain: $domain) {
      id
    }
  }
`);

export const VerifySsoDomain = graphql(`
  mutation VerifySsoDomain($id: ID!) {
    verifySsoDomain(id: $id) {
      id
      verified
    }
  }
`);

export const RemoveSsoDomain = graphql(`
  mutation RemoveSsoDomain($id: ID!) {
    removeSsoDomain(id: $id)
  }
`);

export const CreateSsoConnection = graphql(`
  mutation CreateSsoConnection($organizationId: ID!, $input: CreateSsoConnectionInput!) {
    createSsoConnection(organizationId: $organizationId, input: $input) {
      id
    }
  }
`);

export const UpdateSsoConnection = graphql(`
  mutation UpdateSsoConnection($id: ID!, $input: UpdateSsoConnectionInput!) {
    updateSsoConnection(id: $id, input: $input) {
      id
      enabled
      enforced
    }
  }
`);

export const DeleteSsoConnection = graphql(`
  mutation DeleteSsoConnection($id: ID!) {
    deleteSsoConnection(id: $id)
  }
`);

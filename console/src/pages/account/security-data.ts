import { graphql } from '../../generated';

export const SecurityQuery = graphql(`
  query Security {
    me {
      id
      email
      emailVerified
      mfaEnabled
      recoveryCodesRemaining
      mfaFactors {
        id
        kind
        name
        createdAt
        lastUsedAt
      }
      apiKeys {
        id
        name
        prefix
        capabilities
        createdAt
        lastUsedAt
        expiresAt
      }
    }
    sessions(first: 50) {
      id
      createdAt
      lastUsedAt
      userAgent
      ip
      current
      expiresAt
    }
    apiKeyCapabilities
  }
`);

export const ChangePassword = graphql(`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);

export const EnrollTotp = graphql(`
  mutation EnrollTotp($name: String) {
    enrollTotp(name: $name) {
      factorId
      secret
      uri
    }
  }
`);

export const ConfirmTotp = graphql(`
  mutation ConfirmTotp($factorId: ID!, $code: String!) {
    confirmTotp(factorId: $factorId, code: $code) {
      factor {
        id
      }
      recoveryCodes
    }
  }
`);

export const PasskeyRegistrationOptions = graphql(`
  mutation PasskeyRegistrationOptions {
    passkeyRegistrationOptions
  }
`);

export const RegisterPasskey = graphql(`
  mutation RegisterPasskey($response: String!, $name: String) {
    registerPasskey(response: $response, name: $name) {
      factor {
        id
      }
      recoveryCodes
    }
  }
`);

export const RemoveMfaFactor = graphql(`
  mutation RemoveMfaFactor($id: ID!) {
    removeMfaFactor(id: $id)
  }
`);

export const RegenerateRecoveryCodes = graphql(`
  mutation RegenerateRecoveryCodes {
    regenerateRecoveryCodes
  }
`);

export const RevokeSession = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(id: $id)
  }
`);

export const CreateApiKey = graphql(`
  mutation CreateApiKey($input: ApiKeyInput!) {
    createApiKey(input: $input) {
      key
      apiKey {
        id
      }
    }
  }
`);

export const RevokeApiKey = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id)
  }
`);

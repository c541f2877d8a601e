/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionFields\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...SessionFields\n    }\n  }\n": typeof types.RegisterDocument,
    "\n  mutation VerifyMfa(\n    $mfaToken: String!\n    $code: String\n    $recoveryCode: String\n    $passkeyResponse: String\n  ) {\n    verifyMfa(\n      mfaToken: $mfaToken\n      code: $code\n      recoveryCode: $recoveryCode\n      passkeyResponse: $passkeyResponse\n    ) {\n      ...SessionFields\n    }\n  }\n": typeof types.VerifyMfaDocument,
    "\n  mutation PasskeyLoginOptions {\n    passkeyLoginOptions\n  }\n": typeof types.PasskeyLoginOptionsDocument,
    "\n  mutation PasskeyLogin($response: String!) {\n    passkeyLogin(response: $response) {\n      ...SessionFields\n    }\n  }\n": typeof types.PasskeyLoginDocument,
    "\n  mutation MfaPasskeyOptions($mfaToken: String!) {\n    mfaPasskeyOptions(mfaToken: $mfaToken)\n  }\n": typeof types.MfaPasskeyOptionsDocument,
    "\n  query SsoAuthorizationUrl($email: String!, $redirectUri: String!) {\n    ssoAuthorizationUrl(email: $email, redirectUri: $redirectUri)\n  }\n": typeof types.SsoAuthorizationUrlDocument,
    "\n  mutation SsoLogin($code: String!) {\n    ssoLogin(code: $code) {\n      ...SessionFields\n    }\n  }\n": typeof types.SsoLoginDocument,
    "\n  mutation Logout($refreshToken: String) {\n    logout(refreshToken: $refreshToken)\n  }\n": typeof types.LogoutDocument,
    "\n  mutation RefreshSession($refreshToken: String) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...SessionFields\n    }\n  }\n": typeof types.RefreshSessionDocument,
    "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      email\n      displayName\n      emailVerified\n    }\n  }\n": typeof types.SessionFieldsFragmentDoc,
    "\n  mutation StepUp($password: String, $code: String) {\n    stepUp(password: $password, code: $code) {\n      ...SessionFields\n    }\n  }\n": typeof types.StepUpDocument,
    "\n  query Profile {\n    me {\n      id\n      email\n      displayName\n      emailVerified\n      createdAt\n    }\n  }\n": typeof types.ProfileDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      displayName\n    }\n  }\n": typeof types.UpdateProfileDocument,
    "\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n": typeof types.RequestEmailVerificationDocument,
    "\n  query Security {\n    me {\n      id\n      email\n      emailVerified\n      mfaEnabled\n      recoveryCodesRemaining\n      mfaFactors {\n        id\n        kind\n        name\n        createdAt\n        lastUsedAt\n      }\n      apiKeys {\n        id\n        name\n        prefix\n        capabilities\n        createdAt\n        lastUsedAt\n        expiresAt\n      }\n    }\n    sessions(first: 50) {\n      id\n      createdAt\n      lastUsedAt\n      userAgent\n      ip\n      current\n      expiresAt\n    }\n    apiKeyCapabilities\n  }\n": typeof types.SecurityDocument,
    "\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation EnrollTotp($name: String) {\n    enrollTotp(name: $name) {\n      factorId\n      secret\n      uri\n    }\n  }\n": typeof types.EnrollTotpDocument,
    "\n  mutation ConfirmTotp($factorId: ID!, $code: String!) {\n    confirmTotp(factorId: $factorId, code: $code) {\n      factor {\n        id\n      }\n      recoveryCodes\n    }\n  }\n": typeof types.ConfirmTotpDocument,
    "\n  mutation PasskeyRegistrationOptions {\n    passkeyRegistrationOptions\n  }\n": typeof types.PasskeyRegistrationOptionsDocument,
    "\n  mutation RegisterPasskey($response: String!, $name: String) {\n    registerPasskey(response: $response, name: $name) {\n      factor {\n        id\n      }\n      recoveryCodes\n    }\n  }\n": typeof types.RegisterPasskeyDocument,
    "\n  mutation RemoveMfaFactor($id: ID!) {\n    removeMfaFactor(id: $id)\n  }\n": typeof types.RemoveMfaFactorDocument,
    "\n  mutation RegenerateRecoveryCodes {\n    regenerateRecoveryCodes\n  }\n": typeof types.RegenerateRecoveryCodesDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": typeof types.RevokeSessionDocument,
    "\n  mutation CreateApiKey($input: ApiKeyInput!) {\n    createApiKey(input: $input) {\n      key\n      apiKey {\n        id\n      }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id)\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query AiCatalog {\n    aiModels {\n      id\n      displayName\n      description\n      creditsPerRequest\n      creditsPer1kInputTokens\n      creditsPer1kOutputTokens\n      maxOutputTokens\n    }\n    aiPromptTemplates {\n      id\n      displayName\n      variables {\n        name\n        maxLength\n      }\n    }\n  }\n": typeof types.AiCatalogDocument,
    "\n  query AiGenerations {\n    me {\n      id\n      generations(first: 5) {\n        edges {\n          node {\n            id\n            model\n            template\n            creditsCharged\n            inputTokens\n            outputTokens\n            createdAt\n          }\n        }\n      }\n    }\n  }\n": typeof types.AiGenerationsDocument,
    "\n  query AccessLog($organizationId: ID!, $action: String, $after: String) {\n    organization(id: $organizationId) {\n      id\n      name\n    }\n    accessLog(organizationId: $organizationId, first: 50, after: $after, action: $action) {\n      edges {\n        node {\n          id\n          at\n          actorId\n          action\n          targetType\n          targetId\n          ip\n          metadata\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AccessLogDocument,
    "\n  query AuditChainCheck($organizationId: ID!) {\n    auditChainCheck(organizationId: $organizationId) {\n      chain\n      valid\n      entries\n      brokenAtSeq\n      reason\n    }\n  }\n": typeof types.AuditChainCheckDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": typeof types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": typeof types.ResetPasswordDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n": typeof types.VerifyEmailDocument,
    "\n  query CreditsOverview($after: String) {\n    me {\n      id\n      credits {\n        balance\n        available\n        holds {\n          id\n          amount\n          expiresAt\n          createdAt\n        }\n        transactions(first: 20, after: $after) {\n          edges {\n            node {\n              id\n              type\n              amount\n              balanceAfter\n              description\n              createdAt\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n    }\n    creditPackages {\n      id\n      name\n      credits\n      priceCents\n      currency\n    }\n  }\n": typeof types.CreditsOverviewDocument,
    "\n  query CreditBalance {\n    me {\n      id\n      credits {\n        balance\n        available\n        holds {\n          id\n          amount\n          expiresAt\n          createdAt\n        }\n      }\n    }\n  }\n": typeof types.CreditBalanceDocument,
    "\n  mutation CreateCheckout($packageId: ID!, $successUrl: String!, $cancelUrl: String!) {\n    createCheckoutSession(packageId: $packageId, successUrl: $successUrl, cancelUrl: $cancelUrl) {\n      id\n      url\n    }\n  }\n": typeof types.CreateCheckoutDocument,
    "\n  query Home {\n    me {\n      id\n      email\n      displayName\n      emailVerified\n    }\n  }\n": typeof types.HomeDocument,
    "\n  query MyOrganizations {\n    myOrganizations(first: 100) {\n      id\n      name\n      slug\n      myRole\n    }\n  }\n": typeof types.MyOrganizationsDocument,
    "\n  mutation CreateOrganization($name: String!) {\n    createOrganization(name: $name) {\n      id\n      name\n      slug\n      myRole\n    }\n  }\n": typeof types.CreateOrganizationDocument,
    "\n  mutation SwitchOrganization($organizationId: ID) {\n    switchOrganization(organizationId: $organizationId) {\n      ...SessionFields\n    }\n  }\n": typeof types.SwitchOrganizationDocument,
    "\n  query OrganizationOverview($id: ID!) {\n    me {\n      id\n    }\n    organization(id: $id) {\n      id\n      name\n      slug\n      myRole\n      requireMfa\n      createdAt\n    }\n  }\n": typeof types.OrganizationOverviewDocument,
    "\n  query OrganizationMembers($id: ID!) {\n    organization(id: $id) {\n      id\n      members(first: 100) {\n        role\n        joinedAt\n        user {\n          id\n        }\n      }\n    }\n  }\n": typeof types.OrganizationMembersDocument,
    "\n  query OrganizationMembersMfa($id: ID!) {\n    organization(id: $id) {\n      id\n      members(first: 100) {\n        mfaEnabled\n        user {\n          id\n        }\n      }\n    }\n  }\n": typeof types.OrganizationMembersMfaDocument,
    "\n  query OrganizationInvitations($id: ID!) {\n    organization(id: $id) {\n      id\n      invitations(first: 100) {\n        id\n        email\n        role\n        expiresAt\n        createdAt\n      }\n    }\n  }\n": typeof types.OrganizationInvitationsDocument,
    "\n  mutation RenameOrganization($id: ID!, $name: String!) {\n    updateOrganization(id: $id, name: $name) {\n      id\n      name\n      slug\n    }\n  }\n": typeof types.RenameOrganizationDocument,
    "\n  mutation InviteMember($organizationId: ID!, $email: String!, $role: Role!) {\n    inviteMember(organizationId: $organizationId, email: $email, role: $role) {\n      id\n      email\n      role\n      expiresAt\n    }\n  }\n": typeof types.InviteMemberDocument,
    "\n  mutation RevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id)\n  }\n": typeof types.RevokeInvitationDocument,
    "\n  mutation AcceptInvitation($token: String!) {\n    acceptInvitation(token: $token) {\n      role\n      organization {\n        id\n        name\n      }\n    }\n  }\n": typeof types.AcceptInvitationDocument,
    "\n  mutation ChangeMemberRole($organizationId: ID!, $userId: ID!, $role: Role!) {\n    changeMemberRole(organizationId: $organizationId, userId: $userId, role: $role) {\n      role\n      user {\n        id\n      }\n    }\n  }\n": typeof types.ChangeMemberRoleDocument,
    "\n  mutation RemoveMember($organizationId: ID!, $userId: ID!) {\n    removeMember(organizationId: $organizationId, userId: $userId)\n  }\n": typeof types.RemoveMemberDocument,
    "\n  mutation SetRequireMfa($organizationId: ID!, $required: Boolean!) {\n    setOrganizationRequireMfa(organizationId: $organizationId, required: $required) {\n      id\n      requireMfa\n    }\n  }\n": typeof types.SetRequireMfaDocument,
    "\n  mutation DeleteOrganization($id: ID!) {\n    deleteOrganization(id: $id)\n  }\n": typeof types.DeleteOrganizationDocument,
    "\n  query SsoSettings($organizationId: ID!) {\n    organization(id: $organizationId) {\n      id\n      name\n      slug\n    }\n    ssoDomains(organizationId: $organizationId) {\n      id\n      domain\n      txtRecordName\n      txtRecordValue\n      verified\n      verifiedAt\n    }\n    ssoConnections(organizationId: $organizationId) {\n      id\n      kind\n      name\n      enabled\n      enforced\n      jitProvisioning\n      defaultRole\n      samlIdpEntityId\n      oidcIssuer\n      spEntityId\n      acsUrl\n      oidcRedirectUri\n    }\n  }\n": typeof types.SsoSettingsDocument,
    "\n  mutation AddSsoDomain($organizationId: ID!, $domain: String!) {\n    addSsoDomain(organizationId: $organizationId, domain: $domain) {\n      id\n    }\n  }\n": typeof types.AddSsoDomainDocument,
    "\n  mutation VerifySsoDomain($id: ID!) {\n    verifySsoDomain(id: $id) {\n      id\n      verified\n    }\n  }\n": typeof types.VerifySsoDomainDocument,
    "\n  mutation RemoveSsoDomain($id: ID!) {\n    removeSsoDomain(id: $id)\n  }\n": typeof types.RemoveSsoDomainDocument,
    "\n  mutation CreateSsoConnection($organizationId: ID!, $input: CreateSsoConnectionInput!) {\n    createSsoConnection(organizationId: $organizationId, input: $input) {\n      id\n    }\n  }\n": typeof types.CreateSsoConnectionDocument,
    "\n  mutation UpdateSsoConnection($id: ID!, $input: UpdateSsoConnectionInput!) {\n    updateSsoConnection(id: $id, input: $input) {\n      id\n      enabled\n      enforced\n    }\n  }\n": typeof types.UpdateSsoConnectionDocument,
    "\n  mutation DeleteSsoConnection($id: ID!) {\n    deleteSsoConnection(id: $id)\n  }\n": typeof types.DeleteSsoConnectionDocument,
    "\n  query WebhookEndpoints($organizationId: ID!) {\n    organization(id: $organizationId) {\n      id\n      name\n      webhookEndpoints {\n        id\n        url\n        description\n        enabled\n        disabledReason\n        eventTypes\n        createdAt\n      }\n    }\n    webhookEventTypes {\n      name\n      description\n    }\n  }\n": typeof types.WebhookEndpointsDocument,
    "\n  query WebhookEndpointDetail($id: ID!, $status: WebhookDeliveryStatus, $after: String) {\n    webhookEndpoint(id: $id) {\n      id\n      url\n      description\n      enabled\n      disabledReason\n      eventTypes\n      createdAt\n      deliveries(first: 20, after: $after, status: $status) {\n        edges {\n          node {\n            id\n            eventId\n            eventType\n            status\n            nextAttemptAt\n            createdAt\n            attempts {\n              at\n              responseStatus\n              durationMs\n              error\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n    webhookEventTypes {\n      name\n      description\n    }\n  }\n": typeof types.WebhookEndpointDetailDocument,
    "\n  mutation CreateWebhookEndpoint($organizationId: ID!, $input: WebhookEndpointInput!) {\n    createWebhookEndpoint(organizationId: $organizationId, input: $input) {\n      secret\n      endpoint {\n        id\n        url\n      }\n    }\n  }\n": typeof types.CreateWebhookEndpointDocument,
    "\n  mutation UpdateWebhookEndpoint($id: ID!, $input: WebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) {\n      id\n      url\n      description\n      enabled\n      disabledReason\n      eventTypes\n    }\n  }\n": typeof types.UpdateWebhookEndpointDocument,
    "\n  mutation DeleteWebhookEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n": typeof types.DeleteWebhookEndpointDocument,
    "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id)\n  }\n": typeof types.RotateWebhookSecretDocument,
    "\n  mutation SendTestWebhook($id: ID!) {\n    sendTestWebhook(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.SendTestWebhookDocument,
    "\n  mutation ReplayWebhookDelivery($id: ID!) {\n    replayWebhookDelivery(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.ReplayWebhookDeliveryDocument,
};
const documents: Documents = {
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionFields\n    }\n  }\n": types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...SessionFields\n    }\n  }\n": types.RegisterDocument,
    "\n  mutation VerifyMfa(\n    $mfaToken: String!\n    $code: String\n    $recoveryCode: String\n    $passkeyResponse: String\n  ) {\n    verifyMfa(\n      mfaToken: $mfaToken\n      code: $code\n      recoveryCode: $recoveryCode\n      passkeyResponse: $passkeyResponse\n    ) {\n      ...SessionFields\n    }\n  }\n": types.VerifyMfaDocument,
    "\n  mutation PasskeyLoginOptions {\n    passkeyLoginOptions\n  }\n": types.PasskeyLoginOptionsDocument,
    "\n  mutation PasskeyLogin($response: String!) {\n    passkeyLogin(response: $response) {\n      ...SessionFields\n    }\n  }\n": types.PasskeyLoginDocument,
    "\n  mutation MfaPasskeyOptions($mfaToken: String!) {\n    mfaPasskeyOptions(mfaToken: $mfaToken)\n  }\n": types.MfaPasskeyOptionsDocument,
    "\n  query SsoAuthorizationUrl($email: String!, $redirectUri: String!) {\n    ssoAuthorizationUrl(email: $email, redirectUri: $redirectUri)\n  }\n": types.SsoAuthorizationUrlDocument,
    "\n  mutation SsoLogin($code: String!) {\n    ssoLogin(code: $code) {\n      ...SessionFields\n    }\n  }\n": types.SsoLoginDocument,
    "\n  mutation Logout($refreshToken: String) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.LogoutDocument,
    "\n  mutation RefreshSession($refreshToken: String) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...SessionFields\n    }\n  }\n": types.RefreshSessionDocument,
    "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      email\n      displayName\n      emailVerified\n    }\n  }\n": types.SessionFieldsFragmentDoc,
    "\n  mutation StepUp($password: String, $code: String) {\n    stepUp(password: $password, code: $code) {\n      ...SessionFields\n    }\n  }\n": types.StepUpDocument,
    "\n  query Profile {\n    me {\n      id\n      email\n      displayName\n      emailVerified\n      createdAt\n    }\n  }\n": types.ProfileDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      displayName\n    }\n  }\n": types.UpdateProfileDocument,
    "\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n": types.RequestEmailVerificationDocument,
    "\n  query Security {\n    me {\n      id\n      email\n      emailVerified\n      mfaEnabled\n      recoveryCodesRemaining\n      mfaFactors {\n        id\n        kind\n        name\n        createdAt\n        lastUsedAt\n      }\n      apiKeys {\n        id\n        name\n        prefix\n        capabilities\n        createdAt\n        lastUsedAt\n        expiresAt\n      }\n    }\n    sessions(first: 50) {\n      id\n      createdAt\n      lastUsedAt\n      userAgent\n      ip\n      current\n      expiresAt\n    }\n    apiKeyCapabilities\n  }\n": types.SecurityDocument,
    "\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n": types.ChangePasswordDocument,
    "\n  mutation EnrollTotp($name: String) {\n    enrollTotp(name: $name) {\n      factorId\n      secret\n      uri\n    }\n  }\n": types.EnrollTotpDocument,
    "\n  mutation ConfirmTotp($factorId: ID!, $code: String!) {\n    confirmTotp(factorId: $factorId, code: $code) {\n      factor {\n        id\n      }\n      recoveryCodes\n    }\n  }\n": types.ConfirmTotpDocument,
    "\n  mutation PasskeyRegistrationOptions {\n    passkeyRegistrationOptions\n  }\n": types.PasskeyRegistrationOptionsDocument,
    "\n  mutation RegisterPasskey($response: String!, $name: String) {\n    registerPasskey(response: $response, name: $name) {\n      factor {\n        id\n      }\n      recoveryCodes\n    }\n  }\n": types.RegisterPasskeyDocument,
    "\n  mutation RemoveMfaFactor($id: ID!) {\n    removeMfaFactor(id: $id)\n  }\n": types.RemoveMfaFactorDocument,
    "\n  mutation RegenerateRecoveryCodes {\n    regenerateRecoveryCodes\n  }\n": types.RegenerateRecoveryCodesDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n": types.RevokeSessionDocument,
    "\n  mutation CreateApiKey($input: ApiKeyInput!) {\n    createApiKey(input: $input) {\n      key\n      apiKey {\n        id\n      }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id)\n  }\n": types.RevokeApiKeyDocument,
    "\n  query AiCatalog {\n    aiModels {\n      id\n      displayName\n      description\n      creditsPerRequest\n      creditsPer1kInputTokens\n      creditsPer1kOutputTokens\n      maxOutputTokens\n    }\n    aiPromptTemplates {\n      id\n      displayName\n      variables {\n        name\n        maxLength\n      }\n    }\n  }\n": types.AiCatalogDocument,
    "\n  query AiGenerations {\n    me {\n      id\n      generations(first: 5) {\n        edges {\n          node {\n            id\n            model\n            template\n            creditsCharged\n            inputTokens\n            outputTokens\n            createdAt\n          }\n        }\n      }\n    }\n  }\n": types.AiGenerationsDocument,
    "\n  query AccessLog($organizationId: ID!, $action: String, $after: String) {\n    organization(id: $organizationId) {\n      id\n      name\n    }\n    accessLog(organizationId: $organizationId, first: 50, after: $after, action: $action) {\n      edges {\n        node {\n          id\n          at\n          actorId\n          action\n          targetType\n          targetId\n          ip\n          metadata\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AccessLogDocument,
    "\n  query AuditChainCheck($organizationId: ID!) {\n    auditChainCheck(organizationId: $organizationId) {\n      chain\n      valid\n      entries\n      brokenAtSeq\n      reason\n    }\n  }\n": types.AuditChainCheckDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": types.ResetPasswordDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n": types.VerifyEmailDocument,
    "\n  query CreditsOverview($after: String) {\n    me {\n      id\n      credits {\n        balance\n        available\n        holds {\n          id\n          amount\n          expiresAt\n          createdAt\n        }\n        transactions(first: 20, after: $after) {\n          edges {\n            node {\n              id\n              type\n              amount\n              balanceAfter\n              description\n              createdAt\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n    }\n    creditPackages {\n      id\n      name\n      credits\n      priceCents\n      currency\n    }\n  }\n": types.CreditsOverviewDocument,
    "\n  query CreditBalance {\n    me {\n      id\n      credits {\n        balance\n        available\n        holds {\n          id\n          amount\n          expiresAt\n          createdAt\n        }\n      }\n    }\n  }\n": types.CreditBalanceDocument,
    "\n  mutation CreateCheckout($packageId: ID!, $successUrl: String!, $cancelUrl: String!) {\n    createCheckoutSession(packageId: $packageId, successUrl: $successUrl, cancelUrl: $cancelUrl) {\n      id\n      url\n    }\n  }\n": types.CreateCheckoutDocument,
    "\n  query Home {\n    me {\n      id\n      email\n      displayName\n      emailVerified\n    }\n  }\n": types.HomeDocument,
    "\n  query MyOrganizations {\n    myOrganizations(first: 100) {\n      id\n      name\n      slug\n      myRole\n    }\n  }\n": types.MyOrganizationsDocument,
    "\n  mutation CreateOrganization($name: String!) {\n    createOrganization(name: $name) {\n      id\n      name\n      slug\n      myRole\n    }\n  }\n": types.CreateOrganizationDocument,
    "\n  mutation SwitchOrganization($organizationId: ID) {\n    switchOrganization(organizationId: $organizationId) {\n      ...SessionFields\n    }\n  }\n": types.SwitchOrganizationDocument,
    "\n  query OrganizationOverview($id: ID!) {\n    me {\n      id\n    }\n    organization(id: $id) {\n      id\n      name\n      slug\n      myRole\n      requireMfa\n      createdAt\n    }\n  }\n": types.OrganizationOverviewDocument,
    "\n  query OrganizationMembers($id: ID!) {\n    organization(id: $id) {\n      id\n      members(first: 100) {\n        role\n        joinedAt\n        user {\n          id\n        }\n      }\n    }\n  }\n": types.OrganizationMembersDocument,
    "\n  query OrganizationMembersMfa($id: ID!) {\n    organization(id: $id) {\n      id\n      members(first: 100) {\n        mfaEnabled\n        user {\n          id\n        }\n      }\n    }\n  }\n": types.OrganizationMembersMfaDocument,
    "\n  query OrganizationInvitations($id: ID!) {\n    organization(id: $id) {\n      id\n      invitations(first: 100) {\n        id\n        email\n        role\n        expiresAt\n        createdAt\n      }\n    }\n  }\n": types.OrganizationInvitationsDocument,
    "\n  mutation RenameOrganization($id: ID!, $name: String!) {\n    updateOrganization(id: $id, name: $name) {\n      id\n      name\n      slug\n    }\n  }\n": types.RenameOrganizationDocument,
    "\n  mutation InviteMember($organizationId: ID!, $email: String!, $role: Role!) {\n    inviteMember(organizationId: $organizationId, email: $email, role: $role) {\n      id\n      email\n      role\n      expiresAt\n    }\n  }\n": types.InviteMemberDocument,
    "\n  mutation RevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id)\n  }\n": types.RevokeInvitationDocument,
    "\n  mutation AcceptInvitation($token: String!) {\n    acceptInvitation(token: $token) {\n      role\n      organization {\n        id\n        name\n      }\n    }\n  }\n": types.AcceptInvitationDocument,
    "\n  mutation ChangeMemberRole($organizationId: ID!, $userId: ID!, $role: Role!) {\n    changeMemberRole(organizationId: $organizationId, userId: $userId, role: $role) {\n      role\n      user {\n        id\n      }\n    }\n  }\n": types.ChangeMemberRoleDocument,
    "\n  mutation RemoveMember($organizationId: ID!, $userId: ID!) {\n    removeMember(organizationId: $organizationId, userId: $userId)\n  }\n": types.RemoveMemberDocument,
    "\n  mutation SetRequireMfa($organizationId: ID!, $required: Boolean!) {\n    setOrganizationRequireMfa(organizationId: $organizationId, required: $required) {\n      id\n      requireMfa\n    }\n  }\n": types.SetRequireMfaDocument,
    "\n  mutation DeleteOrganization($id: ID!) {\n    deleteOrganization(id: $id)\n  }\n": types.DeleteOrganizationDocument,
    "\n  query SsoSettings($organizationId: ID!) {\n    organization(id: $organizationId) {\n      id\n      name\n      slug\n    }\n    ssoDomains(organizationId: $organizationId) {\n      id\n      domain\n      txtRecordName\n      txtRecordValue\n      verified\n      verifiedAt\n    }\n    ssoConnections(organizationId: $organizationId) {\n      id\n      kind\n      name\n      enabled\n      enforced\n      jitProvisioning\n      defaultRole\n      samlIdpEntityId\n      oidcIssuer\n      spEntityId\n      acsUrl\n      oidcRedirectUri\n    }\n  }\n": types.SsoSettingsDocument,
    "\n  mutation AddSsoDomain($organizationId: ID!, $domain: String!) {\n    addSsoDomain(organizationId: $organizationId, domain: $domain) {\n      id\n    }\n  }\n": types.AddSsoDomainDocument,
    "\n  mutation VerifySsoDomain($id: ID!) {\n    verifySsoDomain(id: $id) {\n      id\n      verified\n    }\n  }\n": types.VerifySsoDomainDocument,
    "\n  mutation RemoveSsoDomain($id: ID!) {\n    removeSsoDomain(id: $id)\n  }\n": types.RemoveSsoDomainDocument,
    "\n  mutation CreateSsoConnection($organizationId: ID!, $input: CreateSsoConnectionInput!) {\n    createSsoConnection(organizationId: $organizationId, input: $input) {\n      id\n    }\n  }\n": types.CreateSsoConnectionDocument,
    "\n  mutation UpdateSsoConnection($id: ID!, $input: UpdateSsoConnectionInput!) {\n    updateSsoConnection(id: $id, input: $input) {\n      id\n      enabled\n      enforced\n    }\n  }\n": types.UpdateSsoConnectionDocument,
    "\n  mutation DeleteSsoConnection($id: ID!) {\n    deleteSsoConnection(id: $id)\n  }\n": types.DeleteSsoConnectionDocument,
    "\n  query WebhookEndpoints($organizationId: ID!) {\n    organization(id: $organizationId) {\n      id\n      name\n      webhookEndpoints {\n        id\n        url\n        description\n        enabled\n        disabledReason\n        eventTypes\n        createdAt\n      }\n    }\n    webhookEventTypes {\n      name\n      description\n    }\n  }\n": types.WebhookEndpointsDocument,
    "\n  query WebhookEndpointDetail($id: ID!, $status: WebhookDeliveryStatus, $after: String) {\n    webhookEndpoint(id: $id) {\n      id\n      url\n      description\n      enabled\n      disabledReason\n      eventTypes\n      createdAt\n      deliveries(first: 20, after: $after, status: $status) {\n        edges {\n          node {\n            id\n            eventId\n            eventType\n            status\n            nextAttemptAt\n            createdAt\n            attempts {\n              at\n              responseStatus\n              durationMs\n              error\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n    webhookEventTypes {\n      name\n      description\n    }\n  }\n": types.WebhookEndpointDetailDocument,
    "\n  mutation CreateWebhookEndpoint($organizationId: ID!, $input: WebhookEndpointInput!) {\n    createWebhookEndpoint(organizationId: $organizationId, input: $input) {\n      secret\n      endpoint {\n        id\n        url\n      }\n    }\n  }\n": types.CreateWebhookEndpointDocument,
    "\n  mutation UpdateWebhookEndpoint($id: ID!, $input: WebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) {\n      id\n      url\n      description\n      enabled\n      disabledReason\n      eventTypes\n    }\n  }\n": types.UpdateWebhookEndpointDocument,
    "\n  mutation DeleteWebhookEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n": types.DeleteWebhookEndpointDocument,
    "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id)\n  }\n": types.RotateWebhookSecretDocument,
    "\n  mutation SendTestWebhook($id: ID!) {\n    sendTestWebhook(id: $id) {\n      id\n      status\n    }\n  }\n": types.SendTestWebhookDocument,
    "\n  mutation ReplayWebhookDelivery($id: ID!) {\n    replayWebhookDelivery(id: $id) {\n      id\n      status\n    }\n  }\n": types.ReplayWebhookDeliveryDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyMfa(\n    $mfaToken: String!\n    $code: String\n    $recoveryCode: String\n    $passkeyResponse: String\n  ) {\n    verifyMfa(\n      mfaToken: $mfaToken\n      code: $code\n      recoveryCode: $recoveryCode\n      passkeyResponse: $passkeyResponse\n    ) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyMfa(\n    $mfaToken: String!\n    $code: String\n    $recoveryCode: String\n    $passkeyResponse: String\n  ) {\n    verifyMfa(\n      mfaToken: $mfaToken\n      code: $code\n      recoveryCode: $recoveryCode\n      passkeyResponse: $passkeyResponse\n    ) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PasskeyLoginOptions {\n    passkeyLoginOptions\n  }\n"): (typeof documents)["\n  mutation PasskeyLoginOptions {\n    passkeyLoginOptions\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PasskeyLogin($response: String!) {\n    passkeyLogin(response: $response) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation PasskeyLogin($response: String!) {\n    passkeyLogin(response: $response) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MfaPasskeyOptions($mfaToken: String!) {\n    mfaPasskeyOptions(mfaToken: $mfaToken)\n  }\n"): (typeof documents)["\n  mutation MfaPasskeyOptions($mfaToken: String!) {\n    mfaPasskeyOptions(mfaToken: $mfaToken)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SsoAuthorizationUrl($email: String!, $redirectUri: String!) {\n    ssoAuthorizationUrl(email: $email, redirectUri: $redirectUri)\n  }\n"): (typeof documents)["\n  query SsoAuthorizationUrl($email: String!, $redirectUri: String!) {\n    ssoAuthorizationUrl(email: $email, redirectUri: $redirectUri)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SsoLogin($code: String!) {\n    ssoLogin(code: $code) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation SsoLogin($code: String!) {\n    ssoLogin(code: $code) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout($refreshToken: String) {\n    logout(refreshToken: $refreshToken)\n  }\n"): (typeof documents)["\n  mutation Logout($refreshToken: String) {\n    logout(refreshToken: $refreshToken)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshSession($refreshToken: String) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshSession($refreshToken: String) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      email\n      displayName\n      emailVerified\n    }\n  }\n"): (typeof documents)["\n  fragment SessionFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      email\n      displayName\n      emailVerified\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StepUp($password: String, $code: String) {\n    stepUp(password: $password, code: $code) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation StepUp($password: String, $code: String) {\n    stepUp(password: $password, code: $code) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Profile {\n    me {\n      id\n      email\n      displayName\n      emailVerified\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query Profile {\n    me {\n      id\n      email\n      displayName\n      emailVerified\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      displayName\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      displayName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n"): (typeof documents)["\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Security {\n    me {\n      id\n      email\n      emailVerified\n      mfaEnabled\n      recoveryCodesRemaining\n      mfaFactors {\n        id\n        kind\n        name\n        createdAt\n        lastUsedAt\n      }\n      apiKeys {\n        id\n        name\n        prefix\n        capabilities\n        createdAt\n        lastUsedAt\n        expiresAt\n      }\n    }\n    sessions(first: 50) {\n      id\n      createdAt\n      lastUsedAt\n      userAgent\n      ip\n      current\n      expiresAt\n    }\n    apiKeyCapabilities\n  }\n"): (typeof documents)["\n  query Security {\n    me {\n      id\n      email\n      emailVerified\n      mfaEnabled\n      recoveryCodesRemaining\n      mfaFactors {\n        id\n        kind\n        name\n        createdAt\n        lastUsedAt\n      }\n      apiKeys {\n        id\n        name\n        prefix\n        capabilities\n        createdAt\n        lastUsedAt\n        expiresAt\n      }\n    }\n    sessions(first: 50) {\n      id\n      createdAt\n      lastUsedAt\n      userAgent\n      ip\n      current\n      expiresAt\n    }\n    apiKeyCapabilities\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n"): (typeof documents)["\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EnrollTotp($name: String) {\n    enrollTotp(name: $name) {\n      factorId\n      secret\n      uri\n    }\n  }\n"): (typeof documents)["\n  mutation EnrollTotp($name: String) {\n    enrollTotp(name: $name) {\n      factorId\n      secret\n      uri\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfirmTotp($factorId: ID!, $code: String!) {\n    confirmTotp(factorId: $factorId, code: $code) {\n      factor {\n        id\n      }\n      recoveryCodes\n    }\n  }\n"): (typeof documents)["\n  mutation ConfirmTotp($factorId: ID!, $code: String!) {\n    confirmTotp(factorId: $factorId, code: $code) {\n      factor {\n        id\n      }\n      recoveryCodes\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PasskeyRegistrationOptions {\n    passkeyRegistrationOptions\n  }\n"): (typeof documents)["\n  mutation PasskeyRegistrationOptions {\n    passkeyRegistrationOptions\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterPasskey($response: String!, $name: String) {\n    registerPasskey(response: $response, name: $name) {\n      factor {\n        id\n      }\n      recoveryCodes\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterPasskey($response: String!, $name: String) {\n    registerPasskey(response: $response, name: $name) {\n      factor {\n        id\n      }\n      recoveryCodes\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMfaFactor($id: ID!) {\n    removeMfaFactor(id: $id)\n  }\n"): (typeof documents)["\n  mutation RemoveMfaFactor($id: ID!) {\n    removeMfaFactor(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegenerateRecoveryCodes {\n    regenerateRecoveryCodes\n  }\n"): (typeof documents)["\n  mutation RegenerateRecoveryCodes {\n    regenerateRecoveryCodes\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($input: ApiKeyInput!) {\n    createApiKey(input: $input) {\n      key\n      apiKey {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($input: ApiKeyInput!) {\n    createApiKey(input: $input) {\n      key\n      apiKey {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AiCatalog {\n    aiModels {\n      id\n      displayName\n      description\n      creditsPerRequest\n      creditsPer1kInputTokens\n      creditsPer1kOutputTokens\n      maxOutputTokens\n    }\n    aiPromptTemplates {\n      id\n      displayName\n      variables {\n        name\n        maxLength\n      }\n    }\n  }\n"): (typeof documents)["\n  query AiCatalog {\n    aiModels {\n      id\n      displayName\n      description\n      creditsPerRequest\n      creditsPer1kInputTokens\n      creditsPer1kOutputTokens\n      maxOutputTokens\n    }\n    aiPromptTemplates {\n      id\n      displayName\n      variables {\n        name\n        maxLength\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AiGenerations {\n    me {\n      id\n      generations(first: 5) {\n        edges {\n          node {\n            id\n            model\n            template\n            creditsCharged\n            inputTokens\n            outputTokens\n            createdAt\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AiGenerations {\n    me {\n      id\n      generations(first: 5) {\n        edges {\n          node {\n            id\n            model\n            template\n            creditsCharged\n            inputTokens\n            outputTokens\n            createdAt\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccessLog($organizationId: ID!, $action: String, $after: String) {\n    organization(id: $organizationId) {\n      id\n      name\n    }\n    accessLog(organizationId: $organizationId, first: 50, after: $after, action: $action) {\n      edges {\n        node {\n          id\n          at\n          actorId\n          action\n          targetType\n          targetId\n          ip\n          metadata\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query AccessLog($organizationId: ID!, $action: String, $after: String) {\n    organization(id: $organizationId) {\n      id\n      name\n    }\n    accessLog(organizationId: $organizationId, first: 50, after: $after, action: $action) {\n      edges {\n        node {\n          id\n          at\n          actorId\n          action\n          targetType\n          targetId\n          ip\n          metadata\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditChainCheck($organizationId: ID!) {\n    auditChainCheck(organizationId: $organizationId) {\n      chain\n      valid\n      entries\n      brokenAtSeq\n      reason\n    }\n  }\n"): (typeof documents)["\n  query AuditChainCheck($organizationId: ID!) {\n    auditChainCheck(organizationId: $organizationId) {\n      chain\n      valid\n      entries\n      brokenAtSeq\n      reason\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"): (typeof documents)["\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n"): (typeof documents)["\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n"): (typeof documents)["\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CreditsOverview($after: String) {\n    me {\n      id\n      credits {\n        balance\n        available\n        holds {\n          id\n          amount\n          expiresAt\n          createdAt\n        }\n        transactions(first: 20, after: $after) {\n          edges {\n            node {\n              id\n              type\n              amount\n              balanceAfter\n              description\n              createdAt\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n    }\n    creditPackages {\n      id\n      name\n      credits\n      priceCents\n      currency\n    }\n  }\n"): (typeof documents)["\n  query CreditsOverview($after: String) {\n    me {\n      id\n      credits {\n        balance\n        available\n        holds {\n          id\n          amount\n          expiresAt\n          createdAt\n        }\n        transactions(first: 20, after: $after) {\n          edges {\n            node {\n              id\n              type\n              amount\n              balanceAfter\n              description\n              createdAt\n            }\n          }\n          pageInfo {\n            hasNextPage\n            endCursor\n          }\n        }\n      }\n    }\n    creditPackages {\n      id\n      name\n      credits\n      priceCents\n      currency\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CreditBalance {\n    me {\n      id\n      credits {\n        balance\n        available\n        holds {\n          id\n          amount\n          expiresAt\n          createdAt\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CreditBalance {\n    me {\n      id\n      credits {\n        balance\n        available\n        holds {\n          id\n          amount\n          expiresAt\n          createdAt\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCheckout($packageId: ID!, $successUrl: String!, $cancelUrl: String!) {\n    createCheckoutSession(packageId: $packageId, successUrl: $successUrl, cancelUrl: $cancelUrl) {\n      id\n      url\n    }\n  }\n"): (typeof documents)["\n  mutation CreateCheckout($packageId: ID!, $successUrl: String!, $cancelUrl: String!) {\n    createCheckoutSession(packageId: $packageId, successUrl: $successUrl, cancelUrl: $cancelUrl) {\n      id\n      url\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Home {\n    me {\n      id\n      email\n      displayName\n      emailVerified\n    }\n  }\n"): (typeof documents)["\n  query Home {\n    me {\n      id\n      email\n      displayName\n      emailVerified\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyOrganizations {\n    myOrganizations(first: 100) {\n      id\n      name\n      slug\n      myRole\n    }\n  }\n"): (typeof documents)["\n  query MyOrganizations {\n    myOrganizations(first: 100) {\n      id\n      name\n      slug\n      myRole\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateOrganization($name: String!) {\n    createOrganization(name: $name) {\n      id\n      name\n      slug\n      myRole\n    }\n  }\n"): (typeof documents)["\n  mutation CreateOrganization($name: String!) {\n    createOrganization(name: $name) {\n      id\n      name\n      slug\n      myRole\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SwitchOrganization($organizationId: ID) {\n    switchOrganization(organizationId: $organizationId) {\n      ...SessionFields\n    }\n  }\n"): (typeof documents)["\n  mutation SwitchOrganization($organizationId: ID) {\n    switchOrganization(organizationId: $organizationId) {\n      ...SessionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrganizationOverview($id: ID!) {\n    me {\n      id\n    }\n    organization(id: $id) {\n      id\n      name\n      slug\n      myRole\n      requireMfa\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query OrganizationOverview($id: ID!) {\n    me {\n      id\n    }\n    organization(id: $id) {\n      id\n      name\n      slug\n      myRole\n      requireMfa\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrganizationMembers($id: ID!) {\n    organization(id: $id) {\n      id\n      members(first: 100) {\n        role\n        joinedAt\n        user {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OrganizationMembers($id: ID!) {\n    organization(id: $id) {\n      id\n      members(first: 100) {\n        role\n        joinedAt\n        user {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrganizationMembersMfa($id: ID!) {\n    organization(id: $id) {\n      id\n      members(first: 100) {\n        mfaEnabled\n        user {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OrganizationMembersMfa($id: ID!) {\n    organization(id: $id) {\n      id\n      members(first: 100) {\n        mfaEnabled\n        user {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrganizationInvitations($id: ID!) {\n    organization(id: $id) {\n      id\n      invitations(first: 100) {\n        id\n        email\n        role\n        expiresAt\n        createdAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query OrganizationInvitations($id: ID!) {\n    organization(id: $id) {\n      id\n      invitations(first: 100) {\n        id\n        email\n        role\n        expiresAt\n        createdAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RenameOrganization($id: ID!, $name: String!) {\n    updateOrganization(id: $id, name: $name) {\n      id\n      name\n      slug\n    }\n  }\n"): (typeof documents)["\n  mutation RenameOrganization($id: ID!, $name: String!) {\n    updateOrganization(id: $id, name: $name) {\n      id\n      name\n      slug\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InviteMember($organizationId: ID!, $email: String!, $role: Role!) {\n    inviteMember(organizationId: $organizationId, email: $email, role: $role) {\n      id\n      email\n      role\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation InviteMember($organizationId: ID!, $email: String!, $role: Role!) {\n    inviteMember(organizationId: $organizationId, email: $email, role: $role) {\n      id\n      email\n      role\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeInvitation($id: ID!) {\n    revokeInvitation(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AcceptInvitation($token: String!) {\n    acceptInvitation(token: $token) {\n      role\n      organization {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AcceptInvitation($token: String!) {\n    acceptInvitation(token: $token) {\n      role\n      organization {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeMemberRole($organizationId: ID!, $userId: ID!, $role: Role!) {\n    changeMemberRole(organizationId: $organizationId, userId: $userId, role: $role) {\n      role\n      user {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ChangeMemberRole($organizationId: ID!, $userId: ID!, $role: Role!) {\n    changeMemberRole(organizationId: $organizationId, userId: $userId, role: $role) {\n      role\n      user {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveMember($organizationId: ID!, $userId: ID!) {\n    removeMember(organizationId: $organizationId, userId: $userId)\n  }\n"): (typeof documents)["\n  mutation RemoveMember($organizationId: ID!, $userId: ID!) {\n    removeMember(organizationId: $organizationId, userId: $userId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetRequireMfa($organizationId: ID!, $required: Boolean!) {\n    setOrganizationRequireMfa(organizationId: $organizationId, required: $required) {\n      id\n      requireMfa\n    }\n  }\n"): (typeof documents)["\n  mutation SetRequireMfa($organizationId: ID!, $required: Boolean!) {\n    setOrganizationRequireMfa(organizationId: $organizationId, required: $required) {\n      id\n      requireMfa\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteOrganization($id: ID!) {\n    deleteOrganization(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteOrganization($id: ID!) {\n    deleteOrganization(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SsoSettings($organizationId: ID!) {\n    organization(id: $organizationId) {\n      id\n      name\n      slug\n    }\n    ssoDomains(organizationId: $organizationId) {\n      id\n      domain\n      txtRecordName\n      txtRecordValue\n      verified\n      verifiedAt\n    }\n    ssoConnections(organizationId: $organizationId) {\n      id\n      kind\n      name\n      enabled\n      enforced\n      jitProvisioning\n      defaultRole\n      samlIdpEntityId\n      oidcIssuer\n      spEntityId\n      acsUrl\n      oidcRedirectUri\n    }\n  }\n"): (typeof documents)["\n  query SsoSettings($organizationId: ID!) {\n    organization(id: $organizationId) {\n      id\n      name\n      slug\n    }\n    ssoDomains(organizationId: $organizationId) {\n      id\n      domain\n      txtRecordName\n      txtRecordValue\n      verified\n      verifiedAt\n    }\n    ssoConnections(organizationId: $organizationId) {\n      id\n      kind\n      name\n      enabled\n      enforced\n      jitProvisioning\n      defaultRole\n      samlIdpEntityId\n      oidcIssuer\n      spEntityId\n      acsUrl\n      oidcRedirectUri\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddSsoDomain($organizationId: ID!, $domain: String!) {\n    addSsoDomain(organizationId: $organizationId, domain: $domain) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation AddSsoDomain($organizationId: ID!, $domain: String!) {\n    addSsoDomain(organizationId: $organizationId, domain: $domain) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifySsoDomain($id: ID!) {\n    verifySsoDomain(id: $id) {\n      id\n      verified\n    }\n  }\n"): (typeof documents)["\n  mutation VerifySsoDomain($id: ID!) {\n    verifySsoDomain(id: $id) {\n      id\n      verified\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveSsoDomain($id: ID!) {\n    removeSsoDomain(id: $id)\n  }\n"): (typeof documents)["\n  mutation RemoveSsoDomain($id: ID!) {\n    removeSsoDomain(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSsoConnection($organizationId: ID!, $input: CreateSsoConnectionInput!) {\n    createSsoConnection(organizationId: $organizationId, input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation CreateSsoConnection($organizationId: ID!, $input: CreateSsoConnectionInput!) {\n    createSsoConnection(organizationId: $organizationId, input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateSsoConnection($id: ID!, $input: UpdateSsoConnectionInput!) {\n    updateSsoConnection(id: $id, input: $input) {\n      id\n      enabled\n      enforced\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateSsoConnection($id: ID!, $input: UpdateSsoConnectionInput!) {\n    updateSsoConnection(id: $id, input: $input) {\n      id\n      enabled\n      enforced\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteSsoConnection($id: ID!) {\n    deleteSsoConnection(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteSsoConnection($id: ID!) {\n    deleteSsoConnection(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookEndpoints($organizationId: ID!) {\n    organization(id: $organizationId) {\n      id\n      name\n      webhookEndpoints {\n        id\n        url\n        description\n        enabled\n        disabledReason\n        eventTypes\n        createdAt\n      }\n    }\n    webhookEventTypes {\n      name\n      description\n    }\n  }\n"): (typeof documents)["\n  query WebhookEndpoints($organizationId: ID!) {\n    organization(id: $organizationId) {\n      id\n      name\n      webhookEndpoints {\n        id\n        url\n        description\n        enabled\n        disabledReason\n        eventTypes\n        createdAt\n      }\n    }\n    webhookEventTypes {\n      name\n      description\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookEndpointDetail($id: ID!, $status: WebhookDeliveryStatus, $after: String) {\n    webhookEndpoint(id: $id) {\n      id\n      url\n      description\n      enabled\n      disabledReason\n      eventTypes\n      createdAt\n      deliveries(first: 20, after: $after, status: $status) {\n        edges {\n          node {\n            id\n            eventId\n            eventType\n            status\n            nextAttemptAt\n            createdAt\n            attempts {\n              at\n              responseStatus\n              durationMs\n              error\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n    webhookEventTypes {\n      name\n      description\n    }\n  }\n"): (typeof documents)["\n  query WebhookEndpointDetail($id: ID!, $status: WebhookDeliveryStatus, $after: String) {\n    webhookEndpoint(id: $id) {\n      id\n      url\n      description\n      enabled\n      disabledReason\n      eventTypes\n      createdAt\n      deliveries(first: 20, after: $after, status: $status) {\n        edges {\n          node {\n            id\n            eventId\n            eventType\n            status\n            nextAttemptAt\n            createdAt\n            attempts {\n              at\n              responseStatus\n              durationMs\n              error\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n    webhookEventTypes {\n      name\n      description\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWebhookEndpoint($organizationId: ID!, $input: WebhookEndpointInput!) {\n    createWebhookEndpoint(organizationId: $organizationId, input: $input) {\n      secret\n      endpoint {\n        id\n        url\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateWebhookEndpoint($organizationId: ID!, $input: WebhookEndpointInput!) {\n    createWebhookEndpoint(organizationId: $organizationId, input: $input) {\n      secret\n      endpoint {\n        id\n        url\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateWebhookEndpoint($id: ID!, $input: WebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) {\n      id\n      url\n      description\n      enabled\n      disabledReason\n      eventTypes\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateWebhookEndpoint($id: ID!, $input: WebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) {\n      id\n      url\n      description\n      enabled\n      disabledReason\n      eventTypes\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteWebhookEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteWebhookEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id)\n  }\n"): (typeof documents)["\n  mutation RotateWebhookSecret($id: ID!) {\n    rotateWebhookSecret(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendTestWebhook($id: ID!) {\n    sendTestWebhook(id: $id) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation SendTestWebhook($id: ID!) {\n    sendTestWebhook(id: $id) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReplayWebhookDelivery($id: ID!) {\n    replayWebhookDelivery(id: $id) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ReplayWebhookDelivery($id: ID!) {\n    replayWebhookDelivery(id: $id) {\n      id\n      status\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
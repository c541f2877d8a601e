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
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": typeof types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": typeof types.ResetPasswordDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n": typeof types.VerifyEmailDocument,
    "\n  query Home {\n    me {\n      id\n      email\n      displayName\n      emailVerified\n    }\n  }\n": typeof types.HomeDocument,
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
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": types.ResetPasswordDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n": types.VerifyEmailDocument,
    "\n  query Home {\n    me {\n      id\n      email\n      displayName\n      emailVerified\n    }\n  }\n": types.HomeDocument,
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
export function graphql(source: "\n  query Home {\n    me {\n      id\n      email\n      displayName\n      emailVerified\n    }\n  }\n"): (typeof documents)["\n  query Home {\n    me {\n      id\n      email\n      displayName\n      emailVerified\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
import { graphql } from '../generated';
import { client, endSession } from './client';
import { getSession } from './session';

/** Sign-in operations shared by several pages; each returns `...SessionFields` (api/client.ts). */
export const Login = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      ...SessionFields
    }
  }
`);

export const Register = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      ...SessionFields
    }
  }
`);

export const VerifyMfa = graphql(`
  mutation VerifyMfa(
    $mfaToken: String!
    $code: String
    $recoveryCode: String
    $passkeyResponse: String
  ) {
    verifyMfa(
      mfaToken: $mfaToken
      code: $code
      recoveryCode: $recoveryCode
      passkeyResponse: $passkeyResponse
    ) {
      ...SessionFields
    }
  }
`);

export const PasskeyLoginOptions = graphql(`
  mutation PasskeyLoginOptions {
    passkeyLoginOptions
  }
`);

export const PasskeyLogin = graphql(`
  mutation PasskeyLogin($response: String!) {
    passkeyLogin(response: $response) {
      ...SessionFields
    }
  }
`);

export const MfaPasskeyOptions = graphql(`
  mutation MfaPasskeyOptions($mfaToken: String!) {
    mfaPasskeyOptions(mfaToken: $mfaToken)
  }
`);

export const SsoAuthorizationUrl = graphql(`
  query SsoAuthorizationUrl($email: String!, $redirectUri: String!) {
    ssoAuthorizationUrl(email: $email, redirectUri: $redirectUri)
  }
`);

export const SsoLogin = graphql(`
  mutation SsoLogin($code: String!) {
    ssoLogin(code: $code) {
      ...SessionFields
    }
  }
`);

const Logout = graphql(`
  mutation Logout($refreshToken: String) {
    logout(refreshToken: $refreshToken)
  }
`);

/** Signs this session out at the API (the cookie is cleared by its answer), then here. */
export async function signOut(): Promise<void> {
  await client
    .mutation(Logout, { refreshToken: getSession()?.refreshToken ?? null })
    .toPromise()
    .catch(() => undefined);
  endSession();
}

import { randomBytes } from 'node:crypto';
import { schemaOf } from '@bastion/platform';
import type {
  GraphQLResponse,
  OidcAccount,
  OidcCallback,
  TestOidcProvider,
  TestPlatform,
} from '@bastion/testing';

/** The app's callback page: allow-listed in the platform and registered at the provider. */
export const REDIRECT_URI = 'http://localhost:3000/oauth/callback';

const AUTHORIZATION_URL = `query Url($provider: String!, $redirectUri: String!, $purpose: OAuthPurpose) {
  oauthAuthorizationUrl(provider: $provider, redirectUri: $redirectUri, purpose: $purpose)
}`;
const OAUTH_LOGIN = `mutation OAuthLogin($provider: String!, $code: String!, $state: String!, $redirectUri: String!) {
  oauthLogin(provider: $provider, code: $code, state: $state, redirectUri: $redirectUri) {
    accessToken refreshToken user { id email emailVerified displayName linkedProviders }
  }
}`;
const LINK = `mutation Link($provider: String!, $code: String!, $state: String!, $redirectUri: String!) {
  linkOAuthAccount(provider: $provider, code: $code, state: $state, redirectUri: $redirectUri) { id linkedProviders }
}`;
const UNLINK =
  'mutation Unlink($provider: String!) { unlinkOAuthAccount(provider: $provider) { id linkedProviders } }';

export interface OAuthUser {
  id: string;
  email: string;
  emailVerified: boolean;
  displayName: string | null;
  linkedProviders: string[];
}
export type OAuthLoginData = {
  oauthLogin: { accessToken: string; refreshToken: string; user: OAuthUser };
};
type LinkedData = { id: string; linkedProviders: string[] };

export const errorCode = (response: GraphQLResponse<unknown>) =>
  response.body.errors?.[0]?.extensions?.code;

/** A fresh provider account; `emailVerified` defaults to true. */
export function account(overrides: Partial<OidcAccount> = {}): OidcAccount {
  const id = randomBytes(4).toString('hex');
  return { sub: `sub-${id}`, email: `oauth-${id}@example.com`, emailVerified: true, ...overrides };
}

/** The GraphQL side of the flow, with the test provider playing the browser in between. */
export function oauthClient(platform: TestPlatform, provider: TestOidcProvider) {
  const client = {
    authorizationUrl: (
      name: string,
      options: { token?: string; purpose?: 'LOGIN' | 'LINK'; redirectUri?: string } = {},
    ) =>
      platform.gql<{ oauthAuthorizationUrl: string }>(
        AUTHORIZATION_URL,
        {
          provider: name,
          redirectUri: options.redirectUri ?? REDIRECT_URI,
          purpose: options.purpose,
        },
        { token: options.token },
      ),

    /** Starts a flow and signs in at the provider as `who`: the code and state the callback page receives. */
    async callback(
      name: string,
      who: OidcAccount,
      options: { token?: string; purpose?: 'LOGIN' | 'LINK' } = {},
    ): Promise<OidcCallback> {
      const started = await client.authorizationUrl(name, options);
      if (!started.body.data?.oauthAuthorizationUrl)
        throw new Error(`oauthAuthorizationUrl failed: ${JSON.stringify(started.body)}`);
      return provider.authorize(started.body.data.oauthAuthorizationUrl, who);
    },

    login: (name: string, callback: OidcCallback, redirectUri = REDIRECT_URI) =>
      platform.gql<OAuthLoginData>(OAUTH_LOGIN, { provider: name, ...callback, redirectUri }),

    /** The whole sign-in; fails the test unless it succeeds. */
    async signIn(name: string, who: OidcAccount): Promise<OAuthLoginData['oauthLogin']> {
      const response = await client.login(name, await client.callback(name, who));
      if (!response.body.data?.oauthLogin)
        throw new Error(`oauthLogin failed: ${JSON.stringify(response.body)}`);
      return response.body.data.oauthLogin;
    },

    link: (name: string, callback: OidcCallback, token: string) =>
      platform.gql<{ linkOAuthAccount: LinkedData }>(
        LINK,
        { provider: name, ...callback, redirectUri: REDIRECT_URI },
        { token },
      ),

    unlink: (name: string, token: string) =>
      platform.gql<{ unlinkOAuthAccount: LinkedData }>(UNLINK, { provider: name }, { token }),
  };
  return client;
}

/** Audit actions recorded for a user, sorted by name (events of one transaction may share a timestamp). */
export async function auditActions(platform: TestPlatform, userId: string): Promise<string[]> {
  const schema = schemaOf(platform.auth.dataSource);
  const rows = await platform.auth.dataSource.query(
    `SELECT data->>'action' AS action FROM ${schema}.outbox WHERE type = 'AUDIT_RECORDED' AND data->>'targetId' = $1 ORDER BY 1`,
    [userId],
  );
  return rows.map((row: { action: string }) => row.action);
}

import { createHash } from 'node:crypto';
import { AppError, type Logger } from '@bastion/platform';

/** A provider to sign in with: the deployment's (oauth-config.ts) or an organization's SSO connection. */
export interface OidcProviderSettings {
  /** For logs and messages. */
  name: string;
  issuer: URL;
  clientId: string;
  clientSecret: string;
}

type OpenIdClient = typeof import('openid-client', { with: { 'resolution-mode': 'import' } });
type Configuration = InstanceType<OpenIdClient['Configuration']>;

/** What a provider asserted about the person who signed in. */
export interface OidcIdentity {
  subject: string;
  email: string | null;
  /** Only a provider's explicit `email_verified: true` counts. */
  isEmailVerified: boolean;
  name: string | null;
  /** The ID token's `amr` (RFC 8176), as the provider sent it; empty when absent. */
  amr: string[];
  /** Every claim of the ID token and userinfo, for mapped attributes (SSO connections). */
  claims: Record<string, unknown>;
}

export interface FlowSecrets {
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcClientOptions {
  logger: Logger;
  /** Plain-http issuers on a loopback address (local test providers); never in production. */
  allowLoopbackHttp: boolean;
  timeoutSeconds?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const UNREACHABLE_CODES = new Set([
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
  'OAUTH_RESPONSE_IS_NOT_JSON',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
]);

// openid-client is ESM-only: loaded with import() (require(esm) in the built service, compiled by
// jest in tests), once.
let library: Promise<OpenIdClient> | undefined;
const openid = () => (library ??= import('openid-client'));

/**
 * INVALID_TOKEN for a code or ID token the provider's answer does not back. `refusal` keeps
 * openid-client's error (state, nonce, PKCE, signature...) for callers that report why, as SSO
 * does; it is never serialized to clients.
 */
export class OidcRefusal extends AppError {
  constructor(readonly refusal: unknown) {
    super('INVALID_TOKEN', {
      message: 'The sign-in with the provider could not be completed; start again.',
    });
  }
}

/** The authorization code flow with PKCE against OpenID Connect providers, through openid-client. */
export class OidcClient {
  /** Discovery per provider: issuers' metadata changes rarely; a failure is not kept, so the next call retries. */
  private readonly configurations = new Map<string, Promise<Configuration>>();

  constructor(private readonly options: OidcClientOptions) {}

  /** Fresh state, nonce and PKCE verifier (32 random bytes each) for one flow. */
  async newFlow(redirectUri: string): Promise<FlowSecrets> {
    const client = await openid();
    return {
      redirectUri,
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
  }

  async authorizationUrl(provider: OidcProviderSettings, flow: FlowSecrets): Promise<string> {
    const client = await openid();
    const config = await this.configuration(provider);
    return client.buildAuthorizationUrl(config, {
      redirect_uri: flow.redirectUri,
      scope: 'openid email profile',
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
      code_challenge_method: 'S256',
    }).href;
  }

  /** Redeems the code with its verifier, validates the ID token (signature, issuer, audience, nonce) and reads the claims. */
  async exchange(
    provider: OidcProviderSettings,
    flow: FlowSecrets,
    code: string,
  ): Promise<OidcIdentity> {
    const client = await openid();
    const config = await this.configuration(provider);
    const callback = new URL(flow.redirectUri);
    callback.searchParams.set('code', code);
    callback.searchParams.set('state', flow.state);
    // The API takes no `iss` (RFC 9207). Mix-up defence still holds: the stored state pins the one
    // operator-configured provider this flow began with, and only that provider gets the code.
    if (config.serverMetadata().authorization_response_iss_parameter_supported)
      callback.searchParams.set('iss', config.serverMetadata().issuer);
    try {
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims: Record<string, unknown> = { ...tokens.claims() };
      // Providers may keep email claims out of the ID token (oidc-provider does for the code flow).
      if (
        (claims.email === undefined || claims.email_verified === undefined) &&
        config.serverMetadata().userinfo_endpoint
      ) {
        Object.assign(
          claims,
          await client.fetchUserInfo(config, tokens.access_token, String(claims.sub)),
          { sub: claims.sub },
        );
      }
      return {
        subject: String(claims.sub),
        email: typeof claims.email === 'string' ? claims.email : null,
        // Some providers send the string "true"; anything else is "not verified".
        isEmailVerified: claims.email_verified === true || claims.email_verified === 'true',
        name: typeof claims.name === 'string' ? claims.name : null,
        amr: Array.isArray(claims.amr)
          ? claims.amr.filter((value): value is string => typeof value === 'string')
          : [],
        claims,
      };
    } catch (error) {
      if (isUnreachable(error)) throw this.unavailable(provider, error);
      this.options.logger.info(
        { err: error, provider: provider.name },
        'oauth code exchange refused',
      );
      throw new OidcRefusal(error);
    }
  }

  private configuration(provider: OidcProviderSettings): Promise<Configuration> {
    // The secret's digest is part of the key: a connection whose secret changed discovers afresh.
    const secret = createHash('sha256').update(provider.clientSecret).digest('base64url');
    const key = `${provider.issuer.href} ${provider.clientId} ${secret}`;
    let found = this.configurations.get(key);
    if (!found) {
      found = this.discover(provider);
      this.configurations.set(key, found);
      found.catch(() => this.configurations.delete(key));
    }
    return found;
  }

  private async discover(provider: OidcProviderSettings): Promise<Configuration> {
    const client = await openid();
    const isInsecureAllowed =
      this.options.allowLoopbackHttp &&
      provider.issuer.protocol === 'http:' &&
      LOOPBACK.has(provider.issuer.hostname);
    try {
      // client_secret_basic: the method every OAuth server must support (RFC 6749 2.3.1).
      return await client.discovery(
        provider.issuer,
        provider.clientId,
        undefined,
        client.ClientSecretBasic(provider.clientSecret),
        {
          timeout: this.options.timeoutSeconds ?? 10,
          execute: isInsecureAllowed ? [client.allowInsecureRequests] : [],
        },
      );
    } catch (error) {
      throw this.unavailable(provider, error);
    }
  }

  private unavailable(provider: OidcProviderSettings, error: unknown): AppError {
    this.options.logger.warn({ err: error, provider: provider.name }, 'oauth provider unavailable');
    return new AppError('UPSTREAM_UNAVAILABLE', {
      message: `The sign-in provider "${provider.name}" cannot be reached; try again later.`,
    });
  }
}

/** Network failures, timeouts and provider 5xx, judged by name and code: errors may come from another realm under jest. */
function isUnreachable(error: unknown): boolean {
  let current = error as
    | { name?: string; message?: string; code?: string; status?: number; cause?: unknown }
    | undefined;
  for (
    let depth = 0;
    current && typeof current === 'object' && depth < 5;
    depth += 1, current = current.cause as typeof current
  ) {
    if (
      current.name === 'TimeoutError' ||
      current.name === 'AbortError' ||
      current.message === 'fetch failed'
    )
      return true;
    if (
      (current.code && UNREACHABLE_CODES.has(current.code)) ||
      (typeof current.status === 'number' && current.status >= 500)
    )
      return true;
  }
  return false;
}

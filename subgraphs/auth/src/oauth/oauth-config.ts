import { z } from 'zod';
import { DEFAULT_APP_URL } from '@bastion/platform';

/** Sign-in providers by name: the `provider` argument of the OAuth operations. */
export const OAUTH_PROVIDER_NAMES = ['google', 'oidc'] as const;
export type OAuthProviderName = (typeof OAUTH_PROVIDER_NAMES)[number];

/** OAuth settings, spread into the auth config schema. A provider is on when its client id is set. */
export const oauthConfig = {
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  GOOGLE_ISSUER_URL: z.string().url().default('https://accounts.google.com'),
  /** Any OpenID Connect issuer; its endpoints come from `${OIDC_ISSUER_URL}/.well-known/openid-configuration`. */
  OIDC_ISSUER_URL: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Comma-separated exact redirect URIs a flow may return to; unset: `${APP_URL}/oauth/callback`. */
  OAUTH_REDIRECT_URIS: z.string().optional(),
};

export interface OAuthConfigInput {
  NODE_ENV: string;
  /** Unset: http://localhost:3000 (the default app origin). */
  APP_URL?: string;
  GOOGLE_CLIENT_ID?: string;
  GOOGLE_CLIENT_SECRET?: string;
  GOOGLE_ISSUER_URL: string;
  OIDC_ISSUER_URL?: string;
  OIDC_CLIENT_ID?: string;
  OIDC_CLIENT_SECRET?: string;
  OAUTH_REDIRECT_URIS?: string;
}

export interface OAuthProviderSettings {
  name: OAuthProviderName;
  issuer: URL;
  clientId: string;
  clientSecret: string;
}

/** The configured providers; a half-configured one is a start-up error (see oauthConfigProblems). */
export function oauthProviders(
  config: OAuthConfigInput,
): Map<OAuthProviderName, OAuthProviderSettings> {
  const providers = new Map<OAuthProviderName, OAuthProviderSettings>();
  if (config.GOOGLE_CLIENT_ID && config.GOOGLE_CLIENT_SECRET) {
    providers.set('google', {
      name: 'google',
      issuer: new URL(config.GOOGLE_ISSUER_URL),
      clientId: config.GOOGLE_CLIENT_ID,
      clientSecret: config.GOOGLE_CLIENT_SECRET,
    });
  }
  if (config.OIDC_ISSUER_URL && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET) {
    providers.set('oidc', {
      name: 'oidc',
      issuer: new URL(config.OIDC_ISSUER_URL),
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
    });
  }
  return providers;
}

/** The exact redirect URIs a flow may use. Exact match only: prefixes and wildcards invite open redirects. */
export function oauthRedirectUris(config: OAuthConfigInput): Set<string> {
  const listed = (config.OAUTH_REDIRECT_URIS ?? '')
    .split(',')
    .map((uri) => uri.trim())
    .filter(Boolean);
  return new Set(
    listed.length > 0
      ? listed
      : [`${(config.APP_URL ?? DEFAULT_APP_URL).replace(/\/+$/, '')}/oauth/callback`],
  );
}

/** Every OAuth configuration problem, for the config schema's superRefine. */
export function oauthConfigProblems(config: OAuthConfigInput): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (Boolean(config.GOOGLE_CLIENT_ID) !== Boolean(config.GOOGLE_CLIENT_SECRET)) {
    problems.push({
      path: 'GOOGLE_CLIENT_SECRET',
      message: 'set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET together',
    });
  }
  const oidc = [config.OIDC_ISSUER_URL, config.OIDC_CLIENT_ID, config.OIDC_CLIENT_SECRET].filter(
    Boolean,
  ).length;
  if (oidc !== 0 && oidc !== 3) {
    problems.push({
      path: 'OIDC_ISSUER_URL',
      message: 'set OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together',
    });
  }
  for (const uri of oauthRedirectUris(config)) {
    if (!URL.canParse(uri))
      problems.push({ path: 'OAUTH_REDIRECT_URIS', message: `"${uri}" is not a URL` });
  }
  if (config.NODE_ENV === 'production') {
    // Codes and tokens travel to the issuer: in production only over TLS.
    for (const provider of oauthProviders(config).values()) {
      if (provider.issuer.protocol !== 'https:')
        problems.push({
          path: `${provider.name.toUpperCase()}_ISSUER_URL`,
          message: 'must be https in production',
        });
    }
  }
  return problems;
}

import { DEFAULT_APP_URL, badInput, type ClientInfo } from '@bastion/platform';
import type { AuthLimits } from '../limits/auth-limits';
import type { SsoProtocols } from './protocols';
import type { SsoRouting } from './routing';

/** SSO_REDIRECT_URIS (comma-separated, exact); default `${APP_URL}/sso/callback`. */
export function ssoRedirectUris(config: { SSO_REDIRECT_URIS?: string; APP_URL?: string }) {
  const listed = (config.SSO_REDIRECT_URIS ?? '')
    .split(',')
    .map((uri) => uri.trim())
    .filter(Boolean);
  return new Set(
    listed.length > 0
      ? listed
      : [`${(config.APP_URL ?? DEFAULT_APP_URL).replace(/\/+$/, '')}/sso/callback`],
  );
}

export interface SsoAuthorizationArgs {
  email?: string | null;
  organizationSlug?: string | null;
  redirectUri: string;
}

/**
 * ssoAuthorizationUrl: counted per client address with the other sign-in attempts; the
 * redirectUri on the allow-list; the connection by SsoRouting (the email's verified domain or the
 * organization's slug); then the sign-in starts there (ssoProtocols.begin).
 */
export class SsoAuthorization {
  constructor(
    private readonly routing: SsoRouting,
    private readonly protocols: SsoProtocols,
    private readonly limits: AuthLimits,
    private readonly redirectUris: Set<string>,
  ) {}

  async url(args: SsoAuthorizationArgs, client: ClientInfo): Promise<string> {
    await this.limits.countAttempt('oauth', client);
    if (!this.redirectUris.has(args.redirectUri))
      throw badInput({ redirectUri: 'This redirect URI is not allowed.' });
    const connection = await this.routing.connectionFor(args);
    return this.protocols.begin(connection, args.redirectUri);
  }
}

import type { DataSource } from 'typeorm';
import { AppError, DEFAULT_APP_URL, badInput, type ClientInfo } from '@bastion/platform';
import type { AuthLimits } from '../limits/auth-limits';
import { SsoDomainService } from './domains';
import { domainOf } from './enforcement';
import type { SsoOrgsClient } from './orgs-client';
import type { SsoProtocols } from './protocols';
import { SsoConnectionEntity } from './sso.entities';

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
 * ssoAuthorizationUrl: finds the organization (the email's verified domain, else the slug), its
 * first enabled connection, and starts the sign-in there (ssoProtocols.begin). Counted per client
 * address with the other sign-in attempts.
 */
export class SsoAuthorization {
  constructor(
    private readonly dataSource: DataSource,
    private readonly protocols: SsoProtocols,
    private readonly orgs: SsoOrgsClient,
    private readonly limits: AuthLimits,
    private readonly redirectUris: Set<string>,
  ) {}

  async url(args: SsoAuthorizationArgs, client: ClientInfo): Promise<string> {
    await this.limits.countAttempt('oauth', client);
    if (!this.redirectUris.has(args.redirectUri))
      throw badInput({ redirectUri: 'This redirect URI is not allowed.' });
    const organizationId = await this.organizationOf(args);
    const connection = organizationId
      ? await this.dataSource.getRepository(SsoConnectionEntity).findOne({
          where: { organizationId, enabled: true },
          order: { createdAt: 'ASC' },
        })
      : null;
    if (!connection)
      throw new AppError('NOT_FOUND', {
        message: 'No single sign-on is set up for this address or organization.',
        extensions: { reason: 'SSO_NOT_CONFIGURED' },
      });
    return this.protocols.begin(connection, args.redirectUri);
  }

  private async organizationOf(args: SsoAuthorizationArgs): Promise<string | null> {
    if (args.email) {
      const domain = domainOf(args.email.trim().toLowerCase());
      if (!domain) throw badInput({ email: 'This is not an email address.' });
      // Only a verified domain routes: a claimed one could be anyone's.
      const owner = await SsoDomainService.verifiedOwner(this.dataSource.manager, domain);
      return owner?.organizationId ?? null;
    }
    if (args.organizationSlug) {
      const slug = args.organizationSlug.trim().toLowerCase();
      if (!/^[a-z0-9-]{1,100}$/.test(slug)) return null;
      return (await this.orgs.organization({ slug }))?.id ?? null;
    }
    throw badInput({ email: 'Give an email address or an organization slug.' });
  }
}

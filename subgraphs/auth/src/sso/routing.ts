import type { DataSource } from 'typeorm';
import { AppError, badInput } from '@bastion/platform';
import { assertEmail } from '../users/email';
import { SsoDomainService } from './domains';
import { domainOf } from './enforcement';
import type { SsoOrgsClient } from './orgs-client';
import { SsoConnectionEntity } from './sso.entities';

/**
 * Which connection a sign-in starts at (ssoAuthorizationUrl): the organization that verified the
 * email's domain, or the organization with that slug; its first enabled connection. The protocol
 * adapters build the IdP URL from it.
 */
export class SsoRouting {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: SsoOrgsClient,
  ) {}

  async connectionFor(where: {
    email?: string | null;
    organizationSlug?: string | null;
  }): Promise<SsoConnectionEntity> {
    const { email, organizationSlug } = where;
    if (!email === !organizationSlug)
      throw badInput({ email: 'Give an email address or an organization, not both.' });
    const organizationId = email
      ? await this.organizationOfDomain(assertEmail(email))
      : ((await this.orgs.organization({ slug: organizationSlug!.trim().toLowerCase() }))?.id ??
        null);
    const connection = organizationId
      ? await this.dataSource.getRepository(SsoConnectionEntity).findOne({
          where: { organizationId, enabled: true },
          order: { createdAt: 'ASC', id: 'ASC' },
        })
      : null;
    if (!connection)
      throw new AppError('NOT_FOUND', {
        message: 'No single sign-on is set up for this address or organization.',
        extensions: { reason: 'SSO_NOT_CONFIGURED' },
      });
    return connection;
  }

  private async organizationOfDomain(email: string): Promise<string | null> {
    const domain = domainOf(email);
    if (!domain) return null;
    return (
      (await SsoDomainService.verifiedOwner(this.dataSource.manager, domain))?.organizationId ??
      null
    );
  }
}

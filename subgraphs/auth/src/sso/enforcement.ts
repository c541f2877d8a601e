import type { DataSource, EntityManager } from 'typeorm';
import { AppError } from '@bastion/platform';
import { OAuthAccountEntity } from '../oauth/oauth-account.entity';
import { UserEntity } from '../users/user.entity';
import { SsoDomainService } from './domains';
import type { SsoOrgsClient } from './orgs-client';
import { SsoConnectionEntity } from './sso.entities';

/**
 * "Enforced" connections: a user whose email domain is verified for an organization with an
 * enabled, enforced connection signs in through that connection only. Password sign-in, password
 * reset and social sign-in answer FORBIDDEN with reason SSO_REQUIRED and the organization's slug
 * (for the client to start ssoAuthorizationUrl). The check reads the domain only, never whether
 * an account exists, so it tells nothing a DNS lookup would not.
 */
export class SsoEnforcement {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orgs: SsoOrgsClient,
  ) {}

  /** Before a password sign-in or reset for this address. */
  async assertPasswordAllowed(email: string | null | undefined): Promise<void> {
    await this.assertNotEnforced(email);
  }

  /**
   * Before a passwordless passkey sign-in opens a session for this address: a passkey registered
   * before the connection was enforced (or by a user the IdP has since removed) must not bypass it.
   * Runs inside the sign-in's transaction, so it reads through that transaction's `manager` (a
   * second connection would wait behind it on the embedded database).
   */
  async assertPasskeyAllowed(manager: EntityManager, email: string): Promise<void> {
    await this.assertNotEnforced(email, manager);
  }

  /**
   * Before a social sign-in: the provider's address, and the address of the account the provider
   * identity is linked to (a personal Google account linked to a work account must not bypass it).
   */
  async assertFederatedAllowed(
    provider: string,
    identity: { subject: string; email: string | null },
  ): Promise<void> {
    await this.assertNotEnforced(identity.email);
    const link = await this.dataSource.manager.findOneBy(OAuthAccountEntity, {
      provider,
      subject: identity.subject,
    });
    if (!link) return;
    const user = await this.dataSource.manager.findOneBy(UserEntity, { id: link.userId });
    await this.assertNotEnforced(user?.email);
  }

  private async assertNotEnforced(
    email: string | null | undefined,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const domain = domainOf(email);
    if (!domain) return;
    const owner = await SsoDomainService.verifiedOwner(manager, domain);
    if (!owner) return;
    const enforced = await manager.existsBy(SsoConnectionEntity, {
      organizationId: owner.organizationId,
      enabled: true,
      enforced: true,
    });
    if (!enforced) return;
    // The slug only helps the client; a refusal does not wait on orgs being up.
    const organization = await this.orgs
      .organization({ id: owner.organizationId })
      .catch(() => null);
    throw new AppError('FORBIDDEN', {
      message: `Accounts of ${domain} sign in through their organization's single sign-on.`,
      extensions: { reason: 'SSO_REQUIRED', organizationSlug: organization?.slug ?? null },
    });
  }
}

/** The lower-case domain of an address, or null. */
export function domainOf(email: string | null | undefined): string | null {
  const at = email?.lastIndexOf('@') ?? -1;
  if (!email || at < 1) return null;
  return (
    email
      .slice(at + 1)
      .trim()
      .toLowerCase()
      .replace(/\.$/, '') || null
  );
}

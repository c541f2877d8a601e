import { AppError, askInternalGateway, ROLES, type Role } from '@bastion/platform';

const PROVISION = `mutation AuthSsoProvision($organizationId: ID!, $userId: ID!, $role: Role, $connectionId: ID!) {
  provisionSsoMember(organizationId: $organizationId, userId: $userId, role: $role, connectionId: $connectionId) { role }
}`;

const ORGANIZATION = `query AuthSsoOrganization($id: ID, $slug: String) {
  ssoOrganization(id: $id, slug: $slug) { id slug }
}`;

export interface OrganizationRef {
  id: string;
  slug: string;
}

/**
 * What SSO asks orgs, through the gateway's internal listener with auth's service token (scopes
 * orgs:read and orgs:provision): an organization's slug, and the membership an SSO sign-in maps to.
 * Auth never reads orgs' tables.
 */
export class SsoOrgsClient {
  constructor(
    private readonly internalUrl: () => string,
    private readonly serviceToken: () => string | undefined,
  ) {}

  /** Sets the user's membership to `role` (null: none); returns the role orgs kept (it never drops the last ADMIN). */
  async provisionMember(
    organizationId: string,
    userId: string,
    role: Role | null,
    connectionId: string,
  ): Promise<Role | null> {
    const data = await this.call<{ provisionSsoMember: { role: Role } | null }>(PROVISION, {
      organizationId,
      userId,
      role,
      connectionId,
    });
    const kept = data.provisionSsoMember?.role ?? null;
    return kept && ROLES.includes(kept) ? kept : null;
  }

  /** The organization with this id or slug, or null. */
  async organization(where: { id: string } | { slug: string }): Promise<OrganizationRef | null> {
    const data = await this.call<{ ssoOrganization: OrganizationRef | null }>(ORGANIZATION, {
      id: 'id' in where ? where.id : null,
      slug: 'slug' in where ? where.slug : null,
    });
    return data.ssoOrganization;
  }

  private async call<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const body = await askInternalGateway<T>(
      {
        url: this.internalUrl,
        serviceToken: this.serviceToken,
        notConfigured: 'Organization lookups are not configured (AUTH_SERVICE_TOKEN).',
        unreachable: 'The organizations service did not answer.',
      },
      query,
      variables,
    );
    if (body.errors?.length || !body.data)
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: 'The organizations service refused the request.',
      });
    return body.data;
  }
}

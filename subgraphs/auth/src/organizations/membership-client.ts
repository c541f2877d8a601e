import { AppError, ROLES, type Role } from '@bastion/platform';

const MEMBERSHIP_QUERY = `query AuthMembership($organizationId: ID!, $userId: ID!) {
  organizationMembership(organizationId: $organizationId, userId: $userId) {
    role
    organization { name requireMfa }
  }
}`;

/** A user's membership as orgs answers it, with the organization's MFA policy. */
export interface OrganizationMembership {
  role: Role;
  /** The organization requires a session that used a second factor (Organization.requireMfa). */
  requireMfa: boolean;
  organizationName: string;
}

interface MembershipAnswer {
  role: Role;
  organization: { name: string; requireMfa: boolean } | null;
}

/**
 * Asks orgs, through the gateway's internal listener and with auth's own service token, what role
 * a user has in an organization. Auth never reads another service's tables.
 */
export class MembershipClient {
  constructor(
    private readonly internalUrl: () => string,
    private readonly serviceToken: () => string | undefined,
  ) {}

  /** The role, or null when the user is not a member. UPSTREAM_UNAVAILABLE when orgs cannot answer. */
  async roleOf(organizationId: string, userId: string): Promise<Role | null> {
    return (await this.membershipOf(organizationId, userId))?.role ?? null;
  }

  /** The membership with the organization's policy, or null when the user is not a member. */
  async membershipOf(
    organizationId: string,
    userId: string,
  ): Promise<OrganizationMembership | null> {
    const token = this.serviceToken();
    if (!token)
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: 'Organization lookups are not configured (AUTH_SERVICE_TOKEN).',
      });
    let body: {
      data?: { organizationMembership: MembershipAnswer | null };
      errors?: { extensions?: { code?: string } }[];
    };
    try {
      const response = await fetch(this.internalUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-service-token': token },
        body: JSON.stringify({ query: MEMBERSHIP_QUERY, variables: { organizationId, userId } }),
        signal: AbortSignal.timeout(5000),
      });
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: 'The organizations service did not answer.',
        cause: error,
      });
    }
    if (body.errors?.length) {
      if (body.errors.some((e) => e.extensions?.code === 'BAD_USER_INPUT')) return null;
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: 'The organizations service refused the lookup.',
      });
    }
    const found = body.data?.organizationMembership ?? null;
    if (!found || !ROLES.includes(found.role) || !found.organization) return null;
    return {
      role: found.role,
      requireMfa: found.organization.requireMfa === true,
      organizationName: found.organization.name,
    };
  }
}

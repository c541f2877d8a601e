import { ROLES, type Role } from '../auth/viewer';
import { AppError } from '../errors/app-error';
import { askInternalGateway } from './internal-gateway';

const MEMBERSHIP_QUERY = `query OrganizationMembership($organizationId: ID!, $userId: ID!) {
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
 * Asks orgs, through the gateway's internal listener and with the asking service's own token
 * (scope orgs:read), what role a user has in an organization. No other service reads orgs' tables;
 * auth (sessions, SSO) and webhooks share this one lookup.
 */
export class OrganizationMembershipClient {
  constructor(
    private readonly internalUrl: () => string,
    private readonly serviceToken: () => string | undefined,
    /** The setting that holds the token, named when it is unset (e.g. AUTH_SERVICE_TOKEN). */
    private readonly tokenSetting: string,
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
    const body = await askInternalGateway<{ organizationMembership: MembershipAnswer | null }>(
      {
        url: this.internalUrl,
        serviceToken: this.serviceToken,
        notConfigured: `Organization lookups are not configured (${this.tokenSetting}).`,
        unreachable: 'The organizations service did not answer.',
      },
      MEMBERSHIP_QUERY,
      { organizationId, userId },
    );
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

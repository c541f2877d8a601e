import type { BaseContext } from '@bastion/platform';
import type { AuditLogService } from './audit/audit-log.service';
import type { InvitationService } from './invitations/invitation.service';
import type { OrgsLoaders } from './members/loaders';
import type { MembershipService } from './members/membership.service';
import type { SsoProvisioning } from './members/sso-provisioning';
import type { OrganizationService } from './organizations/organization.service';
import type { OrgsDataExport } from './users/data-export';

export interface OrgsServices {
  organizations: OrganizationService;
  memberships: MembershipService;
  invitations: InvitationService;
  audit: AuditLogService;
  /** Auth's enterprise SSO: memberships mapped from the IdP's groups, organizations by slug. */
  sso: SsoProvisioning;
  /** Orgs' part of a user's data export. */
  dataExport: OrgsDataExport;
}

export interface OrgsContext extends BaseContext, OrgsServices {
  /** Per request: role and organization lookups batched (DataLoader), never shared between callers. */
  loaders: OrgsLoaders;
  /** Publishes what a committed mutation left in the outbox now, rather than at the relay's next poll. */
  kickRelay(): void;
}

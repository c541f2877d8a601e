import { AppError } from '../errors/app-error';
import type { Role } from './viewer';

/** A user's role in an organization, or null when they are not a member (OrganizationMembershipClient.roleOf). */
export type RoleOf = (organizationId: string, userId: string) => Promise<Role | null>;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an ADMIN-only operation names in its refusal: the message's verb phrase and the denied permission. */
export interface AdminOnly {
  /** Completes "Only the organization's ADMINs …", e.g. "manage single sign-on". */
  action: string;
  /** Recorded with the denied attempt, e.g. `sso:manage`. */
  permission: string;
}

/**
 * The caller must be an ADMIN of the organization, as orgs answers: NOT_FOUND for an organization
 * they are not in (its existence is not theirs to learn), FORBIDDEN with reason ADMIN_REQUIRED
 * for another role. Services other than orgs never read its tables: `roleOf` asks it.
 */
export async function requireOrganizationAdmin(
  roleOf: RoleOf,
  organizationId: string,
  userId: string,
  what: AdminOnly,
): Promise<void> {
  const role = UUID.test(organizationId) ? await roleOf(organizationId, userId) : null;
  if (role === null) throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
  if (role !== 'ADMIN')
    throw new AppError('FORBIDDEN', {
      message: `Only the organization's ADMINs ${what.action}.`,
      extensions: { reason: 'ADMIN_REQUIRED' },
      denied: { organizationId, permission: what.permission },
    });
}

import { AppError, type Role } from '@bastion/platform';

/**
 * The caller must be an ADMIN of the organization, as orgs answers: NOT_FOUND for an organization
 * they are not in (its existence is not theirs to learn), FORBIDDEN for another role.
 */
export async function requireOrganizationAdmin(
  roleOf: (organizationId: string, userId: string) => Promise<Role | null>,
  organizationId: string,
  userId: string,
): Promise<void> {
  const role = UUID.test(organizationId) ? await roleOf(organizationId, userId) : null;
  if (role === null) throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
  if (role !== 'ADMIN')
    throw new AppError('FORBIDDEN', {
      message: "Only the organization's ADMINs manage single sign-on.",
      extensions: { reason: 'ADMIN_REQUIRED' },
      denied: { organizationId, permission: 'sso:manage' },
    });
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

import { AppError, type Role, type Viewer } from '@bastion/platform';

/** What each role may do, as data: one place to read and to change. */
export const ROLE_PERMISSIONS: Record<Role, readonly string[]> = {
  ADMIN: ['organization:read', 'organization:update', 'organization:delete', 'member:invite', 'member:remove', 'member:change-role', 'audit:read'],
  EDITOR: ['organization:read'],
  VIEWER: ['organization:read'],
};

export function can(role: Role | null | undefined, action: string): boolean {
  return role ? ROLE_PERMISSIONS[role].includes(action) : false;
}

/**
 * Throws unless the viewer's role allows the action. A non-member learns nothing: NOT_FOUND,
 * as if the organization did not exist.
 */
export function assertCan(viewer: Viewer, role: Role | null | undefined, action: string): void {
  if (viewer.kind === 'service') return;
  if (!role) throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
  if (!can(role, action)) throw new AppError('FORBIDDEN', { message: `Your role (${role}) cannot do ${action}.` });
}

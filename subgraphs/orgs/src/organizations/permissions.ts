import { AppError, isService, type Role, type Viewer } from '@bastion/platform';

/** What each role may do, as data: one place to read and to change (docs/api.md "Operations" shows it as a table). */
export const PERMISSIONS = {
  ADMIN: {
    organization: ['read', 'update', 'delete'],
    member: ['read', 'invite', 'remove', 'change-role'],
    invitation: ['read', 'revoke'],
    billing: ['read'],
    audit: ['read'],
  },
  EDITOR: { organization: ['read'], member: ['read'], billing: ['read'] },
  VIEWER: { organization: ['read'], member: ['read'] },
} as const satisfies Record<Role, Record<string, readonly string[]>>;

type Statements = {
  [R in Role]: {
    [
      K in keyof (typeof PERMISSIONS)[R]
    ]: `${K & string}:${(typeof PERMISSIONS)[R][K] extends readonly (infer A)[] ? A & string : never}`;
  }[keyof (typeof PERMISSIONS)[R]];
}[Role];

/** A statement such as `member:invite`. */
export type Action = Statements;

/** Actions an internal service with orgs:read may take (the tier already checked the scope). */
const SERVICE_ACTIONS: readonly Action[] = ['organization:read', 'member:read'];

/** Roles from most to least powerful: a member may hand out (invite at) their own role or a lesser one. */
const RANK: Record<Role, number> = { ADMIN: 3, EDITOR: 2, VIEWER: 1 };

/** Whether someone holding `role` may make someone else `granted` (an invitation's role). */
export function mayGrant(role: Role | null | undefined, granted: Role): boolean {
  return Boolean(role) && can(role, 'member:invite') && RANK[role as Role] >= RANK[granted];
}

export function can(role: Role | null | undefined, action: Action): boolean {
  if (!role) return false;
  const [resource, verb] = action.split(':');
  const verbs = (PERMISSIONS[role] as Record<string, readonly string[]>)[resource];
  return verbs?.includes(verb) ?? false;
}

/** How the caller's current role is found: the membership row, never the token's `role` claim. */
export type RoleLookup = (organizationId: string, userId: string) => Promise<Role | null>;

/**
 * Throws unless the caller may take `action` in the organization. The role comes from the
 * membership row at this moment (the token's org/role are only a hint), so a demotion or removal
 * applies to the very next request. A non-member learns nothing: NOT_FOUND, as for a missing one.
 * Returns the caller's role (null for services).
 */
export async function assertCan(
  viewer: Viewer,
  action: Action,
  organizationId: string,
  roleOf: RoleLookup,
): Promise<Role | null> {
  // Reached without a field tier only through _entities: an anonymous caller is told to sign in.
  if (viewer.kind === 'anonymous') throw new AppError('UNAUTHENTICATED');
  if (isService(viewer)) {
    if (SERVICE_ACTIONS.includes(action)) return null;
    throw new AppError('FORBIDDEN', {
      message: `A service cannot do ${action}.`,
      denied: { organizationId, permission: action },
    });
  }
  const role = UUID.test(organizationId) ? await roleOf(organizationId, viewer.userId) : null;
  if (!role) throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
  if (!can(role, action))
    throw new AppError('FORBIDDEN', {
      message: `Your role (${role}) cannot do ${action}.`,
      denied: { organizationId, permission: action },
    });
  return role;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

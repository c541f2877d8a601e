import {
  AppError,
  isService,
  requireOrganizationMfa,
  type Role,
  type Viewer,
} from '@bastion/platform';

/** What each role may do, as data: one place to read and to change (docs/api.md "Operations" shows it as a table). */
export const PERMISSIONS = {
  ADMIN: {
    organization: ['read', 'update', 'delete', 'set-security'],
    member: ['read', 'invite', 'remove', 'change-role', 'read-mfa'],
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

/** What orgs knows of a caller's membership at this moment, read with the organization's policy. */
export interface MemberAccess {
  role: Role;
  /** The organization's requireMfa: the caller's session must have used a second factor. */
  requireMfa: boolean;
  /** For the refusal's message (the member sees the name in myOrganizations anyway). */
  organizationName: string;
}

/** How the caller's membership is found: the membership row, never the token's `org`/`role` claims. */
export type AccessLookup = (organizationId: string, userId: string) => Promise<MemberAccess | null>;

/**
 * Throws unless the caller may take `action` in the organization. The role comes from the
 * membership row at this moment (the token's org/role are only a hint), so a demotion or removal
 * applies to the very next request. A non-member learns nothing: NOT_FOUND, as for a missing one.
 * A member of an organization that requires MFA whose session did not use a second factor (amr
 * from this request's claims) gets FORBIDDEN with reason MFA_REQUIRED_BY_ORGANIZATION, whatever
 * the action: this is the one access check of every organization field and mutation, so the
 * policy holds for tokens issued before it was switched on too. Returns the caller's role (null
 * for services).
 */
export async function assertCan(
  viewer: Viewer,
  action: Action,
  organizationId: string,
  accessOf: AccessLookup,
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
  const access = UUID.test(organizationId) ? await accessOf(organizationId, viewer.userId) : null;
  if (!access) throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
  requireOrganizationMfa(
    viewer,
    { organizationId, name: access.organizationName, requireMfa: access.requireMfa },
    action,
  );
  const { role } = access;
  if (!can(role, action))
    throw new AppError('FORBIDDEN', {
      message: `Your role (${role}) cannot do ${action}.`,
      denied: { organizationId, permission: action },
    });
  return role;
}

/**
 * Seconds: how recent the sign-in of an ADMIN granting ADMIN (a role change or an invitation at
 * ADMIN) must be, multi-factor when they have a factor. Checked in the resolver's service because
 * it depends on the `role` argument; the SDL cannot say it.
 */
export const GRANT_ADMIN_STEP_UP = 600;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

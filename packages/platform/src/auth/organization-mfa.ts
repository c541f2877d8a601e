import { AppError } from '../errors/app-error';
import { usedMultiFactor, type Viewer } from './viewer';

/** `extensions.reason` of the FORBIDDEN a member gets from an organization that requires MFA. */
export const MFA_REQUIRED_BY_ORGANIZATION = 'MFA_REQUIRED_BY_ORGANIZATION';

/** What the refusal names: the organization, so the client can say which one asks for a factor. */
export interface OrganizationMfaPolicy {
  organizationId: string;
  /** Shown in the message; the member may read it (their own organizations list shows it too). */
  name?: string | null;
  requireMfa: boolean;
}

/**
 * The refusal: FORBIDDEN with `extensions.reason` MFA_REQUIRED_BY_ORGANIZATION and a message that
 * tells the member what to do. Audited like every FORBIDDEN (denied attempts, in the
 * organization's log).
 */
export function mfaRequiredByOrganization(
  policy: Omit<OrganizationMfaPolicy, 'requireMfa'>,
  /** The statement refused, for the audit entry (e.g. `member:read`). */
  permission = 'organization:read',
): AppError {
  const which = policy.name ? `The organization ${policy.name}` : 'This organization';
  return new AppError('FORBIDDEN', {
    message: `${which} requires a second factor: enrol one (an authenticator app or a passkey) and sign in with it.`,
    extensions: { reason: MFA_REQUIRED_BY_ORGANIZATION },
    denied: { organizationId: policy.organizationId, permission },
  });
}

/**
 * Throws unless the caller may act in an organization with this policy: a user passes when the
 * organization does not require MFA or when their session used a second factor (amr has `mfa`,
 * read from the claims of this request: what was used, not what is enrolled; a recovery code does
 * not count). Services have no session and are not asked. Every service that decides access to an
 * organization's data from a membership (or from the `org` claim) calls this, so the rule is one.
 */
export function requireOrganizationMfa(
  viewer: Viewer,
  policy: OrganizationMfaPolicy,
  permission?: string,
): void {
  if (viewer.kind !== 'user' || !policy.requireMfa) return;
  if (!usedMultiFactor(viewer)) throw mfaRequiredByOrganization(policy, permission);
}

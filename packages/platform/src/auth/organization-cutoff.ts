import type { Role, UserViewer } from './viewer';

/**
 * "Access tokens carrying this organization, of this user (of every user when `userId` is null),
 * issued no later than `changedAtMs`, are void unless their role is `role`": what a role change,
 * a removal or a deleted organization leaves behind. Tokens without the organization, or for
 * another one, are untouched, and a token that already states the new role stays good, so a
 * demotion neither signs the user out nor refuses the token their next refresh issues (even in
 * the same second: `iat` has whole seconds, so "no later than" compares seconds, and a stale
 * claim issued in the second of the change is refused with the rest).
 */
export interface OrganizationTokenCutoff {
  organizationId: string;
  userId: string | null;
  /** The member's role from the change on; null when the membership or organization ended. */
  role: Role | null;
  /** When the change happened (orgs' clock), epoch milliseconds; of two cutoffs the later wins. */
  changedAtMs: number;
}

/** What a revocation check reads of an access token. */
export type RevocationSubject = Pick<
  UserViewer,
  'userId' | 'sessionId' | 'issuedAt' | 'organizationId' | 'role'
>;

/** Whether the cutoff voids the token (the organization-wide cutoff has no user and no role). */
export function voidsToken(cutoff: OrganizationTokenCutoff, token: RevocationSubject): boolean {
  if (token.organizationId !== cutoff.organizationId) return false;
  if (cutoff.userId !== null && cutoff.userId !== token.userId) return false;
  if (token.issuedAt > Math.floor(cutoff.changedAtMs / 1000)) return false;
  return cutoff.role === null || token.role !== cutoff.role;
}

/** The key a cutoff is kept under: one per member of an organization, one for the whole of it. */
export function cutoffKey(organizationId: string, userId: string | null): string {
  return userId === null ? `org:${organizationId}` : `member:${organizationId}:${userId}`;
}

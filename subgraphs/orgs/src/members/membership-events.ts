import type { EntityManager } from 'typeorm';
import { enqueueEvent, type Role } from '@bastion/platform';

/** Why a membership changed, for the event's readers. Names are API. */
export type MembershipChangeReason =
  'role_changed' | 'removed' | 'left' | 'account_deleted' | 'promoted_last_admin_deleted';

/**
 * Publishes ORGANIZATION_MEMBERSHIP_CHANGED in the caller's transaction: auth then voids the
 * access tokens whose `org`/`role` claims the change made stale. `role` is the role from now on,
 * null when the membership ended.
 */
export async function publishMembershipChange(
  manager: EntityManager,
  change: {
    organizationId: string;
    userId: string;
    role: Role | null;
    reason: MembershipChangeReason;
  },
): Promise<void> {
  await enqueueEvent(manager, 'ORGANIZATION_MEMBERSHIP_CHANGED', {
    organizationId: change.organizationId,
    userId: change.userId,
    role: change.role,
    reason: change.reason,
    changedAt: new Date().toISOString(),
  });
}

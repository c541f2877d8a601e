import type { DataSource, EntityManager } from 'typeorm';
import {
  consumeOnce,
  schemaOf,
  type EventBus,
  type EventEnvelope,
  type Subscription,
} from '@bastion/platform';
import { recordAudit } from '../audit/record-audit';
import { voidInvitationsOf } from '../invitations/invitation.service';
import { applyScope, INTERNAL } from '../db/caller-scope';
import { deleteOrganization } from '../organizations/organization.service';
import { publishMembershipChange } from './membership-events';

export const ORGS_CONSUMER = 'orgs';

/**
 * USER_DELETED: the user's memberships go. An organization left without an ADMIN gets its oldest
 * remaining member promoted (audited); one left without members is deleted. Once per event id.
 */
export class UserDeletedConsumer {
  private readonly schema: string;

  constructor(private readonly dataSource: DataSource) {
    this.schema = schemaOf(dataSource);
  }

  async handle(event: EventEnvelope<'USER_DELETED'>): Promise<boolean> {
    const { userId } = event.data;
    return consumeOnce(this.dataSource, ORGS_CONSUMER, event, async (manager) => {
      await applyScope(manager, INTERNAL);
      // Organizations locked in id order, like every change to one organization, so no deadlock.
      const organizations: { id: string }[] = await manager.query(
        `SELECT o.id FROM ${this.schema}.organizations o JOIN ${this.schema}.memberships m ON m.organization_id = o.id
         WHERE m.user_id = $1 ORDER BY o.id FOR UPDATE OF o`,
        [userId],
      );
      for (const { id } of organizations) await this.leave(manager, id, userId);
    });
  }

  /** `published` runs after an event's effect committed (its own events wait in the outbox). */
  subscribe(bus: EventBus, published: () => void): Promise<Subscription> {
    return bus.subscribe(ORGS_CONSUMER, ['USER_DELETED'], async (event) => {
      if (await this.handle(event)) published();
    });
  }

  private async leave(
    manager: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<void> {
    const s = this.schema;
    const removed: { role: string }[] = await manager.query(
      `SELECT role FROM ${s}.memberships WHERE organization_id = $1 AND user_id = $2`,
      [organizationId, userId],
    );
    await manager.query(
      `DELETE FROM ${s}.memberships WHERE organization_id = $1 AND user_id = $2`,
      [organizationId, userId],
    );
    const voided = await voidInvitationsOf(manager, s, organizationId, userId, null);
    await publishMembershipChange(manager, {
      organizationId,
      userId,
      role: null,
      reason: 'account_deleted',
    });
    await recordAudit(manager, {
      organizationId,
      actorId: null,
      action: 'member.removed',
      targetType: 'user',
      targetId: userId,
      client: null,
      metadata: {
        role: removed[0]?.role ?? null,
        reason: 'account_deleted',
        voidedInvitations: voided,
      },
    });
    const remaining: { user_id: string; role: string }[] = await manager.query(
      `SELECT user_id, role FROM ${s}.memberships WHERE organization_id = $1 ORDER BY joined_at ASC, user_id ASC`,
      [organizationId],
    );
    if (remaining.length === 0) {
      await deleteOrganization(manager, s, organizationId, {
        actorId: null,
        client: null,
        reason: 'last_member_deleted',
      });
      return;
    }
    if (remaining.some((m) => m.role === 'ADMIN')) return;
    const oldest = remaining[0];
    await manager.query(
      `UPDATE ${s}.memberships SET role = 'ADMIN' WHERE organization_id = $1 AND user_id = $2`,
      [organizationId, oldest.user_id],
    );
    await publishMembershipChange(manager, {
      organizationId,
      userId: oldest.user_id,
      role: 'ADMIN',
      reason: 'promoted_last_admin_deleted',
    });
    await recordAudit(manager, {
      organizationId,
      actorId: null,
      action: 'member.promoted',
      targetType: 'user',
      targetId: oldest.user_id,
      client: null,
      metadata: { from: oldest.role, to: 'ADMIN', reason: 'last_admin_deleted' },
    });
  }
}

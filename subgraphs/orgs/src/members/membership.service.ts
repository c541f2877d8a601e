import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  ROLES,
  badInput,
  decodeCursor,
  isUser,
  pageSize,
  requireStepUp,
  requireUser,
  schemaOf,
  type ClientInfo,
  type Role,
  type Viewer,
} from '@bastion/platform';
import { recordAudit } from '../audit/record-audit';
import { voidInvitationsOf } from '../invitations/invitation.service';
import { inScope, scopeOf } from '../db/caller-scope';
import { MembershipEntity } from '../organizations/organization.entity';
import { DEFAULT_PAGE, type OrganizationService } from '../organizations/organization.service';
import { assertCan, GRANT_ADMIN_STEP_UP, UUID } from '../organizations/permissions';
import type { OrgsLoaders } from './loaders';
import { publishMembershipChange } from './membership-events';

const memberNotFound = () => new AppError('NOT_FOUND', { message: 'Member not found.' });

/** Memberships: listing, role changes, removal. An organization never loses its last ADMIN. */
export class MembershipService {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly organizations: OrganizationService,
  ) {
    this.schema = schemaOf(dataSource);
  }

  async members(
    viewer: Viewer,
    organizationId: string,
    loaders: OrgsLoaders,
    first?: number | null,
    after?: string | null,
  ): Promise<MembershipEntity[]> {
    await assertCan(viewer, 'member:read', organizationId, loaders.accessOf);
    const limit = pageSize(first, DEFAULT_PAGE);
    const cursor = decodeCursor(after);
    return inScope(this.dataSource, scopeOf(viewer), (manager) => {
      const query = manager
        .createQueryBuilder(MembershipEntity, 'm')
        .where('m.organization_id = :organizationId', { organizationId })
        .orderBy('m.joined_at', 'ASC')
        .addOrderBy('m.user_id', 'ASC')
        .limit(limit);
      if (cursor)
        query.andWhere('(m.joined_at, m.user_id) > (:at, :id)', {
          at: cursor.createdAt,
          id: cursor.id,
        });
      return query.getMany();
    });
  }

  /**
   * Whether the member has a confirmed second factor, for the organization's ADMINs only (FORBIDDEN
   * for everyone else, as for invitations): auth's answer, batched per response (loaders.mfaEnabled).
   * Null when auth does not know the user.
   */
  async mfaEnabled(
    viewer: Viewer,
    membership: MembershipEntity,
    loaders: OrgsLoaders,
  ): Promise<boolean | null> {
    await assertCan(viewer, 'member:read-mfa', membership.organizationId, loaders.accessOf);
    return loaders.mfaEnabled.load(membership.userId);
  }

  /** A user's memberships (the owner, or an internal service with orgs:read). */
  membershipsOf(
    viewer: Viewer,
    userId: string,
    first?: number | null,
    after?: string | null,
  ): Promise<MembershipEntity[]> {
    const limit = pageSize(first, DEFAULT_PAGE);
    const cursor = decodeCursor(after);
    if (!UUID.test(userId)) return Promise.resolve([]);
    return inScope(this.dataSource, scopeOf(viewer), (manager) => {
      const query = manager
        .createQueryBuilder(MembershipEntity, 'm')
        .where('m.user_id = :userId', { userId })
        .orderBy('m.joined_at', 'ASC')
        .addOrderBy('m.organization_id', 'ASC')
        .limit(limit);
      if (cursor)
        query.andWhere('(m.joined_at, m.organization_id) > (:at, :id)', {
          at: cursor.createdAt,
          id: cursor.id,
        });
      return query.getMany();
    });
  }

  /** For auth's switchOrganization (internal, orgs:read). */
  async membership(
    viewer: Viewer,
    organizationId: string,
    userId: string,
  ): Promise<MembershipEntity | null> {
    if (!UUID.test(organizationId) || !UUID.test(userId)) return null;
    return inScope(this.dataSource, scopeOf(viewer), (manager) =>
      manager.findOneBy(MembershipEntity, { organizationId, userId }),
    );
  }

  /** The ADMINs' user ids, oldest first (internal, orgs:read): whom webhooks mails about a disabled endpoint. */
  async adminIds(viewer: Viewer, organizationId: string): Promise<string[]> {
    if (!UUID.test(organizationId)) return [];
    const admins = await inScope(this.dataSource, scopeOf(viewer), (manager) =>
      manager.find(MembershipEntity, {
        where: { organizationId, role: 'ADMIN' },
        order: { joinedAt: 'ASC' },
        take: 100,
      }),
    );
    return admins.map((admin) => admin.userId);
  }

  async changeRole(
    viewer: Viewer,
    organizationId: string,
    userId: string,
    role: Role,
    client: ClientInfo,
  ): Promise<MembershipEntity> {
    if (!ROLES.includes(role)) throw badInput({ role: `Use one of ${ROLES.join(', ')}.` });
    return this.organizations.locked(
      viewer,
      organizationId,
      'member:change-role',
      async (manager, actorId) => {
        // Granting ADMIN hands over the organization: a recent (multi-factor) sign-in first.
        if (role === 'ADMIN') requireStepUp(requireUser(viewer), GRANT_ADMIN_STEP_UP);
        const target = await this.lockedMember(manager, organizationId, userId);
        if (target.role === 'ADMIN' && role !== 'ADMIN')
          await this.assertAnotherAdmin(manager, organizationId);
        await manager.update(MembershipEntity, { organizationId, userId }, { role });
        // Invitations the member sent at a role the new one may not grant are void.
        const voided = await voidInvitationsOf(manager, this.schema, organizationId, userId, role);
        if (target.role !== role)
          await publishMembershipChange(manager, {
            organizationId,
            userId,
            role,
            reason: 'role_changed',
          });
        await recordAudit(manager, {
          organizationId,
          actorId,
          action: 'member.role_changed',
          targetType: 'user',
          targetId: userId,
          client,
          metadata: { from: target.role, to: role, voidedInvitations: voided },
        });
        return { ...target, role };
      },
    );
  }

  /** An ADMIN removes a member, or a member leaves (any role may leave, except the last ADMIN). */
  async remove(
    viewer: Viewer,
    organizationId: string,
    userId: string,
    client: ClientInfo,
  ): Promise<boolean> {
    const leaving = isUser(viewer) && viewer.userId === userId;
    return this.organizations.locked(
      viewer,
      organizationId,
      leaving ? 'member:read' : 'member:remove',
      async (manager, actorId) => {
        const target = await this.lockedMember(manager, organizationId, userId);
        if (target.role === 'ADMIN') await this.assertAnotherAdmin(manager, organizationId);
        await manager.delete(MembershipEntity, { organizationId, userId });
        const voided = await voidInvitationsOf(manager, this.schema, organizationId, userId, null);
        await publishMembershipChange(manager, {
          organizationId,
          userId,
          role: null,
          reason: leaving ? 'left' : 'removed',
        });
        await recordAudit(manager, {
          organizationId,
          actorId,
          action: leaving ? 'member.left' : 'member.removed',
          targetType: 'user',
          targetId: userId,
          client,
          metadata: { role: target.role, voidedInvitations: voided },
        });
        return true;
      },
    );
  }

  private async lockedMember(
    manager: EntityManager,
    organizationId: string,
    userId: string,
  ): Promise<MembershipEntity> {
    if (!UUID.test(userId)) throw memberNotFound();
    const target = await manager.findOne(MembershipEntity, {
      where: { organizationId, userId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!target) throw memberNotFound();
    return target;
  }

  /** Under the organization's row lock, so two concurrent demotions cannot both see "another ADMIN". */
  private async assertAnotherAdmin(manager: EntityManager, organizationId: string): Promise<void> {
    const [{ admins }]: { admins: number }[] = await manager.query(
      `SELECT count(*)::int AS admins FROM ${this.schema}.memberships WHERE organization_id = $1 AND role = 'ADMIN'`,
      [organizationId],
    );
    if (admins <= 1)
      throw new AppError('CONFLICT', {
        message: 'An organization keeps at least one ADMIN; promote another member first.',
      });
  }
}

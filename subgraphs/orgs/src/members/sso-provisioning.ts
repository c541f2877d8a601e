import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  ROLES,
  badInput,
  isService,
  schemaOf,
  type ClientInfo,
  type Role,
  type Viewer,
} from '@bastion/platform';
import { recordAudit } from '../audit/record-audit';
import { INTERNAL, inScope } from '../db/caller-scope';
import { voidInvitationsOf } from '../invitations/invitation.service';
import { MembershipEntity, OrganizationEntity } from '../organizations/organization.entity';
import { UUID } from '../organizations/permissions';
import { publishMembershipChange } from './membership-events';

/**
 * Enterprise single sign-on's side of memberships, for auth (scope orgs:provision): at every SSO
 * sign-in the membership becomes what the IdP's groups map to. Audited as the connection's doing
 * (actor `sso:<connectionId>`). An organization never loses its last ADMIN this way either: such
 * a demotion or removal leaves the membership as it is (audited as kept).
 */
export class SsoProvisioning {
  private readonly schema: string;

  constructor(private readonly dataSource: DataSource) {
    this.schema = schemaOf(dataSource);
  }

  async provision(
    viewer: Viewer,
    organizationId: string,
    userId: string,
    role: Role | null,
    connectionId: string,
    client: ClientInfo | null,
  ): Promise<MembershipEntity | null> {
    if (!isService(viewer)) throw new AppError('FORBIDDEN');
    if (![organizationId, userId, connectionId].every((id) => UUID.test(id)))
      throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
    if (role !== null && !ROLES.includes(role))
      throw badInput({ role: `Use one of ${ROLES.join(', ')}.` });
    return inScope(this.dataSource, INTERNAL, async (manager) => {
      // The organization's row lock orders this with every other change to its members.
      const rows: unknown[] = await manager.query(
        `SELECT id FROM ${this.schema}.organizations WHERE id = $1 FOR UPDATE`,
        [organizationId],
      );
      if (rows.length === 0)
        throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
      const current = await manager.findOneBy(MembershipEntity, { organizationId, userId });
      const audit = (
        action: 'member.sso_provisioned' | 'member.role_changed' | 'member.removed',
        metadata: Record<string, unknown>,
      ) =>
        recordAudit(manager, {
          organizationId,
          actorId: `sso:${connectionId}`,
          action,
          targetType: 'user',
          targetId: userId,
          client,
          metadata: { ...metadata, source: 'sso', connectionId },
        });
      if (!current) {
        if (role === null) return null;
        const joined = { organizationId, userId, role, joinedAt: new Date() };
        await manager.insert(MembershipEntity, joined);
        await audit('member.sso_provisioned', { role });
        return joined;
      }
      if (current.role === role) return current;
      if (current.role === 'ADMIN' && (await this.lastAdmin(manager, organizationId))) {
        await audit(role === null ? 'member.removed' : 'member.role_changed', {
          from: 'ADMIN',
          to: role,
          kept: 'last_admin',
        });
        return current;
      }
      const voided = await voidInvitationsOf(manager, this.schema, organizationId, userId, role);
      if (role === null) {
        await manager.delete(MembershipEntity, { organizationId, userId });
        await publishMembershipChange(manager, { organizationId, userId, role, reason: 'removed' });
        await audit('member.removed', { role: current.role, voidedInvitations: voided });
        return null;
      }
      await manager.update(MembershipEntity, { organizationId, userId }, { role });
      await publishMembershipChange(manager, {
        organizationId,
        userId,
        role,
        reason: 'role_changed',
      });
      await audit('member.role_changed', {
        from: current.role,
        to: role,
        voidedInvitations: voided,
      });
      return { ...current, role };
    });
  }

  /** An organization by id or slug (exactly one), for auth's SSO routing and messages. */
  async organization(
    viewer: Viewer,
    where: { id?: string | null; slug?: string | null },
  ): Promise<OrganizationEntity | null> {
    if (!isService(viewer)) throw new AppError('FORBIDDEN');
    const byId = where.id ?? null;
    const bySlug = where.slug ?? null;
    if ((byId === null) === (bySlug === null))
      throw badInput({ id: 'Give exactly one of id and slug.' });
    if (byId !== null && !UUID.test(byId)) return null;
    return inScope(this.dataSource, INTERNAL, (manager) =>
      manager.findOneBy(OrganizationEntity, byId !== null ? { id: byId } : { slug: bySlug! }),
    );
  }

  private async lastAdmin(manager: EntityManager, organizationId: string): Promise<boolean> {
    const [{ admins }]: { admins: number }[] = await manager.query(
      `SELECT count(*)::int AS admins FROM ${this.schema}.memberships WHERE organization_id = $1 AND role = 'ADMIN'`,
      [organizationId],
    );
    return admins <= 1;
  }
}

import type { DataSource } from 'typeorm';
import {
  AppError,
  requireOrganizationMfa,
  type ClientInfo,
  type OutboxRelay,
  type UserViewer,
} from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import { newRefreshToken } from '../sessions/refresh-token';
import { SessionEntity } from '../sessions/session.entity';
import type { AuthPayload, SessionService } from '../sessions/session.service';
import { UserEntity } from '../users/user.entity';
import type { OrganizationMembershipClient } from '@bastion/platform';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Moves the caller's session into an organization (or back to personal with null): the session
 * remembers it, and every access token it issues from now on carries `org` and `role`.
 */
export class OrganizationSwitch {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    private readonly memberships: OrganizationMembershipClient,
    private readonly relay: OutboxRelay,
  ) {}

  async switchTo(
    viewer: UserViewer,
    organizationId: string | null,
    client: ClientInfo,
  ): Promise<AuthPayload> {
    let role = null;
    if (organizationId !== null) {
      // A non-member learns nothing about the organization: the same NOT_FOUND as a missing one.
      if (!UUID.test(organizationId))
        throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
      const membership = await this.memberships.membershipOf(organizationId, viewer.userId);
      if (!membership) throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
      // The organization's own rule (orgs applies it on every request too): a session that did
      // not use a second factor is not let in, so it never carries this organization's claims.
      requireOrganizationMfa(viewer, {
        organizationId,
        name: membership.organizationName,
        requireMfa: membership.requireMfa,
      });
      role = membership.role;
    }
    const refreshToken = newRefreshToken();
    const payload = await this.dataSource.transaction(async (manager) => {
      const session = await manager.findOne(SessionEntity, {
        where: { id: viewer.sessionId, userId: viewer.userId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!session || session.revokedAt)
        throw new AppError('INVALID_TOKEN', {
          message: 'This session is no longer valid; sign in again.',
        });
      session.organizationId = organizationId;
      session.role = role;
      await manager.update(SessionEntity, { id: session.id }, { organizationId, role });
      const user = await manager.findOneByOrFail(UserEntity, { id: viewer.userId });
      await this.sessions.replaceRefreshTokens(manager, session, refreshToken);
      await recordAudit(manager, {
        actorId: viewer.userId,
        action: 'organization.switched',
        targetType: 'organization',
        targetId: organizationId,
        client,
        metadata: { role },
      });
      return this.sessions.payload(user, session, refreshToken);
    });
    this.relay.kick();
    return payload;
  }
}

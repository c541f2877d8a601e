import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  ROLES,
  badInput,
  decodeCursor,
  invalidToken,
  pageSize,
  requireStepUp,
  requireUser,
  schemaOf,
  type ClientInfo,
  type Mailer,
  type Role,
  type Viewer,
} from '@bastion/platform';
import { recordAudit } from '../audit/record-audit';
import { INTERNAL, inScope, scopeOf } from '../db/caller-scope';
import type { OrgsLoaders } from '../members/loaders';
import { MembershipEntity, OrganizationEntity } from '../organizations/organization.entity';
import { DEFAULT_PAGE, type OrganizationService } from '../organizations/organization.service';
import { lockedRoleLookup } from '../organizations/organization.service';
import { assertCan, GRANT_ADMIN_STEP_UP, mayGrant, UUID } from '../organizations/permissions';
import type { UserClient } from '../users/user-client';
import { InvitationEntity } from './invitation.entity';
import { invitationMail } from './invitation-mail';

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
// Deliberately simple: one @, no spaces, a dot in the domain and no empty label; the mail itself
// is the real check. Labels are split rather than matched by a nested quantifier (no backtracking).
const isEmailAddress = (email: string): boolean => {
  const [local, domain, ...rest] = email.split('@');
  if (rest.length > 0 || !local || !domain || local.length > 64 || /\s/.test(email)) return false;
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((label) => label.length > 0);
};

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Single-use invitations by mail: only the invited, verified address can accept. */
export class InvitationService {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly organizations: OrganizationService,
    private readonly users: UserClient,
    private readonly mailer: Mailer,
    /** APP_URL, read at each mail (docs/operations.md "The development inbox": the gateway's pages when unset in development). */
    private readonly appUrl: () => string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.schema = schemaOf(dataSource);
  }

  /** Creates an invitation and mails its link; an open invitation to the same address is replaced. */
  async invite(
    viewer: Viewer,
    organizationId: string,
    emailInput: string,
    role: Role,
    client: ClientInfo,
  ): Promise<InvitationEntity> {
    const email = emailInput.trim().toLowerCase();
    if (email.length > 254 || !isEmailAddress(email))
      throw badInput({ email: 'This is not an email address.' });
    if (!ROLES.includes(role)) throw badInput({ role: `Use one of ${ROLES.join(', ')}.` });
    const token = randomBytes(32).toString('base64url');
    const { invitation, organization } = await this.organizations.locked(
      viewer,
      organizationId,
      'member:invite',
      async (manager, actorId) => {
        const own = await lockedRoleLookup(manager, this.schema)(organizationId, actorId);
        if (!mayGrant(own, role))
          throw new AppError('FORBIDDEN', { message: `Your role (${own}) cannot invite ${role}.` });
        // An invitation at ADMIN grants ADMIN: the same step-up as promoting a member.
        if (role === 'ADMIN') requireStepUp(requireUser(viewer), GRANT_ADMIN_STEP_UP);
        const now = this.now();
        const replaced: { id: string }[] = await manager.query(
          `UPDATE ${this.schema}.invitations SET revoked_at = $3 WHERE organization_id = $1 AND email = $2
         AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id`,
          [organizationId, email, now],
        );
        const created = manager.create(InvitationEntity, {
          id: randomUUID(),
          organizationId,
          email,
          role,
          tokenHash: hashToken(token),
          invitedBy: actorId,
          createdAt: now,
          expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
          acceptedAt: null,
          acceptedBy: null,
          revokedAt: null,
        });
        await manager.insert(InvitationEntity, created);
        await recordAudit(manager, {
          organizationId,
          actorId,
          action: 'member.invited',
          targetType: 'invitation',
          targetId: created.id,
          client,
          metadata: { email, role, replaced: replaced.map((r) => r.id) },
        });
        return {
          invitation: created,
          organization: await manager.findOneByOrFail(OrganizationEntity, { id: organizationId }),
        };
      },
    );
    // After the commit, never inside the transaction: a slow SMTP server holds no lock.
    this.mailer.send(invitationMail(this.appUrl(), email, organization.name, role, token));
    return invitation;
  }

  /** Open invitations (not accepted, revoked or expired), for ADMINs. */
  async open(
    viewer: Viewer,
    organizationId: string,
    loaders: OrgsLoaders,
    first?: number | null,
    after?: string | null,
  ): Promise<InvitationEntity[]> {
    await assertCan(viewer, 'invitation:read', organizationId, loaders.accessOf);
    const limit = pageSize(first, DEFAULT_PAGE);
    const cursor = decodeCursor(after);
    return inScope(this.dataSource, scopeOf(viewer), (manager) => {
      const query = manager
        .createQueryBuilder(InvitationEntity, 'i')
        .where('i.organization_id = :organizationId', { organizationId })
        .andWhere('i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > :now', {
          now: this.now(),
        })
        .orderBy('i.created_at', 'ASC')
        .addOrderBy('i.id', 'ASC')
        .limit(limit);
      if (cursor)
        query.andWhere('(i.created_at, i.id) > (:at, :id)', {
          at: cursor.createdAt,
          id: cursor.id,
        });
      return query.getMany();
    });
  }

  async revoke(viewer: Viewer, id: string, client: ClientInfo): Promise<boolean> {
    requireUser(viewer);
    const notFound = () => new AppError('NOT_FOUND', { message: 'Invitation not found.' });
    if (!UUID.test(id)) throw notFound();
    // Row-level security shows the invitation only to the organization's ADMINs.
    const found = await inScope(this.dataSource, scopeOf(viewer), (manager) =>
      manager.findOneBy(InvitationEntity, { id }),
    );
    if (!found) throw notFound();
    return this.organizations.locked(
      viewer,
      found.organizationId,
      'invitation:revoke',
      async (manager, actorId) => {
        const revoked: unknown[] = await manager.query(
          `UPDATE ${this.schema}.invitations SET revoked_at = $2 WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id`,
          [id, this.now()],
        );
        if (revoked.length === 0) throw notFound();
        await recordAudit(manager, {
          organizationId: found.organizationId,
          actorId,
          action: 'invitation.revoked',
          targetType: 'invitation',
          targetId: id,
          client,
          metadata: { email: found.email },
        });
        return true;
      },
    );
  }

  /**
   * Accepts with the mailed token: the caller's current, verified address must be the invited
   * one, and whoever sent it must still be a member whose role may invite at the invitation's
   * role (INVITER_NO_LONGER_AUTHORIZED otherwise; nothing changes). The organization row is
   * locked first, as every change to an organization does (removals and role changes included),
   * then the invitation row: two concurrent accepts make one membership, the second finds the
   * token used, and no removal of the inviter can slip between the check and the membership.
   */
  async accept(viewer: Viewer, token: string, client: ClientInfo): Promise<MembershipEntity> {
    const user = requireUser(viewer);
    if (typeof token !== 'string' || token.length < 20 || token.length > 200)
      throw invalidToken('This invitation is not valid.');
    const contact = await this.users.contact(user.userId);
    if (!contact) throw new AppError('UNAUTHENTICATED');
    if (!contact.emailVerified) throw new AppError('EMAIL_NOT_VERIFIED');
    // Internal scope: the caller is not a member yet, so member policies would hide the invitation.
    return inScope(this.dataSource, INTERNAL, async (manager) => {
      const tokenHash = hashToken(token);
      const found = await manager.findOneBy(InvitationEntity, { tokenHash });
      if (found)
        await manager.query(
          `SELECT id FROM ${this.schema}.organizations WHERE id = $1 FOR UPDATE`,
          [found.organizationId],
        );
      const invitation = found
        ? await manager.findOne(InvitationEntity, {
            where: { tokenHash },
            lock: { mode: 'pessimistic_write' },
          })
        : null;
      if (!invitation || invitation.revokedAt) throw invalidToken('This invitation is not valid.');
      if (invitation.acceptedAt) throw invalidToken('This invitation was already used.');
      if (invitation.expiresAt.getTime() <= this.now().getTime())
        throw invalidToken('This invitation has expired.');
      if (invitation.email !== contact.email.toLowerCase()) {
        throw new AppError('FORBIDDEN', {
          message: 'This invitation is for another email address.',
        });
      }
      const inviterRole = invitation.invitedBy
        ? await lockedRoleLookup(manager, this.schema)(
            invitation.organizationId,
            invitation.invitedBy,
          )
        : null;
      if (!mayGrant(inviterRole, invitation.role))
        throw new AppError('FORBIDDEN', {
          message: 'Whoever sent this invitation may no longer invite at its role.',
          extensions: { reason: 'INVITER_NO_LONGER_AUTHORIZED' },
          // Audited in the organization's log, where its ADMINs see the attempt.
          denied: { organizationId: invitation.organizationId, permission: 'member:invite' },
        });
      const now = this.now();
      await manager.update(
        InvitationEntity,
        { id: invitation.id },
        { acceptedAt: now, acceptedBy: user.userId },
      );
      // Already a member: the membership stays as it is (an invitation never demotes).
      await manager.query(
        `INSERT INTO ${this.schema}.memberships (organization_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (organization_id, user_id) DO NOTHING`,
        [invitation.organizationId, user.userId, invitation.role, now],
      );
      await recordAudit(manager, {
        organizationId: invitation.organizationId,
        actorId: user.userId,
        action: 'invitation.accepted',
        targetType: 'invitation',
        targetId: invitation.id,
        client,
        metadata: { role: invitation.role },
      });
      return manager.findOneByOrFail(MembershipEntity, {
        organizationId: invitation.organizationId,
        userId: user.userId,
      });
    });
  }
}

/**
 * Revokes the open invitations `inviterId` sent in the organization, in the caller's transaction
 * (a removal, a demotion, a deleted account). Returns their ids, for the change's audit entry.
 * Accepting re-checks the inviter anyway; this keeps the open list honest.
 */
export async function voidInvitationsOf(
  manager: EntityManager,
  schema: string,
  organizationId: string,
  inviterId: string,
  keepRole: Role | null,
): Promise<string[]> {
  const open: { id: string; role: Role }[] = await manager.query(
    `SELECT id, role FROM ${schema}.invitations WHERE organization_id = $1 AND invited_by = $2
     AND accepted_at IS NULL AND revoked_at IS NULL FOR UPDATE`,
    [organizationId, inviterId],
  );
  const voided = open.filter((i) => !mayGrant(keepRole, i.role)).map((i) => i.id);
  if (voided.length > 0)
    await manager.query(
      `UPDATE ${schema}.invitations SET revoked_at = now() WHERE id = ANY($1::uuid[])`,
      [voided],
    );
  return voided;
}

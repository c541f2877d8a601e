import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AppError,
  MFA_REQUIRED_BY_ORGANIZATION,
  badInput,
  decodeCursor,
  enqueueEvent,
  pageSize,
  requireUser,
  schemaOf,
  usedMultiFactor,
  type ClientInfo,
  type Role,
  type Viewer,
} from '@bastion/platform';
import { recordAudit } from '../audit/record-audit';
import { INTERNAL, inScope, scopeOf } from '../db/caller-scope';
import { accessOfRow, type AccessRow, type OrgsLoaders } from '../members/loaders';
import { MembershipEntity, OrganizationEntity } from './organization.entity';
import { assertCan, UUID, type AccessLookup, type Action } from './permissions';

export const DEFAULT_PAGE = 50;
const DAY_SECONDS = 86_400;

/** A slug from the name plus a random suffix: readable, unique without probing others' rows. */
function slugify(name: string): string {
  const base =
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'org';
  return `${base}-${randomBytes(4).toString('hex')}`;
}

function cleanName(input: string): string {
  const name = input.trim();
  if (name.length < 1 || name.length > 100) throw badInput({ name: 'Use 1 to 100 characters.' });
  return name;
}

/** The caller's role read inside a transaction, under its locks (mutations decide on this, not on a cache). */
export function lockedRoleLookup(manager: EntityManager, schema: string) {
  return async (organizationId: string, userId: string): Promise<Role | null> => {
    const rows: { role: Role }[] = await manager.query(
      `SELECT role FROM ${schema}.memberships WHERE organization_id = $1 AND user_id = $2 FOR UPDATE`,
      [organizationId, userId],
    );
    return rows[0]?.role ?? null;
  };
}

/** The caller's membership with the organization's policy, read under the same locks (assertCan's lookup in a mutation). */
export function lockedAccessLookup(manager: EntityManager, schema: string): AccessLookup {
  return async (organizationId, userId) => {
    const rows: AccessRow[] = await manager.query(
      `SELECT m.role, o.require_mfa, o.name
       FROM ${schema}.memberships m JOIN ${schema}.organizations o ON o.id = m.organization_id
       WHERE m.organization_id = $1 AND m.user_id = $2 FOR UPDATE OF m`,
      [organizationId, userId],
    );
    return rows[0] ? accessOfRow(rows[0]) : null;
  };
}

/** Organizations: create, read, rename, delete. Every check goes through assertCan. */
export class OrganizationService {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly createdPerDay: number,
  ) {
    this.schema = schemaOf(dataSource);
  }

  async create(viewer: Viewer, nameInput: string, client: ClientInfo): Promise<OrganizationEntity> {
    const user = requireUser(viewer);
    const name = cleanName(nameInput);
    // Internal scope: the creator is not a member until the membership row below exists.
    return inScope(this.dataSource, INTERNAL, async (manager) => {
      // Not a rate-limiter-flexible counter: the limit counts the organizations themselves, in the
      // transaction that creates one (a counter could drift from the rows on a rollback, and
      // `retryAfter` follows from the oldest creation of the last day).
      // One creation at a time per user, so concurrent requests cannot all pass the count.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
        `orgs:create:${user.userId}`,
      ]);
      const recent: { created_at: Date }[] = await manager.query(
        `SELECT created_at FROM ${this.schema}.organizations WHERE created_by = $1 AND created_at > now() - interval '1 day'
         ORDER BY created_at ASC`,
        [user.userId],
      );
      if (recent.length >= this.createdPerDay) {
        const retryAfter = Math.max(
          1,
          Math.ceil((recent[0].created_at.getTime() + DAY_SECONDS * 1000 - Date.now()) / 1000),
        );
        throw new AppError('RATE_LIMITED', {
          message: 'Too many organizations created today.',
          extensions: { retryAfter },
        });
      }
      const now = new Date();
      const organization = manager.create(OrganizationEntity, {
        id: randomUUID(),
        name,
        slug: slugify(name),
        createdAt: now,
        createdBy: user.userId,
      });
      await manager.insert(OrganizationEntity, organization);
      await manager.insert(MembershipEntity, {
        organizationId: organization.id,
        userId: user.userId,
        role: 'ADMIN',
        joinedAt: now,
      });
      await recordAudit(manager, {
        organizationId: organization.id,
        actorId: user.userId,
        action: 'organization.created',
        targetType: 'organization',
        targetId: organization.id,
        client,
        metadata: { name },
      });
      return organization;
    });
  }

  /** An organization if the viewer may read it; a non-member gets NOT_FOUND. */
  async visible(viewer: Viewer, id: string, loaders: OrgsLoaders): Promise<OrganizationEntity> {
    await assertCan(viewer, 'organization:read', id, loaders.accessOf);
    const organization = await loaders.organization.load(id);
    if (!organization) throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
    return organization;
  }

  /** The caller's organizations, oldest membership first; `first`/`after` bound the list. */
  async mine(
    viewer: Viewer,
    first?: number | null,
    after?: string | null,
  ): Promise<OrganizationEntity[]> {
    if (viewer.kind !== 'user') return [];
    const limit = pageSize(first, DEFAULT_PAGE);
    const cursor = decodeCursor(after);
    return inScope(this.dataSource, scopeOf(viewer), (manager) => {
      const query = manager
        .createQueryBuilder(OrganizationEntity, 'o')
        .innerJoin(MembershipEntity, 'm', 'm.organization_id = o.id AND m.user_id = :userId', {
          userId: viewer.userId,
        })
        .orderBy('o.created_at', 'ASC')
        .addOrderBy('o.id', 'ASC')
        .limit(limit);
      if (cursor)
        query.where('(o.created_at, o.id) > (:at, :id)', { at: cursor.createdAt, id: cursor.id });
      return query.getMany();
    });
  }

  async update(
    viewer: Viewer,
    id: string,
    nameInput: string,
    client: ClientInfo,
  ): Promise<OrganizationEntity> {
    const name = cleanName(nameInput);
    return this.locked(viewer, id, 'organization:update', async (manager, userId) => {
      const slug = slugify(name);
      await manager.update(OrganizationEntity, { id }, { name, slug });
      await recordAudit(manager, {
        organizationId: id,
        actorId: userId,
        action: 'organization.updated',
        targetType: 'organization',
        targetId: id,
        client,
        metadata: { name, slug },
      });
      return manager.findOneByOrFail(OrganizationEntity, { id });
    });
  }

  /**
   * Switches the organization's requireMfa (ADMIN; the SDL asks for a step-up). An ADMIN turning
   * it on must have used a second factor in this session themself: else the next request would
   * lock them (and maybe every ADMIN) out of the organization they just secured. Audited, and
   * ORGANIZATION_SECURITY_CHANGED tells the other services. Sessions already in the organization
   * need no revocation: orgs reads amr from each request's claims (docs/security.md
   * "Organizations that require MFA").
   */
  async setRequireMfa(
    viewer: Viewer,
    id: string,
    required: boolean,
    client: ClientInfo,
  ): Promise<OrganizationEntity> {
    return this.locked(viewer, id, 'organization:set-security', async (manager, userId) => {
      const current = await manager.findOneByOrFail(OrganizationEntity, { id });
      if (required && !usedMultiFactor(requireUser(viewer)))
        throw new AppError('FORBIDDEN', {
          message:
            'Enrol a second factor (an authenticator app or a passkey) and sign in with it before requiring one: otherwise this organization would lock you out.',
          extensions: { reason: MFA_REQUIRED_BY_ORGANIZATION },
          denied: { organizationId: id, permission: 'organization:set-security' },
        });
      if (current.requireMfa === required) return current;
      await manager.update(OrganizationEntity, { id }, { requireMfa: required });
      await recordAudit(manager, {
        organizationId: id,
        actorId: userId,
        action: 'organization.security_changed',
        targetType: 'organization',
        targetId: id,
        client,
        metadata: { requireMfa: required },
      });
      await enqueueEvent(manager, 'ORGANIZATION_SECURITY_CHANGED', {
        organizationId: id,
        requireMfa: required,
        actorId: userId,
        changedAt: new Date().toISOString(),
      });
      return { ...current, requireMfa: required };
    });
  }

  /** Deletes the organization with its memberships and invitations; ORGANIZATION_DELETED tells the rest (and the audit log). */
  async delete(viewer: Viewer, id: string, client: ClientInfo): Promise<boolean> {
    return this.locked(viewer, id, 'organization:delete', async (manager, userId) => {
      await deleteOrganization(manager, this.schema, id, {
        actorId: userId,
        client,
        reason: 'deleted',
      });
      return true;
    });
  }

  /**
   * Runs a change to one organization in one transaction in the caller's scope, with the
   * organization row locked (changes to one organization are serialized) and the caller's role
   * re-read under that lock.
   */
  async locked<T>(
    viewer: Viewer,
    id: string,
    action: Action,
    work: (manager: EntityManager, userId: string) => Promise<T>,
  ): Promise<T> {
    const user = requireUser(viewer);
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
    return inScope(this.dataSource, scopeOf(viewer), async (manager) => {
      const rows: unknown[] = await manager.query(
        `SELECT id FROM ${this.schema}.organizations WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (rows.length === 0)
        throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
      await assertCan(viewer, action, id, lockedAccessLookup(manager, this.schema));
      return work(manager, user.userId);
    });
  }
}

/** Deletes an organization inside the caller's transaction and publishes ORGANIZATION_DELETED. */
export async function deleteOrganization(
  manager: EntityManager,
  schema: string,
  id: string,
  why: { actorId: string | null; client: ClientInfo | null; reason: string },
): Promise<void> {
  const members: { user_id: string }[] = await manager.query(
    `SELECT user_id FROM ${schema}.memberships WHERE organization_id = $1`,
    [id],
  );
  const organization: { name: string }[] = await manager.query(
    `SELECT name FROM ${schema}.organizations WHERE id = $1`,
    [id],
  );
  await manager.query(`DELETE FROM ${schema}.organizations WHERE id = $1`, [id]);
  await enqueueEvent(manager, 'ORGANIZATION_DELETED', {
    organizationId: id,
    name: organization[0]?.name ?? null,
    memberIds: members.map((m) => m.user_id),
    actorId: why.actorId,
    reason: why.reason,
    ip: why.client?.ip ?? null,
    userAgent: why.client?.userAgent ?? null,
    at: new Date().toISOString(),
  });
}

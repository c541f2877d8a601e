import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { badInput, isUser, type Role, type Viewer } from '@bastion/platform';
import { MembershipEntity, OrganizationEntity } from './organization.entity';
import { assertCan } from './permissions';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function slugify(name: string): string {
  const base = name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'org';
  return `${base}-${randomBytes(3).toString('hex')}`;
}

/** Organizations and memberships; every read and change goes through the role permission map. */
export class OrganizationService {
  constructor(private readonly dataSource: DataSource) {}

  async create(viewer: Viewer, nameInput: string): Promise<OrganizationEntity> {
    if (!isUser(viewer)) throw badInput({ name: 'Only a user can create an organization.' });
    const name = nameInput.trim();
    if (name.length < 1 || name.length > 100) throw badInput({ name: 'Use 1 to 100 characters.' });
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const organization = manager.create(OrganizationEntity, { id: randomUUID(), name, slug: slugify(name), createdAt: now });
      await manager.insert(OrganizationEntity, organization);
      await manager.insert(MembershipEntity, { organizationId: organization.id, userId: viewer.userId, role: 'ADMIN', joinedAt: now });
      return organization;
    });
  }

  /** The caller's role in an organization; null when not a member. */
  async roleOf(viewer: Viewer, organizationId: string): Promise<Role | null> {
    if (!isUser(viewer) || !UUID.test(organizationId)) return null;
    const membership = await this.membership(organizationId, viewer.userId);
    return membership?.role ?? null;
  }

  /** An organization if the viewer may read it; a non-member gets NOT_FOUND. */
  async visible(viewer: Viewer, id: string): Promise<OrganizationEntity | null> {
    if (!UUID.test(id)) return null;
    assertCan(viewer, await this.roleOf(viewer, id), 'organization:read');
    return this.dataSource.getRepository(OrganizationEntity).findOneBy({ id });
  }

  mine(viewer: Viewer): Promise<OrganizationEntity[]> {
    if (!isUser(viewer)) return Promise.resolve([]);
    return this.dataSource.getRepository(OrganizationEntity).createQueryBuilder('o')
      .innerJoin(MembershipEntity, 'm', 'm.organization_id = o.id')
      .where('m.user_id = :userId', { userId: viewer.userId })
      .orderBy('o.created_at', 'ASC')
      .getMany();
  }

  async members(viewer: Viewer, organizationId: string): Promise<MembershipEntity[]> {
    assertCan(viewer, await this.roleOf(viewer, organizationId), 'organization:read');
    return this.dataSource.getRepository(MembershipEntity).find({ where: { organizationId }, order: { joinedAt: 'ASC' } });
  }

  membershipsOf(userId: string): Promise<MembershipEntity[]> {
    if (!UUID.test(userId)) return Promise.resolve([]);
    return this.dataSource.getRepository(MembershipEntity).find({ where: { userId }, order: { joinedAt: 'ASC' } });
  }

  membership(organizationId: string, userId: string): Promise<MembershipEntity | null> {
    if (!UUID.test(organizationId) || !UUID.test(userId)) return Promise.resolve(null);
    return this.dataSource.getRepository(MembershipEntity).findOneBy({ organizationId, userId });
  }

  byId(id: string): Promise<OrganizationEntity | null> {
    return this.dataSource.getRepository(OrganizationEntity).findOneBy({ id });
  }
}

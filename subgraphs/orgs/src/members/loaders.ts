import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { schemaOf, type Role } from '@bastion/platform';
import { inScope, type DbScope } from '../db/caller-scope';
import { OrganizationEntity } from '../organizations/organization.entity';
import { UUID } from '../organizations/permissions';

/** Per-request batching: one query for all role lookups and one for all organizations a response needs. */
export interface OrgsLoaders {
  /** Keyed `${organizationId}|${userId}`: the role from the membership row, or null. */
  role: DataLoader<string, Role | null>;
  organization: DataLoader<string, OrganizationEntity | null>;
  roleOf(organizationId: string, userId: string): Promise<Role | null>;
}

export function createLoaders(dataSource: DataSource, scope: DbScope): OrgsLoaders {
  const schema = schemaOf(dataSource);
  const role = new DataLoader<string, Role | null>(async (keys) => {
    const pairs = keys
      .map((k) => k.split('|'))
      .filter(([o, u]) => UUID.test(o) && UUID.test(u ?? ''));
    if (pairs.length === 0) return keys.map(() => null);
    const rows: { organization_id: string; user_id: string; role: Role }[] = await inScope(
      dataSource,
      scope,
      (m) =>
        m.query(
          `SELECT organization_id, user_id, role FROM ${schema}.memberships
       WHERE (organization_id, user_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))`,
          [pairs.map(([o]) => o), pairs.map(([, u]) => u)],
        ),
    );
    const found = new Map(rows.map((r) => [`${r.organization_id}|${r.user_id}`, r.role]));
    return keys.map((k) => found.get(k.toLowerCase()) ?? null);
  });
  const organization = new DataLoader<string, OrganizationEntity | null>(async (ids) => {
    const valid = ids.filter((id) => UUID.test(id));
    const rows =
      valid.length === 0
        ? []
        : await inScope(dataSource, scope, (m) =>
            m
              .createQueryBuilder(OrganizationEntity, 'o')
              .where('o.id IN (:...ids)', { ids: valid })
              .getMany(),
          );
    const found = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => found.get(id.toLowerCase()) ?? null);
  });
  return {
    role,
    organization,
    roleOf: (organizationId, userId) => role.load(`${organizationId}|${userId}`),
  };
}

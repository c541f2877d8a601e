import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { schemaOf, type Role } from '@bastion/platform';
import { inScope, type DbScope } from '../db/caller-scope';
import { OrganizationEntity } from '../organizations/organization.entity';
import { UUID, type MemberAccess } from '../organizations/permissions';
import { USERS_PER_LOOKUP, type UserClient } from '../users/user-client';

/** Per-request batching: one query for all role lookups and one for all organizations a response needs. */
export interface OrgsLoaders {
  /** Keyed `${organizationId}|${userId}`: the membership row's role with the organization's policy, or null. */
  access: DataLoader<string, MemberAccess | null>;
  organization: DataLoader<string, OrganizationEntity | null>;
  /** Keyed by user id: whether auth says the user has a confirmed second factor (null: unknown user). */
  mfaEnabled: DataLoader<string, boolean | null>;
  accessOf(organizationId: string, userId: string): Promise<MemberAccess | null>;
  roleOf(organizationId: string, userId: string): Promise<Role | null>;
}

export function createLoaders(
  dataSource: DataSource,
  scope: DbScope,
  users: UserClient,
): OrgsLoaders {
  const schema = schemaOf(dataSource);
  const access = new DataLoader<string, MemberAccess | null>(async (keys) => {
    const pairs = keys
      .map((k) => k.split('|'))
      .filter(([o, u]) => UUID.test(o) && UUID.test(u ?? ''));
    if (pairs.length === 0) return keys.map(() => null);
    const rows: (AccessRow & { organization_id: string; user_id: string })[] = await inScope(
      dataSource,
      scope,
      (m) =>
        m.query(
          `SELECT m.organization_id, m.user_id, m.role, o.require_mfa, o.name
         FROM ${schema}.memberships m JOIN ${schema}.organizations o ON o.id = m.organization_id
         WHERE (m.organization_id, m.user_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[]))`,
          [pairs.map(([o]) => o), pairs.map(([, u]) => u)],
        ),
    );
    const found = new Map(rows.map((r) => [`${r.organization_id}|${r.user_id}`, accessOfRow(r)]));
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
  // One request to auth for every member a response lists (a page is at most 100, the bound of
  // auth's users(ids:)), never one per member.
  const mfaEnabled = new DataLoader<string, boolean | null>(
    async (ids) => {
      const found = await users.mfaEnabled(ids.filter((id) => UUID.test(id)));
      return ids.map((id) => found.get(id.toLowerCase()) ?? null);
    },
    { maxBatchSize: USERS_PER_LOOKUP },
  );
  const accessOf = (organizationId: string, userId: string) =>
    access.load(`${organizationId}|${userId}`);
  return {
    access,
    organization,
    mfaEnabled,
    accessOf,
    roleOf: async (organizationId, userId) =>
      (await accessOf(organizationId, userId))?.role ?? null,
  };
}

export interface AccessRow {
  role: Role;
  require_mfa: boolean;
  name: string;
}

export function accessOfRow(row: AccessRow): MemberAccess {
  return { role: row.role, requireMfa: row.require_mfa, organizationName: row.name };
}

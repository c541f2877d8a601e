import type { DataSource, EntityManager } from 'typeorm';
import type { Viewer } from '@bastion/platform';

/** The role every transaction of the service runs as: it owns nothing, so row-level security binds it. */
export const APP_ROLE = 'bastion_orgs_app';

/** Whom the database's policies see: a user (member rows only) or the service's own internal work. */
export type DbScope = { kind: 'user'; userId: string | null } | { kind: 'internal' };

export const INTERNAL: DbScope = Object.freeze({ kind: 'internal' });

/** A user reads as that user; a service (tier-checked: orgs:read) reads as internal; anonymous sees nothing. */
export function scopeOf(viewer: Viewer): DbScope {
  if (viewer.kind === 'user') return { kind: 'user', userId: viewer.userId };
  if (viewer.kind === 'service') return INTERNAL;
  return { kind: 'user', userId: null };
}

/** Switches the transaction to APP_ROLE and names the caller; both end with the transaction (SET LOCAL). */
export async function applyScope(manager: EntityManager, scope: DbScope): Promise<void> {
  await manager.query(
    `SELECT set_config('role', $1, true), set_config('bastion.user_id', $2, true), set_config('bastion.internal', $3, true)`,
    [
      APP_ROLE,
      scope.kind === 'user' ? (scope.userId ?? '') : '',
      scope.kind === 'internal' ? 'on' : 'off',
    ],
  );
}

/** One transaction in a scope. Every read and write of the orgs tables goes through here. */
export function inScope<T>(
  dataSource: DataSource,
  scope: DbScope,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(async (manager) => {
    await applyScope(manager, scope);
    return work(manager);
  });
}

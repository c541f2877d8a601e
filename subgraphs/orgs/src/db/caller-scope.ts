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

/**
 * The select list that switches to a scope, its parameters numbered from `first`
 * (`scopeParameters` gives their values). A statement that ends in it runs wholly as the role it
 * started with (privileges and row-level security are fixed when a statement starts); the
 * statements after it run as APP_ROLE.
 */
export const scopeSelect = (first: number) =>
  `set_config('role', $${first}, true), set_config('bastion.user_id', $${first + 1}, true), set_config('bastion.internal', $${first + 2}, true)`;

export const scopeParameters = (scope: DbScope): string[] => [
  APP_ROLE,
  scope.kind === 'user' ? (scope.userId ?? '') : '',
  scope.kind === 'internal' ? 'on' : 'off',
];

/** Switches the transaction to APP_ROLE and names the caller; both end with the transaction (SET LOCAL). */
export async function applyScope(manager: EntityManager, scope: DbScope): Promise<void> {
  await manager.query(`SELECT ${scopeSelect(1)}`, scopeParameters(scope));
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

import { allow, rule, type IRules } from 'graphql-shield';
import { AppError } from '../errors/app-error';
import { hasScopes, type Viewer } from '../auth/viewer';

export type TierLevel = 'PUBLIC' | 'AUTHENTICATED' | 'VERIFIED' | 'INTERNAL';

export interface TierSpec {
  level: TierLevel;
  scopes: string[];
  owner?: string;
}

interface WithViewer {
  viewer: Viewer;
  /** Users this request has just proven to be (login, register, refresh): they may read their own payload. */
  provenUserIds?: Set<string>;
}

/**
 * Decides a tier for a viewer and (for owned fields) the parent object. Returns true or the coded
 * error; shield turns a returned error into the field's error. Pure, so tests can use it too.
 */
export function checkTier(
  spec: TierSpec,
  viewer: Viewer,
  parent?: unknown,
  provenUserIds?: Set<string>,
): true | AppError {
  if (spec.owner && provenUserIds && provenUserIds.size > 0) {
    const ownerId =
      parent && typeof parent === 'object'
        ? (parent as Record<string, unknown>)[spec.owner]
        : undefined;
    if (typeof ownerId === 'string' && provenUserIds.has(ownerId)) return true;
  }
  switch (spec.level) {
    case 'PUBLIC':
      return true;
    case 'INTERNAL':
      if (viewer.kind === 'anonymous') return new AppError('UNAUTHENTICATED');
      if (viewer.kind !== 'service')
        return new AppError('FORBIDDEN', { message: 'This field is for internal services.' });
      return hasScopes(viewer, spec.scopes)
        ? true
        : new AppError('FORBIDDEN', { message: `Needs scope ${spec.scopes.join(', ')}.` });
    case 'AUTHENTICATED':
    case 'VERIFIED': {
      if (viewer.kind === 'anonymous') return new AppError('UNAUTHENTICATED');
      if (viewer.kind === 'service') {
        // Services read user-facing data only where the SDL grants them a scope for it.
        return spec.scopes.length > 0 && hasScopes(viewer, spec.scopes)
          ? true
          : new AppError('FORBIDDEN', { message: 'This field is for signed-in users.' });
      }
      if (spec.level === 'VERIFIED' && !viewer.emailVerified)
        return new AppError('EMAIL_NOT_VERIFIED');
      if (spec.owner) {
        const ownerId =
          parent && typeof parent === 'object'
            ? (parent as Record<string, unknown>)[spec.owner]
            : undefined;
        if (ownerId !== viewer.userId)
          return new AppError('FORBIDDEN', { message: 'This belongs to another user.' });
      }
      return true;
    }
  }
}

const ruleCache = new Map<string, IRules>();

/** The shield rule for a tier; rules are shared between fields with the same spec. */
export function ruleForTier(spec: TierSpec): IRules {
  if (spec.level === 'PUBLIC') return allow;
  const key = `${spec.level}|${spec.scopes.join(',')}|${spec.owner ?? ''}`;
  let cached = ruleCache.get(key);
  if (!cached) {
    // Owner rules read `parent`: a contextual cache would let one list item's answer leak to the next.
    cached = rule(`tier:${key}`, { cache: spec.owner ? 'no_cache' : 'contextual' })(
      (parent: unknown, _args: unknown, ctx: WithViewer) =>
        checkTier(spec, ctx.viewer, parent, ctx.provenUserIds),
    );
    ruleCache.set(key, cached);
  }
  return cached;
}

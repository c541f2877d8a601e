import { allow, rule, type IRules } from 'graphql-shield';
import { AppError } from '../errors/app-error';
import { hasScopes, usedMultiFactor, type UserViewer, type Viewer } from '../auth/viewer';

export type TierLevel = 'PUBLIC' | 'AUTHENTICATED' | 'VERIFIED' | 'INTERNAL';

export interface TierSpec {
  level: TierLevel;
  scopes: string[];
  owner?: string;
  /**
   * Seconds: a user passes only with an authentication at most this old, multi-factor when the
   * user has a second factor (STEP_UP_REQUIRED otherwise). Services are not asked.
   */
  stepUp?: number;
}

/** How a step-up can be done: the arguments of the `stepUp` mutation the user may use. */
export const STEP_UP_METHODS = {
  withFactor: ['TOTP', 'PASSKEY'],
  withoutFactor: ['PASSWORD', 'PASSKEY'],
} as const;

/**
 * Whether the user's session authenticated recently enough (and, for a user with a second
 * factor, with it) for an action guarded by `maxAgeSeconds`. Resolvers call it for guards that
 * depend on arguments (granting ADMIN); the tier rule calls it for `@tier(stepUp:)`.
 */
export function checkStepUp(
  viewer: UserViewer,
  maxAgeSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): true | AppError {
  const recent = viewer.authTime > 0 && nowSeconds - viewer.authTime <= maxAgeSeconds;
  if (recent && (!viewer.mfaEnrolled || usedMultiFactor(viewer))) return true;
  return new AppError('STEP_UP_REQUIRED', {
    extensions: {
      maxAge: maxAgeSeconds,
      methods: viewer.mfaEnrolled ? STEP_UP_METHODS.withFactor : STEP_UP_METHODS.withoutFactor,
    },
  });
}

/** Throws STEP_UP_REQUIRED unless checkStepUp passes. */
export function requireStepUp(viewer: UserViewer, maxAgeSeconds: number): void {
  const outcome = checkStepUp(viewer, maxAgeSeconds);
  if (outcome !== true) throw outcome;
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
      if (spec.stepUp !== undefined) return checkStepUp(viewer, spec.stepUp);
      return true;
    }
  }
}

const ruleCache = new Map<string, IRules>();

/** The shield rule for a tier; rules are shared between fields with the same spec. */
export function ruleForTier(spec: TierSpec): IRules {
  if (spec.level === 'PUBLIC') return allow;
  const key = `${spec.level}|${spec.scopes.join(',')}|${spec.owner ?? ''}|${spec.stepUp ?? ''}`;
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

import { allow, chain, rule } from 'graphql-shield';
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
  /**
   * The API-key capability (API_KEY_CAPABILITIES) that lets a request authenticated by a personal
   * key reach this field; without one, no key does (unless the field is PUBLIC).
   */
  capability?: string;
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
  if (spec.level !== 'PUBLIC' && viewer.kind === 'user' && viewer.apiKey) {
    const refused = checkKeyCapability(spec, viewer.apiKey.capabilities);
    if (refused) return refused;
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

/**
 * A key reaches a non-public field only when the field names a capability the key holds; INTERNAL
 * fields and fields without a capability (credentials, sessions, keys, deletion...) never.
 * The user's own tier and owner rules still apply after this: a key never does more than its user.
 */
function checkKeyCapability(spec: TierSpec, held: readonly string[]): AppError | null {
  if (spec.level === 'INTERNAL' || !spec.capability)
    return new AppError('FORBIDDEN', {
      message: 'API keys cannot reach this field.',
      extensions: { reason: 'KEY_CAPABILITY' },
    });
  if (!held.includes(spec.capability))
    return new AppError('FORBIDDEN', {
      message: `This API key lacks the capability ${spec.capability}.`,
      extensions: { reason: 'KEY_CAPABILITY', capability: spec.capability },
    });
  return null;
}

/**
 * An impersonation session (a viewer with an `actor`) is read-only: the permission builder puts
 * this before every Mutation field's tier, and the gateway asks it of POST /ai/stream.
 */
export function checkNotImpersonated(viewer: Viewer): true | AppError {
  if (viewer.kind === 'user' && viewer.actor)
    return new AppError('FORBIDDEN', {
      message: 'An impersonation session is read-only.',
      extensions: { reason: 'IMPERSONATION_READ_ONLY' },
    });
  return true;
}

/** The shield rule of checkNotImpersonated (the viewer alone decides it, so it caches per request). */
export const notImpersonated = rule('not-impersonated', { cache: 'contextual' })(
  (_parent: unknown, _args: unknown, ctx: WithViewer) => checkNotImpersonated(ctx.viewer),
);

/** One shield rule (graphql-shield does not export the type by name). */
export type TierRule = Parameters<typeof chain>[number];

const ruleCache = new Map<string, TierRule>();

/** The shield rule for a tier; rules are shared between fields with the same spec. */
export function ruleForTier(spec: TierSpec): TierRule {
  if (spec.level === 'PUBLIC') return allow;
  const key = `${spec.level}|${spec.scopes.join(',')}|${spec.owner ?? ''}|${spec.stepUp ?? ''}|${spec.capability ?? ''}`;
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

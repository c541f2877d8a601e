import type { Redis } from 'ioredis';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { AppError, createFlexibleLimiter, type Viewer } from '@bastion/platform';

export interface CostBudgetOptions {
  /** Points per caller per minute for users and anonymous addresses. */
  pointsPerMinute: number;
  /** Points per minute for each service token (by its id, never its display name). */
  servicePointsPerMinute: number;
  redis?: Redis;
  keyPrefix: string;
}

const WINDOW_SECONDS = 60;

// On Redis when configured: while Redis is away each instance counts on its own (a caller gains
// at most one budget per instance for the outage) instead of refusing everyone.
const limiter = (points: number, redis: Redis | undefined, keyPrefix: string) =>
  createFlexibleLimiter({ points, duration: WINDOW_SECONDS, keyPrefix, redis });

/**
 * Charges each request's estimated cost to its caller's budget for the minute: a user by `sub`, a
 * service token by its id (`tokenId`: a configured service by its entry, an issued token by its
 * hash, never by a display name another token may share; a larger budget: the platform's own
 * services call through here), anyone else by client address. Shared by every gateway instance through Redis when there is one.
 */
export class CostBudget {
  private readonly callers: ReturnType<typeof limiter>;
  private readonly services: ReturnType<typeof limiter>;

  constructor(options: CostBudgetOptions) {
    this.callers = limiter(options.pointsPerMinute, options.redis, `${options.keyPrefix}cost`);
    this.services = limiter(
      options.servicePointsPerMinute,
      options.redis,
      `${options.keyPrefix}cost-service`,
    );
  }

  /** Throws RATE_LIMITED (with `retryAfter` in seconds) once the caller's budget is spent. */
  async charge(viewer: Viewer, address: string | null, cost: number): Promise<void> {
    const [limits, key] =
      viewer.kind === 'user'
        ? [this.callers, `user:${viewer.userId}`]
        : viewer.kind === 'service'
          ? [this.services, `service:${viewer.tokenId ?? `unidentified:${viewer.name}`}`]
          : [this.callers, `address:${address ?? 'unknown'}`];
    // Every request costs at least a point: a flood of free ones (`{ __typename }`) still counts.
    const points = Math.max(1, Math.ceil(cost));
    try {
      await limits.consume(key, points);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new AppError('RATE_LIMITED', {
        message: 'The query cost budget for this minute is spent.',
        extensions: { retryAfter },
      });
    }
  }
}

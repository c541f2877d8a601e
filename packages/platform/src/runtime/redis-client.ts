import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger';

/** A Redis command that has not answered by then counts as failed; loopback answers in < 1 ms. */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;
/** How long a starting service waits for Redis before it starts degraded (see README). */
const FIRST_CONNECT_WAIT_MS = 5000;

/**
 * The one Redis client of a process. Every feature that uses Redis has a bounded fallback, so a
 * command must fail fast when Redis is away instead of queueing: no offline queue, no retries
 * per request, a command timeout. The connection itself is retried forever with backoff, so the
 * shared state returns by itself when Redis does.
 */
export async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
  });
  // One log line per outage and per recovery, not one per reconnect attempt.
  let isUp = false;
  let hasWarned = false;
  redis.on('ready', () => {
    if (hasWarned)
      logger.info('redis is back: shared limits, replay guard and revocations use it again');
    isUp = true;
    hasWarned = false;
  });
  const down = (error?: Error) => {
    isUp = false;
    if (hasWarned) return;
    hasWarned = true;
    logger.warn(
      { err: error?.message },
      'redis unavailable: features fall back per process (README "What happens when a part fails")',
    );
  };
  redis.on('error', down);
  redis.on('close', () => {
    if (isUp) down();
  });
  await waitUntilReady(redis, FIRST_CONNECT_WAIT_MS);
  return redis;
}

/** Resolves on the first `ready` or after `ms`; a service starts without Redis rather than not at all. */
function waitUntilReady(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

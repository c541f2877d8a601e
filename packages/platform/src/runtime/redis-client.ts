import { Redis, ReplyError } from 'ioredis';
import type { Logger } from '../logging/logger';

/**
 * The longest a Redis command may go unanswered (loopback answers in < 1 ms, a Redis in the same
 * network in a few). Past it the command fails and the socket is dropped (ioredis `socketTimeout`),
 * so a Redis that hangs without closing (stopped, swapping, a half-open connection) costs the
 * commands in flight one such wait; every later command fails at once until a new connection is
 * ready, and each feature uses its per-process fallback meanwhile.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 250;
/** How long a starting service waits for Redis before it starts degraded (docs/operations.md "What happens when a part fails"). */
const FIRST_CONNECT_WAIT_MS = 5000;

/** What a process knows of its Redis: read by /ready and the metrics. */
export interface RedisHealth {
  /** Whether the connection is ready (commands are sent), as of now. */
  readonly isUp: boolean;
  /** Commands that failed without an answer from Redis (timed out, or refused while it is away). */
  readonly failedCommands: number;
  /** Times Redis went from up to away. */
  readonly outages: number;
}

const health = new WeakMap<Redis, { failedCommands: number; outages: number }>();

/** The health of a client made by connectRedis (a client made elsewhere: up when ready, no counts). */
export function redisHealth(redis: Redis): RedisHealth {
  const counts = health.get(redis) ?? { failedCommands: 0, outages: 0 };
  return {
    isUp: redis.status === 'ready',
    failedCommands: counts.failedCommands,
    outages: counts.outages,
  };
}

/**
 * The one Redis client of a process. Every feature that uses Redis has a bounded fallback, so a
 * command must fail fast when Redis is away or hung instead of queueing: no offline queue, no
 * retries per request, a short command and socket timeout. The connection itself is retried
 * forever with backoff, so the shared state returns by itself when Redis does.
 */
export async function connectRedis(
  url: string,
  logger: Logger,
  options: { timeoutMs?: number } = {},
): Promise<Redis> {
  const timeoutMs = options.timeoutMs ?? REDIS_COMMAND_TIMEOUT_MS;
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    // A connection with commands unanswered this long is dropped: the hung peer costs one wait.
    socketTimeout: timeoutMs,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
  });
  const counts = { failedCommands: 0, outages: 0 };
  health.set(redis, counts);
  // Every command of every feature passes here: one that failed without Redis answering is counted.
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    const sent = send(...args) as Promise<unknown>;
    sent.catch((error: unknown) => {
      if (!(error instanceof ReplyError)) counts.failedCommands += 1;
    });
    return sent;
  }) as Redis['sendCommand'];
  // One log line per outage and per recovery, not one per reconnect attempt or per command.
  let isUp = false;
  let hasWarned = false;
  redis.on('ready', () => {
    if (hasWarned)
      logger.info('redis is back: shared limits, replay guard and revocations use it again');
    isUp = true;
    hasWarned = false;
  });
  const down = (error?: Error) => {
    if (isUp) counts.outages += 1;
    isUp = false;
    if (hasWarned) return;
    hasWarned = true;
    logger.warn(
      { err: error?.message },
      'redis unavailable: features fall back per process (docs/operations.md "What happens when a part fails")',
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

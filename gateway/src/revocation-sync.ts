import type { Logger } from '@bastion/platform';
import type { RevocationCache } from './revocation-cache';

/** Retries stay frequent: while the cache is not loaded, users are being refused. */
const MAX_RETRY_MS = 5000;

export interface RevocationSyncOptions {
  /** The safety net: a reload this often catches anything the bus lost. */
  intervalMs: number;
  /** The first retry after a failed load; doubles up to MAX_RETRY_MS. */
  retryMs: number;
  logger: Logger;
}

/**
 * Loads the cache at start, retrying in the background until auth answers, then reloads it
 * periodically. `reloadSoon` is for events that may have cost the cache something (a bus gap).
 */
export function keepRevocationsFresh(cache: RevocationCache, options: RevocationSyncOptions) {
  const { logger } = options;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let delay = options.retryMs;

  const attempt = async (): Promise<void> => {
    try {
      await cache.reload();
      delay = options.retryMs;
    } catch (error) {
      if (stopped) return;
      logger.warn({ err: error, retryInMs: delay }, 'could not load revocations from auth');
      clearTimeout(retry);
      retry = setTimeout(() => void attempt(), delay);
      retry.unref();
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  };

  const periodic = setInterval(() => void attempt(), options.intervalMs);
  periodic.unref();
  return {
    /** The first load; resolves either way, the retries go on in the background. */
    start: () => attempt(),
    reloadSoon: () => {
      if (!stopped) void attempt();
    },
    stop: () => {
      stopped = true;
      clearInterval(periodic);
      clearTimeout(retry);
    },
  };
}

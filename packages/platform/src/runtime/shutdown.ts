import type { Logger } from '../logging/logger';

const DUPLICATE_SIGNAL_MS = 300;

/**
 * Stops the process cleanly on SIGTERM or SIGINT: `stop` closes listeners (requests in flight
 * finish, bounded by `timeoutMs`), drains the outbox and closes connections; then exit 0. A
 * second signal while stopping exits at once, and a stop that hangs past twice the bound exits 1.
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  options: { logger: Logger; timeoutMs: number; duplicateWindowMs?: number },
): void {
  const { logger } = options;
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      // Ctrl-C under `npm start` arrives twice at once (from the terminal and forwarded by npm):
      // only a signal sent after the first one counts as the operator insisting.
      if (Date.now() - firstAt < (options.duplicateWindowMs ?? DUPLICATE_SIGNAL_MS)) return;
      logger.warn({ signal }, 'second signal while stopping: exiting now');
      process.exit(1);
    }
    firstAt = Date.now();
    logger.info(
      { signal, timeoutSeconds: options.timeoutMs / 1000 },
      'stopping: finishing requests in flight',
    );
    const watchdog = setTimeout(
      () => {
        logger.error('stop did not finish in time: exiting');
        process.exit(1);
      },
      options.timeoutMs * 2 + 5_000,
    );
    watchdog.unref();
    stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

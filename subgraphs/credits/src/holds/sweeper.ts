import type { DataSource } from 'typeorm';
import { schemaOf, type Logger } from '@bastion/platform';
import { expireStaleHolds, lockAccount } from '../accounts/account-lock';

export interface Sweeper {
  /** One pass now (tests, and the timer); resolves with the number of accounts swept. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Releases expired holds every `intervalMs`, so a caller that died between hold and settle never
 * keeps credits reserved. Each account is swept in its own short transaction under its row lock.
 */
export function startHoldSweeper(
  dataSource: DataSource,
  logger: Logger,
  intervalMs: number,
): Sweeper {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;

  const sweep = async (): Promise<number> => {
    const due: { user_id: string }[] = await dataSource.query(
      `SELECT DISTINCT user_id FROM ${schemaOf(dataSource)}.credit_holds WHERE status = 'ACTIVE' AND expires_at <= now() LIMIT 100`,
    );
    let swept = 0;
    for (const { user_id: userId } of due) {
      if (stopped) break;
      const freed = await dataSource.transaction(async (manager) => {
        await lockAccount(manager, userId);
        return expireStaleHolds(manager, userId);
      });
      if (freed > 0) swept += 1;
    }
    if (swept > 0) logger.debug({ accounts: swept }, 'expired holds released');
    return swept;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep()
        // A failed pass (database away) is retried on the next tick, never fatal.
        .catch((error: unknown) => {
          logger.warn({ err: error }, 'hold sweep failed');
          return 0;
        })
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, intervalMs);
    timer.unref();
  };
  schedule();

  return {
    sweep,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

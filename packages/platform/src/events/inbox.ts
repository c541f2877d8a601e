import type { DataSource, EntityManager } from 'typeorm';
import { schemaOf } from '../db/data-source';

/**
 * Applies an event at most once per consumer: the inbox row and the effect commit together, so a
 * redelivery finds the row and does nothing, and a failed effect leaves no row behind.
 * Returns whether the effect ran.
 */
export async function consumeOnce(
  dataSource: DataSource,
  consumer: string,
  event: { id: string },
  effect: (manager: EntityManager) => Promise<void>,
): Promise<boolean> {
  const schema = schemaOf(dataSource);
  return dataSource.transaction(async (manager) => {
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${schema}.inbox (consumer, event_id, handled_at) VALUES ($1, $2, now())
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, event.id],
    );
    if (rows.length === 0) return false;
    await effect(manager);
    return true;
  });
}

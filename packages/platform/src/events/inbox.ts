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
  options: ConsumeOnceOptions = {},
): Promise<boolean> {
  const schema = schemaOf(dataSource);
  const claim = `INSERT INTO ${schema}.inbox (consumer, event_id, handled_at) VALUES ($1, $2, now())
       ON CONFLICT DO NOTHING RETURNING event_id`;
  const { alongside } = options;
  return dataSource.transaction(async (manager) => {
    const rows: unknown[] = await manager.query(
      alongside ? `WITH claimed AS (\n${claim}\n) SELECT ${alongside.select} FROM claimed` : claim,
      [consumer, event.id, ...(alongside?.parameters ?? [])],
    );
    if (rows.length === 0) return false;
    await effect(manager);
    return true;
  });
}

export interface ConsumeOnceOptions {
  /**
   * A select list run in the inbox claim's own statement, only when the event is new (one
   * statement fewer per event, e.g. switching the transaction's role). Its parameters are
   * numbered from $3. The statement runs wholly as the role it started with.
   */
  alongside?: { select: string; parameters: unknown[] };
}

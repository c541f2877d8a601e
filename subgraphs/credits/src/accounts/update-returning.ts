import type { EntityManager } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/** Runs an UPDATE ... RETURNING and gives its rows (TypeORM answers [rows, count] for UPDATE). */
export async function updateReturning<T>(
  manager: EntityManager,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const result: unknown = await manager.query(
    sql.replaceAll('$schema', schemaOf(manager.connection)),
    params,
  );
  if (Array.isArray(result) && Array.isArray(result[0])) return result[0] as T[];
  return result as T[];
}

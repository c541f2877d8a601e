import type { DataSource } from 'typeorm';

/**
 * Every SQL statement a data source sends while `work` runs, whitespace collapsed, in order: the
 * statement-count tests compare it with a list written by hand from the design.
 */
export async function statementsOf(
  dataSource: DataSource,
  work: () => Promise<unknown>,
): Promise<string[]> {
  const seen: string[] = [];
  const original = dataSource.logger.logQuery.bind(dataSource.logger);
  dataSource.logger.logQuery = (query, parameters, runner) => {
    seen.push(query.replace(/\s+/g, ' ').trim());
    return original(query, parameters, runner);
  };
  try {
    await work();
  } finally {
    dataSource.logger.logQuery = original;
  }
  return seen;
}

/**
 * Whether a statement is the outbox relay's (its claim or its mark). The relay also polls on a
 * timer, so its statements can land anywhere in a captured list: tests count them apart.
 */
export function isRelayStatement(statement: string): boolean {
  return /^UPDATE \S+\.outbox SET /.test(statement);
}

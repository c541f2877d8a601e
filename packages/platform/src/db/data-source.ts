import 'reflect-metadata';
import { DataSource, type EntityManager, type MixedList, type QueryRunner } from 'typeorm';
import { SnakeNamingStrategy } from './naming-strategy';
import { POOL_ERROR_GUARD } from './pool-errors';

export interface DatabaseTimeouts {
  idleInTransactionMs: number;
  statementMs: number;
}

export interface DataSourceOptions {
  url: string;
  /** The service's own Postgres schema; every table it owns lives there. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  poolSize?: number;
  /** PostgreSQL session limits for every pooled connection (not for the embedded database). */
  timeouts?: DatabaseTimeouts;
  /** Where openDataSource reports the migrations it applied (a start-up progress line). */
  logger?: { info(details: object, message: string): void };
}

/** A TypeORM DataSource confined to one schema. Migrations are explicit; synchronize is never used. */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    extra: {
      ...POOL_ERROR_GUARD,
      max: options.poolSize ?? 5,
      connectionTimeoutMillis: 10_000,
      ...(options.timeouts
        ? {
            idle_in_transaction_session_timeout: options.timeouts.idleInTransactionMs,
            statement_timeout: options.timeouts.statementMs,
          }
        : {}),
    },
    logging: false,
  });
}

/** Connects, creates the schema if needed and applies pending migrations. */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  try {
    // Created only when missing: a service's own role (deploy/postgres/roles.sql) owns its schema
    // but may not create schemas, and Postgres checks that right even for IF NOT EXISTS.
    const [found] = await dataSource.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
      options.schema,
    ]);
    if (!found) await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    options.logger?.info(
      { schema: options.schema, applied: applied.map((migration) => migration.name) },
      applied.length > 0
        ? `${applied.length} migration(s) applied`
        : 'schema up to date, no pending migration',
    );
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unsafe SQL identifier: ${name}`);
  return `"${name}"`;
}

/**
 * A service's schema name: the service's name, plus `_<SCHEMA_SUFFIX>` when one is set (tests
 * and several deployments sharing one database). Unquoted: for configuration and TypeORM.
 */
export function schemaName(service: string, suffix?: string): string {
  return suffix ? `${service}_${suffix}` : service;
}

/** The same name quoted for raw SQL. */
export function quotedSchema(service: string, suffix?: string): string {
  return quoteIdent(schemaName(service, suffix));
}

/**
 * The quoted schema a DataSource (or a query runner's or an entity manager's) works in: the one
 * way raw SQL, migrations and tests name a service's tables (`${schemaOf(dataSource)}.users`),
 * so a suffixed schema is never missed.
 */
export function schemaOf(source: DataSource | QueryRunner | EntityManager): string {
  const dataSource = source instanceof DataSource ? source : source.connection;
  const schema = (dataSource.options as { schema?: string }).schema;
  if (!schema) throw new Error('DataSource has no schema');
  return quoteIdent(schema);
}

import {
  EVERY_TIME,
  commonConfig,
  createLogger,
  createPlatformDeps,
  deploymentProblems,
  loadConfig,
  reportStartupFailure,
  startupLogger,
  withDefaultLogFormat,
  openDataSource,
  schemaName,
  withDotEnv,
  type Env,
  type Logger,
} from '@bastion/platform';
import { z } from 'zod';
import { loadSubgraphDefinitions } from './start-platform';

let early: Logger | undefined;
let json = true;

/**
 * `npm run migrate`: applies every service's pending migrations to DATABASE_URL (or the embedded
 * PGlite under DATA_DIR) and exits, so a deployment can migrate before it starts new instances.
 * Only the storage settings are read: migrating needs no token keys.
 */
async function main(): Promise<void> {
  const env = withDefaultLogFormat(withDotEnv(process.env as Env).env);
  early = startupLogger('migrate', env);
  json = env.LOG_FORMAT !== 'pretty';
  const schema = z
    .object(commonConfig)
    .superRefine(deploymentProblems({ database: true }), EVERY_TIME);
  const config = loadConfig(schema, env);
  const logger = createLogger({
    name: 'migrate',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
  });
  // The platform's connections (embedded PGlite when DATABASE_URL is unset), without the bus.
  const deps = await createPlatformDeps(
    { ...config, NATS_URL: undefined, REDIS_URL: undefined },
    { name: 'migrate', logger },
  );
  try {
    // Every subgraph's migrations, in the order the all-in-one process starts them (the registry's).
    for (const [service, { migrations }] of await loadSubgraphDefinitions()) {
      const dataSource = await openDataSource({
        url: deps.databaseUrl,
        schema: schemaName(service, config.SCHEMA_SUFFIX),
        entities: [],
        migrations,
        logger: logger.child({ service }),
        poolSize: 1,
      });
      await dataSource.destroy();
    }
  } finally {
    await deps.close();
  }
  logger.info('every service migrated');
}

main().catch((error: unknown) => {
  reportStartupFailure(error, [], early, json);
  process.exit(1);
});

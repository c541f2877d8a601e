import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { NatsBus } from '@bastion/platform';
import { startPlatform, type PlatformOptions } from '@bastion/all-in-one';
import { testEnv, uniqueSuffix } from './env';
import { dropSchemas, withTestHandles, type TestPlatform } from './platform';

/** A platform whose data outlives a stop: `restart()` stops every service and starts them again. */
export interface RestartablePlatform {
  readonly current: TestPlatform;
  /**
   * Stops every service and starts them again. On the real stack Redis loses this platform's keys
   * meanwhile too, as compose's Redis (no persistence) does when it restarts.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * With DATABASE_URL (the real stack): PostgreSQL schemas, a NATS stream and Redis keys of this
 * file's own, kept across restarts. Without: `npm start`'s mode for real, one embedded PGlite
 * under a DATA_DIR of its own and the in-process bus, nothing shared with the suite.
 */
export async function startRestartablePlatform(
  env: Record<string, string | undefined> = {},
): Promise<RestartablePlatform> {
  const suffix = uniqueSuffix();
  const realStack = Boolean(process.env.DATABASE_URL);
  const dataDir = realStack ? undefined : mkdtempSync(join(tmpdir(), 'bastion-restart-'));
  const fullEnv = realStack
    ? testEnv(env)
    : testEnv({
        ...env,
        DATABASE_URL: undefined,
        NATS_URL: undefined,
        REDIS_URL: undefined,
        DATA_DIR: dataDir,
      });
  const options: PlatformOptions = realStack
    ? {
        ephemeralPorts: true,
        schemaSuffix: suffix,
        natsStream: `BASTION_${suffix.toUpperCase()}`,
        keyPrefix: `bastion:${suffix}:`,
      }
    : { ephemeralPorts: true };
  let current = withTestHandles(await startPlatform(fullEnv, options), suffix);
  return {
    get current() {
      return current;
    },
    async restart() {
      await current.stop();
      if (fullEnv.REDIS_URL) {
        const redis = new Redis(fullEnv.REDIS_URL);
        await deleteRedisKeys(redis, `bastion:${suffix}:`);
        redis.disconnect();
      }
      current = withTestHandles(await startPlatform(fullEnv, options), suffix);
    },
    async stop() {
      if (current.deps.bus instanceof NatsBus) await current.deps.bus.destroyStream();
      await current.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      else await dropSchemas(process.env.DATABASE_URL!, suffix);
    },
  };
}

/** Deletes this test's own Redis keys (never FLUSHALL: the server is shared by every run). */
export async function deleteRedisKeys(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) deleted += await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}

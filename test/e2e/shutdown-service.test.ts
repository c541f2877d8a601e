import { Client } from 'pg';
import { NatsBus, createLogger, schemaName } from '@bastion/platform';
import {
  eventually,
  freePort,
  registrationLoad,
  spawnMain,
  testEnv,
  uniqueSuffix,
  type Outcome,
} from '@bastion/testing';

// A service's own process on the configured database (the shared PostgreSQL, or the suite's
// embedded PGlite over the wire protocol), bus and cache.
describe('the auth service as its own process, stopped by SIGTERM under load', () => {
  const suffix = uniqueSuffix();
  const schema = `"${schemaName('auth', suffix)}"`;
  let env: Record<string, string | undefined>;

  beforeAll(() => {
    env = {
      ...process.env,
      ...testEnv(),
      LOG_LEVEL: 'warn',
      APOLLO_TELEMETRY_DISABLED: 'true',
      SHUTDOWN_TIMEOUT: '20',
      SCHEMA_SUFFIX: suffix,
      NATS_STREAM: `BASTION_${suffix.toUpperCase()}`,
      REDIS_KEY_PREFIX: `bastion:${suffix}:`,
      RATE_LIMIT_AUTH_PER_IP: '100000',
    };
  });
  afterAll(async () => {
    const client = new Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
    if (process.env.NATS_URL) {
      const bus = await NatsBus.connect({
        url: process.env.NATS_URL,
        stream: env.NATS_STREAM,
        logger: createLogger({ name: 'test', level: 'silent' }),
      });
      await bus.destroyStream();
      await bus.close();
    }
  });

  it('answers every request in flight, commits exactly what clients saw succeed, publishes its outbox and exits 0', async () => {
    const port = await freePort();
    const auth = spawnMain('subgraphs/auth/dist/main.js', { ...env, AUTH_PORT: String(port) });
    const url = `http://127.0.0.1:${port}/graphql`;
    try {
      await eventually(
        async () => expect((await fetch(url.replace('/graphql', '/ready'))).status).toBe(200),
        60_000,
      );
      const load = registrationLoad(url, {
        concurrency: 20,
        password: 'a service under load',
        prefix: `svc-${suffix}`,
      });
      await eventually(
        async () =>
          expect(load.outcomes.filter((o) => o.registered).length).toBeGreaterThanOrEqual(20),
        60_000,
      );
      const stopped = load.stop();
      auth.child.kill('SIGTERM');
      await stopped;
      const outcomes: Outcome[] = load.outcomes;
      expect(outcomes.filter((o) => o.socketError !== undefined)).toEqual([]);
      expect(await auth.exited).toBe(0);

      const client = new Client({ connectionString: env.DATABASE_URL });
      await client.connect();
      try {
        const rows = (
          await client.query<{ email: string }>(`SELECT email FROM ${schema}.users`)
        ).rows.map((r) => r.email);
        expect(new Set(rows)).toEqual(
          new Set(outcomes.filter((o) => o.registered).map((o) => o.email)),
        );
        const pending = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${schema}.outbox WHERE published_at IS NULL`,
        );
        expect(Number(pending.rows[0].n)).toBe(0);
      } finally {
        await client.end();
      }
    } finally {
      if (auth.child.exitCode === null) auth.child.kill('SIGKILL');
    }
  }, 180_000);
});

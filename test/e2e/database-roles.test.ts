import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  SUBGRAPH_NAMES,
  commonConfig,
  createPlatformDeps,
  loadConfig,
  type PlatformDeps,
  type RunningService,
} from '@bastion/platform';
import { z } from 'zod';
import { loadSubgraphDefinitions } from '@bastion/all-in-one';
import {
  PLATFORM_SETUP_MS,
  ROOT,
  startPrivatePostgres,
  testEnv,
  uniqueSuffix,
  type PrivateService,
} from '@bastion/testing';

const SERVICES = SUBGRAPH_NAMES;
// Roles are per cluster, which the embedded PGlite is not: on the shared PostgreSQL when
// DATABASE_URL is set, else on a private PostgreSQL of this file's own; psql runs the script as an
// operator would.

/** deploy/postgres/roles.sql, run in a database of its own: every service migrates and runs as its own role. */
describe('one PostgreSQL role per service schema', () => {
  const suffix = uniqueSuffix();
  const database = `bastion_roles_${suffix}`;
  let privatePostgres: PrivateService | undefined;
  let clusterUrl: string;
  const adminUrl = () => Object.assign(new URL(clusterUrl), { pathname: `/${database}` });
  const roleUrl = (service: string) => {
    const url = adminUrl();
    url.username = `${suffix}_${service}`;
    url.password = `password-of-${service}`;
    return url.toString();
  };
  const started: RunningService[] = [];
  let deps: PlatformDeps;

  beforeAll(async () => {
    if (process.env.DATABASE_URL) clusterUrl = process.env.DATABASE_URL;
    else {
      privatePostgres = await startPrivatePostgres();
      clusterUrl = privatePostgres.url;
    }
    const admin = new Client({ connectionString: clusterUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const passwords = SERVICES.flatMap((service) => [
      '-v',
      `${service}_password=password-of-${service}`,
    ]);
    execFileSync('psql', [
      '-q',
      adminUrl().toString(),
      '-v',
      `role_prefix=${suffix}_`,
      ...passwords,
      '-f',
      join(ROOT, 'deploy/postgres/roles.sql'),
    ]);
    deps = await createPlatformDeps(
      loadConfig(
        z.object(commonConfig),
        testEnv({ DATABASE_URL: adminUrl().toString(), NATS_URL: undefined, REDIS_URL: undefined }),
      ),
      { name: 'roles' },
    );
  }, 180_000); // initdb and a start of its own without DATABASE_URL, on a loaded machine

  afterAll(async () => {
    for (const service of started.reverse()) await service.stop();
    await deps?.close();
    if (privatePostgres) return privatePostgres.destroy();
    if (!clusterUrl) return;
    const admin = new Client({ connectionString: clusterUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    for (const service of SERVICES) await admin.query(`DROP ROLE IF EXISTS "${suffix}_${service}"`);
    await admin.end();
  }, PLATFORM_SETUP_MS);

  it('lets each service migrate and start in its own schema under its own role', async () => {
    const env = (service: string) => testEnv({ DATABASE_URL: roleUrl(service) });
    const own = (service: string) => ({ ...deps, databaseUrl: roleUrl(service) });
    for (const [service, definition] of await loadSubgraphDefinitions()) {
      started.push(
        await definition.start(loadConfig(definition.configSchema, env(service)), own(service), {
          port: 0,
        }),
      );
    }
    const owners = new Client({ connectionString: adminUrl().toString() });
    await owners.connect();
    const { rows } = await owners.query(
      `SELECT nspname, nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = ANY($1) ORDER BY nspname`,
      [SERVICES],
    );
    await owners.end();
    expect(rows).toEqual(
      [...SERVICES].sort().map((service) => ({ nspname: service, owner: `${suffix}_${service}` })),
    );
  });

  it('gives a role no access to another service schema, to public, or to new schemas', async () => {
    const orgs = new Client({ connectionString: roleUrl('orgs') });
    await orgs.connect();
    try {
      await expect(orgs.query('SELECT count(*) FROM auth.users')).rejects.toThrow(
        /permission denied for schema auth/,
      );
      await expect(orgs.query('SELECT count(*) FROM credits.migrations')).rejects.toThrow(
        /permission denied for schema credits/,
      );
      await expect(orgs.query('CREATE TABLE public.stolen (id int)')).rejects.toThrow(
        /permission denied for schema public/,
      );
      await expect(orgs.query('CREATE SCHEMA elsewhere')).rejects.toThrow(
        /permission denied for database/,
      );
      expect(
        (await orgs.query('SELECT count(*)::int AS n FROM orgs.migrations')).rows[0].n,
      ).toBeGreaterThan(0);
    } finally {
      await orgs.end();
    }
  });
});

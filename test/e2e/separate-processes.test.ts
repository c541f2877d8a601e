import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { DEPLOYMENT_SCHEMAS, NatsBus, createLogger, generateServiceToken, schemaName, serviceTokenEntry, SCOPES } from '@bastion/platform';
import { ROOT, eventually, freePort, postGraphQL, testEnv, uniqueEmail, uniqueSuffix } from '@bastion/testing';

/**
 * docker-compose's mode without Docker: each service built and started as its own process from
 * its own main, on the configured database, bus and cache. The grant crosses processes on either
 * bus; with Redis so does revocation.
 */
describe('every service as its own process', () => {
  const children: ChildProcess[] = [];
  const suffix = uniqueSuffix();
  const token = generateServiceToken();
  let env: Record<string, string | undefined>;
  let gatewayUrl: string;
  let internalUrl: string;

  beforeAll(async () => {
    const [auth, orgs, credits, ai, gateway, internal] = await Promise.all(Array.from({ length: 6 }, freePort));
    gatewayUrl = `http://127.0.0.1:${gateway}/graphql`;
    internalUrl = `http://127.0.0.1:${internal}/graphql`;
    env = {
      ...process.env, ...testEnv(), LOG_LEVEL: 'warn', APOLLO_TELEMETRY_DISABLED: 'true', NODE_OPTIONS: '',
      SCHEMA_SUFFIX: suffix, NATS_STREAM: `BASTION_${suffix.toUpperCase()}`, REDIS_KEY_PREFIX: `bastion:${suffix}:`,
      SERVICE_TOKENS: JSON.stringify([serviceTokenEntry('test', [...SCOPES], token)]), AUTH_SERVICE_TOKEN: token, ORGS_SERVICE_TOKEN: token,
      AUTH_PORT: String(auth), ORGS_PORT: String(orgs), CREDITS_PORT: String(credits), AI_PORT: String(ai),
      PORT: String(gateway), INTERNAL_PORT: String(internal), GATEWAY_INTERNAL_URL: internalUrl,
      AUTH_URL: `http://127.0.0.1:${auth}/graphql`, ORGS_URL: `http://127.0.0.1:${orgs}/graphql`,
      CREDITS_URL: `http://127.0.0.1:${credits}/graphql`, AI_URL: `http://127.0.0.1:${ai}/graphql`,
    };
    // Secrets per service, as in docker-compose.yml: only auth and the gateway get the access-token key.
    const { JWT_SECRET: _key, PASSWORD_PEPPER: _pepper, ...withoutTokenKeys } = env;
    for (const main of ['subgraphs/auth', 'subgraphs/orgs', 'subgraphs/credits', 'subgraphs/ai', 'gateway']) {
      const own = main === 'subgraphs/auth' || main === 'gateway' ? env : withoutTokenKeys;
      const child = spawn(process.execPath, [`${main}/dist/main.js`], { cwd: ROOT, env: own, stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(child);
    }
    await eventually(async () => {
      const ready = await fetch(gatewayUrl.replace('/graphql', '/ready'));
      expect(ready.status).toBe(200);
    }, 30_000);
  });

  afterAll(async () => {
    await Promise.all(children.map((child) => new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done(undefined); // already gone
      child.once('exit', done);
      child.kill('SIGTERM');
    })));
    const client = new Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    for (const service of DEPLOYMENT_SCHEMAS) await client.query(`DROP SCHEMA IF EXISTS "${schemaName(service, suffix)}" CASCADE`);
    await client.end();
    if (process.env.NATS_URL) {
      const bus = await NatsBus.connect({ url: process.env.NATS_URL, stream: env.NATS_STREAM, logger: createLogger({ name: 'test', level: 'silent' }) });
      await bus.destroyStream();
      await bus.close();
    }
  });

  it('registers through the gateway and reads the user back over the internal listener', async () => {
    const email = uniqueEmail('process');
    const registered = await postGraphQL<{ register: { accessToken: string; user: { id: string } } }>(gatewayUrl,
      'mutation ($e: String!) { register(input: { email: $e, password: "separate processes" }) { accessToken user { id } } }', { e: email });
    const { accessToken, user } = registered.body.data!.register;
    expect((await postGraphQL(gatewayUrl, '{ me { email } }', {}, { token: accessToken })).body.data).toEqual({ me: { email } });
    const internal = await postGraphQL(internalUrl, 'query ($id: ID!) { user(id: $id) { email } }', { id: user.id }, { headers: { 'x-service-token': token } });
    expect(internal.body.data).toEqual({ user: { email } });

    // The grant crosses processes on either bus: NATS, or the database bus without it.
    await eventually(async () => {
      const me = await postGraphQL<{ me: { credits: { balance: number } | null } }>(gatewayUrl, '{ me { credits { balance } } }', {}, { token: accessToken });
      expect(me.body.data?.me.credits?.balance).toBe(100);
    });
    if (process.env.REDIS_URL) {
      expect((await postGraphQL(gatewayUrl, 'mutation { logoutAll }', {}, { token: accessToken })).body.data).toEqual({ logoutAll: true });
      expect((await postGraphQL(gatewayUrl, '{ me { email } }', {}, { token: accessToken })).status).toBe(401);
    }
  });
});

// Starts docker-compose.yml's built services as processes of the replayed runtime directory
// (scripts/check-image.mjs) and runs register -> me through the gateway.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import YAML from 'yaml';
import { writeComposeSecrets } from './compose-secrets.mjs';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function runComposeServices({
  composeFile,
  runtime,
  secretsDir,
  suffix,
  healthcheck,
  log,
}) {
  const compose = YAML.parse(readFileSync(composeFile, 'utf8'), { merge: true });
  // Every service's database URL points at this machine's server (compose's roles are tested by
  // test/e2e/database-roles.test.ts); the rest of the secrets are generated as for compose.
  writeComposeSecrets({ dir: secretsDir, databaseUrl: DATABASE_URL });
  const built = Object.entries(compose.services).filter(([, s]) => s.build);
  const ports = await allocatePorts(built);
  const children = [];
  const envs = {};
  try {
    for (const [name, service] of built) {
      envs[name] = serviceEnv(name, service, { ports, secretsDir, suffix });
      const [program, ...args] = service.command;
      if (program !== 'node')
        throw new Error(`${name}: command must run node directly, not ${program}`);
      log(`${name}: node ${args.join(' ')}`);
      const child = spawn(process.execPath, args, {
        cwd: runtime,
        env: envs[name],
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr
        .setEncoding('utf8')
        .on('data', (chunk) => process.stderr.write(`[${name}] ${chunk}`));
      child.exited = new Promise((done) =>
        child.once('exit', (code, signal) => done({ code, signal })),
      );
      children.push({ name, child });
    }
    const gatewayUrl = `http://127.0.0.1:${ports.get('gateway:4000')}/graphql`;
    await eventually(async () => {
      const down = children.find(({ child }) => child.exitCode !== null);
      if (down)
        throw Object.assign(new Error(`${down.name} exited with ${down.child.exitCode}`), {
          fatal: true,
        });
      const ready = await fetch(gatewayUrl.replace('/graphql', '/ready'));
      if (ready.status !== 200)
        throw new Error(`gateway /ready answered ${ready.status}: ${await ready.text()}`);
    }, 90_000);
    for (const [name] of built) {
      const [program, ...args] = healthcheck;
      const probe = spawnSync(program === 'node' ? process.execPath : program, args, {
        cwd: runtime,
        env: envs[name],
      });
      if (probe.status !== 0) throw new Error(`${name}: the image's HEALTHCHECK failed`);
    }
    log('every container healthcheck passes; register -> me through the gateway');
    await registerAndReadBack(gatewayUrl);
  } finally {
    const exits = await Promise.all(
      children.map(async ({ name, child }) => {
        if (child.exitCode === null) child.kill('SIGTERM');
        return { name, ...(await child.exited) };
      }),
    );
    await cleanUp(runtime, suffix).catch((error) => console.error(`cleanup: ${error.message}`));
    const unclean = exits.filter((e) => e.code !== 0);
    if (unclean.length > 0)
      throw new Error(
        `not a clean stop on SIGTERM: ${unclean.map((e) => `${e.name} ${e.code ?? e.signal}`).join(', ')}`,
      );
  }
  log('every service stopped cleanly on SIGTERM');
}

/** A free port for each port variable a built service declares, keyed `service:composePort`. */
async function allocatePorts(built) {
  const ports = new Map();
  for (const [name, service] of built) {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (/(^|_)PORT$/.test(key) && /^\d+$/.test(String(value)))
        ports.set(`${name}:${value}`, await freePort());
    }
  }
  return ports;
}

/** Compose's environment for one service, moved onto this machine. */
function serviceEnv(name, service, { ports, secretsDir, suffix }) {
  const declared = new Set(service.secrets ?? []);
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [key, raw] of Object.entries(service.environment ?? {})) {
    // ${NAME:-default}: the defaults, not this machine's environment, so the check is repeatable.
    let value = String(raw).replace(/\$\{\w+:-([^}]*)\}/g, '$1');
    if (/(^|_)PORT$/.test(key) && ports.has(`${name}:${value}`))
      value = String(ports.get(`${name}:${value}`));
    value = value.replace(/\/\/([a-z][\w-]*):(\d+)/g, (match, host, port) =>
      ports.has(`${host}:${port}`) ? `//127.0.0.1:${ports.get(`${host}:${port}`)}` : match,
    );
    const secret = /^\/run\/secrets\/(.+)$/.exec(value);
    if (secret) {
      if (!declared.has(secret[1]))
        throw new Error(
          `${name}: ${key} reads secret ${secret[1]}, which the service does not list`,
        );
      value = join(secretsDir, secret[1]);
    }
    env[key] = value;
  }
  return {
    ...env,
    HOST: '127.0.0.1',
    ...(env.INTERNAL_HOST ? { INTERNAL_HOST: '127.0.0.1' } : {}),
    NATS_URL,
    REDIS_URL,
    SCHEMA_SUFFIX: suffix,
    NATS_STREAM: `BASTION_${suffix.toUpperCase()}`,
    REDIS_KEY_PREFIX: `bastion:${suffix}:`,
  };
}

async function registerAndReadBack(gatewayUrl) {
  const email = `image-${Date.now()}@example.com`;
  const post = async (query, token) => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      body: JSON.stringify({ query }),
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    return response.json();
  };
  const registered = await post(
    `mutation { register(input: { email: "${email}", password: "an image check passphrase" }) { accessToken } }`,
  );
  const token = registered.data?.register?.accessToken;
  if (!token) throw new Error(`register failed: ${JSON.stringify(registered.errors)}`);
  // The sign-up grant crosses auth -> NATS -> credits, so `me` shows it once the event arrived.
  await eventually(async () => {
    const me = await post('{ me { email credits { balance } } }', token);
    if (me.data?.me?.email !== email || me.data.me.credits?.balance !== 100)
      throw new Error(`me answered ${JSON.stringify(me)}`);
  }, 30_000);
  console.log(`registered ${email}; me shows the email and 100 credits`);
}

/** Drops this run's schemas, NATS stream and Redis keys, with the runtime's own clients. */
async function cleanUp(runtime, suffix) {
  const require = createRequire(join(runtime, 'package.json'));
  const { Client } = require('pg');
  const platform = require('@bastion/platform');
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  for (const service of platform.DEPLOYMENT_SCHEMAS)
    await client.query(`DROP SCHEMA IF EXISTS ${platform.quotedSchema(service, suffix)} CASCADE`);
  await client.end();
  const bus = await platform.NatsBus.connect({
    url: NATS_URL,
    stream: `BASTION_${suffix.toUpperCase()}`,
    logger: platform.createLogger({ name: 'check', level: 'silent' }),
  });
  await bus.destroyStream();
  await bus.close();
  const Redis = require('ioredis');
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`bastion:${suffix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

async function eventually(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (error.fatal || Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 250));
    }
  }
}

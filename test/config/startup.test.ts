import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, withDotEnv } from '@bastion/platform';
import { loadAllConfigs, loadSubgraphDefinitions } from '@bastion/all-in-one';
import { ROOT, dropSchemas, platformPorts, testEnv, uniqueSuffix } from '@bastion/testing';

/** Runs a built main in an empty working directory (no .env, its own DATA_DIR) until it exits. */
function runMain(
  main: string,
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'bastion-start-'));
  const child = spawn(process.execPath, [join(ROOT, main)], {
    cwd,
    env: { PATH: process.env.PATH, APOLLO_TELEMETRY_DISABLED: 'true', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((done) => child.once('exit', (code) => done({ code, stderr })));
}

let definitions: Awaited<ReturnType<typeof loadSubgraphDefinitions>>;
beforeAll(async () => {
  definitions = await loadSubgraphDefinitions();
});

const problemsOf = (env: Record<string, string>) => {
  try {
    loadAllConfigs(env, definitions);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.split(':')[0]);
    throw error;
  }
};

// What production requires, written out here from the issue, not read from the schemas.
const PRODUCTION_SECRETS = [
  'JWT_SECRET',
  'PASSWORD_PEPPER',
  'REFRESH_TOKEN_SECRET',
  'INTERNAL_CLAIMS_SECRET',
  'AUDIT_CHAIN_KEY',
  'MFA_ENCRYPTION_KEY',
  'WEBHOOKS_ENCRYPTION_KEY',
];
const SECRETS = {
  NODE_ENV: 'production',
  JWT_SECRET: 'j'.repeat(40),
  PASSWORD_PEPPER: 'p'.repeat(40),
  REFRESH_TOKEN_SECRET: 'r'.repeat(40),
  INTERNAL_CLAIMS_SECRET: 'c'.repeat(40),
  AUDIT_CHAIN_KEY: 'a'.repeat(40),
  MFA_ENCRYPTION_KEY: 'm'.repeat(40),
  WEBHOOKS_ENCRYPTION_KEY: 'w'.repeat(40),
};

describe('production start-up: every problem at once', () => {
  it('lists the secrets and the database in one readable message, no stack trace', async () => {
    const { code, stderr } = await runMain('all-in-one/dist/main.js', {
      NODE_ENV: 'production',
      INSTANCES: '2',
    });
    expect(code).toBe(1);
    for (const name of [...PRODUCTION_SECRETS, 'DATABASE_URL', 'REDIS_URL'])
      expect(stderr).toMatch(new RegExp(`^  - ${name}: `, 'm'));
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('accepts the embedded database only with ALLOW_EMBEDDED=true, and one instance without Redis', () => {
    expect(problemsOf(SECRETS)).toEqual(['DATABASE_URL']);
    expect(problemsOf({ ...SECRETS, ALLOW_EMBEDDED: 'true' })).toEqual([]);
    expect(problemsOf({ ...SECRETS, DATABASE_URL: 'postgres://db.example/bastion' })).toEqual([]);
    expect(problemsOf({ ...SECRETS, ALLOW_EMBEDDED: 'true', INSTANCES: '3' })).toEqual([
      'REDIS_URL',
    ]);
    expect(
      problemsOf({
        ...SECRETS,
        ALLOW_EMBEDDED: 'true',
        INSTANCES: '3',
        REDIS_URL: 'redis://cache.example',
      }),
    ).toEqual([]);
    expect(problemsOf({ NODE_ENV: 'development', JWT_SECRET: 'j'.repeat(40) })).toEqual([]);
  });

  it('a separately started gateway also asks for the service tokens list', async () => {
    const { code, stderr } = await runMain('gateway/dist/main.js', { NODE_ENV: 'production' });
    expect(code).toBe(1);
    for (const name of ['JWT_SECRET', 'INTERNAL_CLAIMS_SECRET', 'SERVICE_TOKENS'])
      expect(stderr).toMatch(new RegExp(`^  - ${name}: `, 'm'));
    expect(stderr).not.toMatch(/DATABASE_URL/);
  });

  it('a separately started auth asks for its service token, its own claims key and its database', async () => {
    const { INTERNAL_CLAIMS_SECRET: _master, ...own } = SECRETS;
    const { stderr } = await runMain('subgraphs/auth/dist/main.js', own);
    expect(stderr).toMatch(/^ {2}- AUTH_SERVICE_TOKEN: /m);
    expect(stderr).toMatch(/^ {2}- AUTH_CLAIMS_KEY: /m);
    expect(stderr).toMatch(/^ {2}- DATABASE_URL: /m);
  });

  it("a separately started subgraph refuses the gateway's claims master in production", async () => {
    const { code, stderr } = await runMain('subgraphs/credits/dist/main.js', { ...SECRETS });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^ {2}- INTERNAL_CLAIMS_SECRET: the gateway's master key, never a subgraph's; give credits only CREDITS_CLAIMS_KEY/m,
    );
  });
});

describe('a busy port', () => {
  let held: Server;
  let port: number;
  const suffix = uniqueSuffix();
  beforeAll(async () => {
    held = createServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    port = (held.address() as { port: number }).port;
  });
  afterAll(async () => {
    held.close();
    const env = testEnv();
    if (env.DATABASE_URL) await dropSchemas(env.DATABASE_URL, suffix);
  });

  it('ends the start with one line naming the port and its variable', async () => {
    const { code, stderr } = await runMain('all-in-one/dist/main.js', {
      ...testEnv(),
      SCHEMA_SUFFIX: suffix,
      NATS_URL: undefined,
      LOG_LEVEL: 'silent',
      ...(await platformPorts()),
      AUTH_PORT: String(port),
    });
    expect(code).toBe(1);
    const lines = stderr
      .trim()
      .split('\n')
      .filter((line) => !line.includes('unset: using development'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`port ${port}`);
    expect(lines[0]).toContain('AUTH_PORT');
  });
});

describe('.env', () => {
  it('adds its settings and never overrides a variable already set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-dotenv-'));
    const file = join(dir, '.env');
    writeFileSync(
      file,
      'PORT=5000            # a comment\nLOG_LEVEL=debug\nMAIL_FROM="Bastion <no-reply@localhost>"\n',
    );
    const { env, loaded } = withDotEnv({ LOG_LEVEL: 'warn', OTHER: 'x' }, file);
    expect(env).toEqual({
      PORT: '5000',
      LOG_LEVEL: 'warn',
      OTHER: 'x',
      MAIL_FROM: 'Bastion <no-reply@localhost>',
    });
    expect(loaded.sort()).toEqual(['MAIL_FROM', 'PORT']);
    expect(withDotEnv({ A: '1' }, join(dir, 'missing.env'))).toEqual({
      env: { A: '1' },
      loaded: [],
    });
  });
});

import { spawn } from 'node:child_process';
import { SUBGRAPH_NAMES, createLogger } from '@bastion/platform';
import { startPlatform } from '@bastion/all-in-one';
import { PLATFORM_SETUP_MS, ROOT, dropSchemas, testEnv, uniqueSuffix } from '@bastion/testing';

const SERVICES = SUBGRAPH_NAMES;

/** `npm run migrate` on a fresh schema suffix, then a start that finds nothing left to apply. */
describe('npm run migrate', () => {
  const suffix = uniqueSuffix();
  const env = testEnv({
    SCHEMA_SUFFIX: suffix,
    NATS_URL: undefined,
    REDIS_URL: undefined,
    LOG_LEVEL: 'info',
  });
  afterAll(() => dropSchemas(env.DATABASE_URL!, suffix), PLATFORM_SETUP_MS);

  it('applies every service migration and exits; the next start applies none', async () => {
    const child = spawn(process.execPath, ['all-in-one/dist/migrate.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const code = await new Promise((done) => child.once('exit', done));
    expect({ code, out }).toMatchObject({ code: 0 });
    const migrated = out
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { service?: string; applied?: string[] });
    for (const service of SERVICES) {
      expect(migrated.find((line) => line.service === service)?.applied?.length).toBeGreaterThan(0);
    }

    const lines: { service?: string; applied?: string[]; msg?: string }[] = [];
    const logger = createLogger(
      { name: 'bastion', level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line)) },
    );
    const platform = await startPlatform(env, {
      ephemeralPorts: true,
      schemaSuffix: suffix,
      logger,
    });
    await platform.stop();
    for (const service of SERVICES) {
      expect(lines.find((line) => line.service === service && line.applied)).toMatchObject({
        applied: [],
      });
    }
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDefaultLogFormat } from '@bastion/platform';
import {
  ROOT,
  dropSchemas,
  eventually,
  platformPorts,
  testEnv,
  uniqueSuffix,
} from '@bastion/testing';

/**
 * What `npm start` writes when its output is not a terminal (a container, a pipe, a log collector):
 * JSON lines only on stdout, the "running" summary as one record; a failed start also leaves a
 * fatal record there, besides the readable list on stderr. LOG_FORMAT=pretty is the terminal's.
 */
interface Run {
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
  kill: () => void;
}

function startMain(env: Record<string, string | undefined>): Run {
  const cwd = mkdtempSync(join(tmpdir(), 'bastion-logs-'));
  const child = spawn(process.execPath, [join(ROOT, 'all-in-one/dist/main.js')], {
    cwd,
    env: {
      PATH: process.env.PATH,
      APOLLO_TELEMETRY_DISABLED: 'true',
      DATA_DIR: join(cwd, 'data'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    stdout: '',
    stderr: '',
    exited: new Promise((done) => child.once('exit', (code) => done(code))),
    kill: () => child.kill('SIGTERM'),
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  return run;
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('log output of npm start', () => {
  const suffix = uniqueSuffix();
  afterAll(async () => {
    const env = testEnv();
    if (env.DATABASE_URL) await dropSchemas(env.DATABASE_URL, suffix);
  });

  it('writes only JSON lines to a pipe, the running summary among them', async () => {
    const ports = await platformPorts();
    const run = startMain({
      ...testEnv(),
      SCHEMA_SUFFIX: suffix,
      LOG_LEVEL: 'info',
      LOG_FORMAT: undefined,
      ...ports,
    });
    try {
      const summary = await eventually(async () => {
        const found = jsonLines(run.stdout.slice(0, run.stdout.lastIndexOf('\n') + 1)).find(
          (r) => r.msg === 'Bastion is running',
        );
        if (!found) throw new Error(`no summary yet:\n${run.stdout.slice(-2000)}\n${run.stderr}`);
        return found;
      }, 90_000);
      expect(summary.graphql).toBe(`http://127.0.0.1:${ports.PORT}/graphql`);
      expect(summary.internal).toBe(`http://127.0.0.1:${ports.INTERNAL_PORT}/graphql`);
      expect(summary.health).toBe(`http://127.0.0.1:${ports.PORT}/health`);
      expect(summary.explorer).toBe('graphiql');
      // CONSOLE unset outside production: the console is on, and the summary names it.
      expect(summary.console).toBe(`http://127.0.0.1:${ports.PORT}/console/`);
      expect(typeof summary.developmentServiceToken).toBe('string');
      // The token it names is accepted by the internal listener.
      const response = await fetch(`http://127.0.0.1:${ports.INTERNAL_PORT}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-service-token': summary.developmentServiceToken as string,
        },
        body: JSON.stringify({ query: '{ aiModels { id } }' }),
      });
      expect(response.status).toBe(200);
    } finally {
      run.kill();
      await run.exited;
    }
    // Every line, start to stop, parses as JSON: nothing plain is mixed in.
    expect(() => jsonLines(run.stdout)).not.toThrow();
    expect(jsonLines(run.stdout).some((r) => r.msg === 'Bastion is running')).toBe(true);
  });

  it('a failed start: the readable list on stderr and one fatal JSON record on stdout', async () => {
    const run = startMain({ NODE_ENV: 'production' });
    expect(await run.exited).toBe(1);
    expect(run.stderr).toMatch(/^ {2}- JWT_SECRET: /m);
    const records = jsonLines(run.stdout);
    const fatal = records.filter((r) => r.level === 60);
    expect(fatal).toHaveLength(1);
    expect(fatal[0].msg).toBe('cannot start');
    expect(fatal[0].problem).toMatch(/JWT_SECRET/);
  });
});

describe('LOG_FORMAT default', () => {
  const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  const setTty = (value: boolean) =>
    Object.defineProperty(process.stdout, 'isTTY', { value, configurable: true });
  afterEach(() => {
    if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
  });

  // Written out by hand: terminal and not production -> pretty; anything else -> unchanged.
  it.each([
    [true, {}, 'pretty'],
    [true, { NODE_ENV: 'development' }, 'pretty'],
    [true, { NODE_ENV: 'production' }, undefined],
    [true, { LOG_FORMAT: 'json' }, 'json'],
    [false, {}, undefined],
    [false, { LOG_FORMAT: 'pretty' }, 'pretty'],
  ] as const)('terminal %s, env %j -> %s', (isTty, env, expected) => {
    setTty(isTty);
    expect(withDefaultLogFormat({ ...env }).LOG_FORMAT).toBe(expected);
  });
});

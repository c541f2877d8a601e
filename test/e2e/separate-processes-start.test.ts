import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { SUBGRAPHS } from '@bastion/platform';
import {
  CHILD_READY_MS,
  PLATFORM_SETUP_MS,
  ROOT,
  dropRunState,
  eventually,
  platformPorts,
  postGraphQL,
  testEnv,
  uniqueEmail,
  uniqueSuffix,
} from '@bastion/testing';

/**
 * A copy of the repository with its own workspaces and no dist/: node_modules is a directory of
 * links to this checkout's packages, except @bastion/*, which link to the copy's own workspaces
 * (so the copy's builds are what its processes load, and this checkout's dist/, which other test
 * files use meanwhile, is never touched).
 */
function copyOfRepository(): string {
  const copy = mkdtempSync(join(tmpdir(), 'bastion-start-'));
  const skipped = new Set(['node_modules', 'dist', '.git', 'coverage']);
  cpSync(ROOT, copy, {
    recursive: true,
    filter: (path) => {
      const rel = relative(ROOT, path);
      return !skipped.has(basename(path)) && rel !== 'data' && !rel.startsWith('.build.lock');
    },
  });
  mkdirSync(join(copy, 'node_modules/@bastion'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry === '@bastion' || entry === '.cache') continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(copy, 'node_modules', entry));
  }
  const workspaces: Record<string, string> = {
    platform: 'packages/platform',
    'all-in-one': 'all-in-one',
    gateway: 'gateway',
    schema: 'schema',
    bench: 'bench',
    ...Object.fromEntries(SUBGRAPHS.map((s) => [s.name, s.folder])),
  };
  for (const [name, folder] of Object.entries(workspaces)) {
    symlinkSync(join(copy, folder), join(copy, 'node_modules/@bastion', name));
    // Dependencies npm installed inside a workspace (a version other than the root's).
    try {
      symlinkSync(join(ROOT, folder, 'node_modules'), join(copy, folder, 'node_modules'));
    } catch {
      // none
    }
  }
  return copy;
}

interface Start {
  child: ChildProcess;
  output(): string;
}

/** `npm run <script> [-- args]` in `cwd`, in a process group of its own (npm, sh and node stop together). */
function npmRun(
  cwd: string,
  script: string,
  env: Record<string, string | undefined>,
  args: string[] = [],
): Start {
  const child = spawn('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], {
    cwd,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return { child, output: () => output };
}

async function stopAll(starts: readonly Start[]): Promise<void> {
  await Promise.all(
    starts.map(
      ({ child }) =>
        new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done(undefined);
          child.once('exit', done);
          try {
            process.kill(-child.pid!, 'SIGTERM');
          } catch {
            done(undefined);
          }
        }),
    ),
  );
}

const buildLines = (output: string) =>
  output.split('\n').filter((line) => line.startsWith('build: '));

const stamps = (copy: string) =>
  [...SUBGRAPHS.map((s) => s.folder), 'gateway', 'packages/platform'].map((folder) =>
    readFileSync(join(copy, folder, 'dist/.build-stamp.json'), 'utf8'),
  );

/**
 * The separate processes of docs/operations.md "Running: one process or many", started the way a
 * developer or a process manager does: every `npm run start:*` at the same moment, from a checkout
 * without dist/. One of them builds, the others wait for that build and load it; none deletes
 * files from under another. A later start with unchanged sources builds nothing.
 */
describe('the gateway and every subgraph started at the same moment from a clean checkout', () => {
  const copy = copyOfRepository();
  const suffix = uniqueSuffix();
  const starts: Start[] = [];
  let env: Record<string, string | undefined>;
  let ports: Record<string, string>;

  const healthy = async (port: string) => {
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    ports = await platformPorts();
    // Development mode as in docs/operations.md: nothing configured but the storage.
    const { JWT_SECRET: _key, INTERNAL_CLAIMS_SECRET: _claims, ...storage } = testEnv();
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...storage,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATA_DIR: join(copy, 'data'),
      APOLLO_TELEMETRY_DISABLED: 'true',
      NODE_OPTIONS: '',
      npm_config_update_notifier: 'false',
      SCHEMA_SUFFIX: suffix,
      NATS_STREAM: `BASTION_${suffix.toUpperCase()}`,
      REDIS_KEY_PREFIX: `bastion:${suffix}:`,
      ...ports,
      GATEWAY_INTERNAL_URL: `http://127.0.0.1:${ports.INTERNAL_PORT}/graphql`,
    };
    // Each subgraph as a registry entry alone gets it (docs/development.md "Adding a subgraph"):
    // `npm run start:service -- <name>`, of which `start:auth` etc. are shorthands.
    starts.push(npmRun(copy, 'start:gateway', env));
    for (const entry of SUBGRAPHS) starts.push(npmRun(copy, 'start:service', env, [entry.name]));
    // Five builds-then-starts at once on a loaded 2-core machine.
    await eventually(async () => {
      for (const { child, output } of starts)
        if (child.exitCode !== null) throw new Error(`a start exited:\n${output()}`);
      for (const entry of SUBGRAPHS) await healthy(ports[entry.portVar]!);
      const ready = await fetch(`http://127.0.0.1:${ports.PORT}/ready`);
      expect(ready.status).toBe(200);
    }, 240_000);
  }, 300_000);

  afterAll(async () => {
    await stopAll(starts);
    if (env) await dropRunState(env, suffix);
    rmSync(copy, { recursive: true, force: true });
  }, PLATFORM_SETUP_MS);

  it('all come up, exactly one of them built, and the platform answers', async () => {
    for (const { child, output } of starts) {
      expect({ running: child.exitCode === null, output: output() }).toEqual({
        running: true,
        output: expect.not.stringMatching(/ENOENT|ENOTEMPTY|Cannot find module/),
      });
    }
    const lines = starts.map(({ output }) => buildLines(output()));
    expect(lines.filter((l) => l.some((line) => line.startsWith('build: built '))).length).toBe(1);
    // The builder's last line is the console's build (it follows the workspaces'), the others' "up to date".
    for (const l of lines)
      expect(l.at(-1)).toMatch(/^build: (built \d+ files|built the console|up to date)/);

    const email = uniqueEmail('startall');
    const registered = await postGraphQL<{ register: { accessToken: string } }>(
      `http://127.0.0.1:${ports.PORT}/graphql`,
      'mutation ($e: String!) { register(input: { email: $e, password: "separate processes" }) { accessToken } }',
      { e: email },
    );
    const { accessToken } = registered.body.data!.register;
    expect(
      (
        await postGraphQL(
          `http://127.0.0.1:${ports.PORT}/graphql`,
          '{ me { email } }',
          {},
          { token: accessToken },
        )
      ).body.data,
    ).toEqual({ me: { email } });
  });

  it(
    'a second start with unchanged sources builds nothing',
    async () => {
      const before = stamps(copy);
      const auth = SUBGRAPHS.find((s) => s.name === 'auth')!;
      await stopAll(starts.filter((_, i) => i === 1 + SUBGRAPHS.indexOf(auth)));
      // Its port closed: what answers next is the new process.
      await eventually(async () => {
        await expect(fetch(`http://127.0.0.1:${ports[auth.portVar]}/health`)).rejects.toThrow();
      }, 60_000);
      const again = npmRun(copy, `start:${auth.name}`, env);
      starts.push(again);
      await eventually(async () => {
        if (again.child.exitCode !== null) throw new Error(`the start exited:\n${again.output()}`);
        await healthy(ports[auth.portVar]!);
      }, CHILD_READY_MS);
      expect(buildLines(again.output())).toEqual(['build: up to date']);
      expect(stamps(copy)).toEqual(before);
    },
    PLATFORM_SETUP_MS,
  ); // stops and restarts a service

  it('takes over the lock of a build that died, rebuilds only what changed and removes what no source produces', () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // exited: its pid names no process
    writeFileSync(join(copy, '.build.lock'), JSON.stringify({ pid: dead, since: 'then' }));
    writeFileSync(join(copy, 'gateway/dist/Removed.js'), 'module.exports = "stale";\n');
    appendFileSync(join(copy, 'gateway/src/main.ts'), '\n// changed\n');
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
      cwd: copy,
      encoding: 'utf8',
    });
    expect([build.status, build.stderr]).toEqual([0, '']);
    expect(buildLines(build.stdout)).toEqual([
      `build: taking over the lock of process ${dead}, which is gone`,
      expect.stringMatching(/^build: built \d+ files in gateway$/),
    ]);
    expect(existsSync(join(copy, 'gateway/dist/Removed.js'))).toBe(false);
    expect(existsSync(join(copy, 'gateway/dist/main.js'))).toBe(true);
    expect(existsSync(join(copy, '.build.lock'))).toBe(false);
  });

  it('waits while a live process holds the lock, then builds what changed', async () => {
    // This jest worker stands for a start that is building.
    writeFileSync(join(copy, '.build.lock'), JSON.stringify({ pid: process.pid, since: 'now' }));
    appendFileSync(join(copy, 'gateway/src/main.ts'), '\n// changed again\n');
    const waiting = spawn(process.execPath, ['scripts/build.mjs'], { cwd: copy });
    let output = '';
    waiting.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((done) => waiting.once('exit', done));
    await eventually(
      async () => expect(output).toContain('build: waiting for the build of process'),
      60_000,
    );
    expect(waiting.exitCode).toBeNull();
    rmSync(join(copy, '.build.lock')); // the holder is done
    expect(await exited).toBe(0);
    expect(buildLines(output)).toEqual([
      `build: waiting for the build of process ${process.pid}`,
      expect.stringMatching(/^build: built \d+ files in gateway$/),
    ]);
  });
});

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { LoadResult, LoadSpec } from './loadgen';
import { profileMarkdown, summarise, type ProfileSummary } from './profile-summary';
import {
  HIVE_GATEWAY_DEDUPLICATING_PORT,
  HIVE_GATEWAY_PORT,
  PRODUCT_MAIN,
  REPO_ROOT,
  STOCK_GATEWAY_PORT,
  portEnv,
  urlOf,
} from './services';

/**
 * `npm run bench`: the product (`npm start`'s process) on one core, the load generator
 * (autocannon, loadgen.ts) in its own process on the other, scenarios round-robin over
 * repetitions, medians and same-repetition ratios to bench/REPORT.md and bench/report.json.
 * Then the product is restarted with SUBGRAPH_TRANSPORT=http and the gateway/peer scenarios run again.
 * Knobs: BENCH_MODES (embedded,services), BENCH_REPS, BENCH_DURATION, BENCH_CONNECTIONS,
 * BENCH_SOAK_SECONDS, BENCH_SPEND_SECONDS (pgbench), BENCH_SPENDS_PER_CONNECTION, BENCH_COLD=0, BENCH_SCENARIOS, BENCH_PROFILE, BENCH_DATABASE, BENCH_BASE_PORT,
 * BENCH_NODE_FLAGS, BENCH_HEAP_SNAPSHOTS. No test asserts a time.
 */

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const REPS = num('BENCH_REPS', 3);
const DURATION = num('BENCH_DURATION', 10);
const CONNECTIONS = num('BENCH_CONNECTIONS', 10);
const SOAK_SECONDS = num('BENCH_SOAK_SECONDS', 60);
const SPEND_SECONDS = num('BENCH_SPEND_SECONDS', 5);
/**
 * Spends per connection: a fixed count, so every spend is answered and counted before the balance
 * is read. 20 (2,000 spends on 100 connections), after a warm-up of 2 per connection: with 5 and
 * no warm-up, opening 100 connections and the first plan of the spend's document were a third of
 * the product's CPU per spend (4,600 µs against 3,060 warmed, docs/performance.md "Spends"),
 * while pgbench is measured over seconds of steady state.
 */
const SPENDS_PER_CONNECTION = num('BENCH_SPENDS_PER_CONNECTION', 20);
const SPEND_WARMUP_PER_CONNECTION = 2;
const SPEND_CONNECTIONS = num('BENCH_SPEND_CONNECTIONS', 100);
const PGBENCH_CLIENTS = num('BENCH_PGBENCH_CLIENTS', 10);
const LOGIN_USERS = 10;
/** Set: the product runs under --cpu-prof and the report gets a per-request profile of each scenario. */
const PROFILE = process.env.BENCH_PROFILE === '1';
/**
 * A directory: the product writes a V8 heap snapshot there after start and after the soak
 * (SIGUSR2; a snapshot collects garbage first, so it holds only what is retained), for
 * bench/src/heap-summary.ts. Development runs only: a snapshot stops the process for seconds.
 */
/** Extra node/V8 flags for the product (BENCH_NODE_FLAGS, space-separated), to measure them. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const HEAP_SNAPSHOTS = process.env.BENCH_HEAP_SNAPSHOTS
  ? resolve(process.env.BENCH_HEAP_SNAPSHOTS)
  : undefined;
const MODES = (process.env.BENCH_MODES ?? 'embedded,services')
  .split(',')
  .map((m) => m.trim())
  .filter(Boolean) as Mode[];
const DATABASE_HOST = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
// BENCH_DATABASE and BENCH_BASE_PORT (services.ts) let two benches share the machine and the PostgreSQL server.
const BENCH_DATABASE = process.env.BENCH_DATABASE ?? 'bastion_bench';

type Mode = 'embedded' | 'services';

const TWO_CORES = cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
/** The product and its peers (stock gateway, raw argon2, PGlite for pgbench) on core 0; generators on core 1. */
const pinned = (core: 0 | 1, command: string[]) =>
  TWO_CORES ? ['taskset', '-c', String(core), ...command] : command;

const log = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const median = (values: number[]) => {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const secrets = {
  JWT_SECRET: randomBytes(32).toString('hex'),
  INTERNAL_CLAIMS_SECRET: randomBytes(32).toString('hex'),
  REFRESH_TOKEN_SECRET: randomBytes(32).toString('hex'),
  MFA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  WEBHOOKS_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  PASSWORD_PEPPER: randomBytes(16).toString('hex'),
  AUDIT_CHAIN_KEY: randomBytes(32).toString('hex'),
};
// The product's service-token format (bst_ + 256 bits), so the gateway takes it for one.
const SERVICE_TOKEN = `bst_${randomBytes(32).toString('base64url')}`;

/** How the product's gateway reaches its co-located subgraphs (SUBGRAPH_TRANSPORT). */
type Transport = 'in-process' | 'http';

function productEnv(mode: Mode, dataDir: string, transport: Transport): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SUBGRAPH_TRANSPORT: transport,
    // As `npm start` and the image run it (docs/operations.md "Start time").
    MALLOC_MMAP_THRESHOLD_: '4194304',
    NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '--max-old-space-size=256',
    ...portEnv(),
    ...secrets,
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    EXPLORER: 'off',
    APOLLO_TELEMETRY_DISABLED: 'true',
    SERVICE_TOKENS: JSON.stringify([
      {
        name: 'bench',
        scopes: ['credits:read', 'credits:write', 'users:read'],
        sha256: createHash('sha256').update(SERVICE_TOKEN).digest('hex'),
      },
    ]),
    // Every limit stays on; one client address drives the whole load, so its budgets are raised
    // to what that load needs (a real deployment sees many addresses).
    RATE_LIMIT_AUTH_PER_IP: '100000000',
    COST_BUDGET_PER_MINUTE: '1000000000',
    SERVICE_COST_BUDGET_PER_MINUTE: '1000000000',
    DATA_DIR: dataDir,
  };
  for (const v of ['DATABASE_URL', 'NATS_URL', 'REDIS_URL', 'SCHEMA_SUFFIX']) delete env[v];
  if (mode === 'embedded') env.ALLOW_EMBEDDED = 'true';
  else {
    env.DATABASE_URL = `${DATABASE_HOST}/${BENCH_DATABASE}`;
    env.NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
    env.REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
    env.NATS_STREAM = 'BASTION_BENCH';
    env.REDIS_KEY_PREFIX = 'bastion-bench:';
  }
  return env;
}

interface Product {
  proc: ChildProcess;
  startMs: number;
  stop(): Promise<void>;
}

async function waitFor(url: string, timeoutMs: number, proc: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  proc.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`process exited before ${url} answered`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function stopper(proc: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((done) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return done();
      const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      proc.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      proc.kill('SIGTERM');
    });
}

/** Starts the product as `npm start` does (after its build step), pinned, and times it to /health. */
async function startProduct(
  mode: Mode,
  dataDir: string,
  transport: Transport,
  profileDir?: string,
): Promise<Product> {
  const node = [
    process.execPath,
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...(HEAP_SNAPSHOTS
      ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${HEAP_SNAPSHOTS}`]
      : []),
    ...NODE_FLAGS,
    PRODUCT_MAIN,
  ];
  const [command, ...args] = pinned(0, node);
  const started = process.hrtime.bigint();
  const proc = spawn(command, args, {
    env: productEnv(mode, dataDir, transport),
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitFor(urlOf('gateway').replace('/graphql', '/health'), 120_000, proc);
  } catch (error) {
    proc.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return { proc, startMs: Number(process.hrtime.bigint() - started) / 1e6, stop: stopper(proc) };
}

/**
 * CPU time (user + system, all threads) a process has used so far, in µs, from /proc: unlike a
 * sampling profile it does not count time the process waited for the core while other work ran.
 */
function cpuUs(pid: number): number {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- /proc of a process this bench started
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** The resident set of a running process (and its children, for taskset's exec it is the node process itself). */
function rssMb(pid: number): number {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- /proc of a process this bench started
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** The product's V8 heap and external memory in MB, from the gateway's metrics (internal listener). */
async function heapMb(): Promise<string> {
  try {
    const text = await (
      await fetch(urlOf('gatewayInternal').replace('/graphql', '/metrics'))
    ).text();
    const value = (name: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`bastion_gateway_${name} `));
      return Number(line?.split(' ')[1] ?? NaN) / 1048576;
    };
    return `V8 heap ${value('nodejs_heap_size_total_bytes').toFixed(0)} MB (used ${value('nodejs_heap_size_used_bytes').toFixed(0)}, old space ${value('nodejs_heap_space_size_total_bytes{space="old"}').toFixed(0)}), external ${value('nodejs_external_memory_bytes').toFixed(0)} MB`;
  } catch {
    return 'V8 heap unknown';
  }
}

/** Has the product write a heap snapshot (BENCH_HEAP_SNAPSHOTS) and waits until it is written. */
async function heapSnapshot(pid: number, label: string): Promise<void> {
  if (!HEAP_SNAPSHOTS) return;
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the directory the operator named
  mkdirSync(HEAP_SNAPSHOTS, { recursive: true });
  const list = () =>
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the directory the operator named
    readdirSync(HEAP_SNAPSHOTS).filter(
      (f) => f.endsWith('.heapsnapshot') && f.includes(`.${pid}.`),
    );
  const before = new Set(list());
  process.kill(pid, 'SIGUSR2');
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const file = list().find((f) => !before.has(f));
    // Written synchronously on the main thread: the product answers /health again once it is done.
    if (
      file &&
      (await fetch(urlOf('gateway').replace('/graphql', '/health')).catch(() => null))?.ok
    ) {
      const target = join(HEAP_SNAPSHOTS, `${label}.heapsnapshot`);
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the directory the operator named
      renameSync(join(HEAP_SNAPSHOTS, file), target);
      log(`heap snapshot ${target}: RSS ${rssMb(pid).toFixed(0)} MB after it`);
      return;
    }
  }
}

function runChild<T>(
  core: 0 | 1,
  script: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<T> {
  const [command, ...rest] = pinned(core, [process.execPath, resolve(__dirname, script), ...args]);
  return new Promise((done, fail) => {
    const proc = spawn(command, rest, {
      env: env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    proc.once('exit', (code) => {
      if (code !== 0) return fail(new Error(`${script} exited ${code}: ${err.slice(-2000)}`));
      try {
        done(JSON.parse(out.trim().split('\n').pop() ?? '') as T);
      } catch (error) {
        fail(error as Error);
      }
    });
  });
}

const load = (spec: LoadSpec) => runChild<LoadResult>(1, 'loadgen.js', [JSON.stringify(spec)]);

/** A helper process that prints "ready <url>" once it serves. */
function startHelper(
  script: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ url: string; stop(): Promise<void> }> {
  const [command, ...args] = pinned(0, [process.execPath, resolve(__dirname, script)]);
  const proc = spawn(command, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((done, fail) => {
    let err = '';
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    proc.stdout.on('data', (c: Buffer) => {
      const ready = /ready (\S+)/.exec(c.toString());
      if (ready) done({ url: ready[1], stop: stopper(proc) });
    });
    proc.once('exit', (code) => fail(new Error(`${script} exited ${code}: ${err.slice(-2000)}`)));
  });
}

async function graphql(
  url: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (body.errors || !body.data)
    throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

async function pgAdmin(sql: string[], database = 'postgres'): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: `${DATABASE_HOST}/${database}` });
  await client.connect();
  try {
    for (const statement of sql) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** pgbench's rate for one UPDATE of one row, `clients` connections, on the database at `url`. */
function pgbench(url: string, seconds: number, clients: number): number {
  const u = new URL(url);
  const dir = mkdtempSync(join(tmpdir(), 'bastion-pgbench-'));
  const script = join(dir, 'same-row.sql');
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a file in the bench's own temporary directory
  writeFileSync(script, 'UPDATE bench_same_row SET balance = balance - 1 WHERE id = 1;\n');
  const bin =
    [
      '/usr/bin/pgbench',
      ...readdirSafe('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin/pgbench`),
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- fixed system locations of pgbench
    ].find((p) => existsSync(p)) ?? 'pgbench';
  const args = [
    '-n',
    '-M',
    'simple',
    '-f',
    script,
    '-c',
    String(clients),
    '-j',
    '1',
    '-T',
    String(seconds),
    '-h',
    // The embedded database's URL names its socket directory in `host=`.
    u.searchParams.get('host') ?? u.hostname,
    '-p',
    u.port || '5432',
    '-U',
    u.username || 'postgres',
    u.pathname.slice(1),
  ];
  const [command, ...rest] = pinned(1, [bin, ...args]);
  const password = decodeURIComponent(u.password);
  const result = spawnSync(command, rest, {
    encoding: 'utf8',
    env: password ? { ...process.env, PGPASSWORD: password } : process.env,
  });
  rmSync(dir, { recursive: true, force: true });
  const tps = /tps = ([\d.]+)/.exec(result.stdout ?? '');
  if (!tps) throw new Error(`pgbench failed: ${result.stderr}${result.stdout}`);
  return Number(tps[1]);
}

function readdirSafe(path: string): string[] {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed system directory
    return readdirSync(path);
  } catch {
    return [];
  }
}

interface Scenario {
  name: string;
  description: string;
  spec: () => LoadSpec;
}

interface ModeResult {
  mode: Mode;
  coldStartMs: number;
  warmStartMs: number;
  rssAfterStartMb: number;
  rssAfterSoakMb: number;
  soak?: LoadResult;
  reps: Record<string, LoadResult>[];
  /** The same product restarted with SUBGRAPH_TRANSPORT=http: every subgraph call over HTTP. */
  httpReps: Record<string, LoadResult>[];
  httpWarmStartMs: number;
  argon2Raw: number[];
  spend?: {
    seconds: number;
    connections: number;
    perSecond: number;
    ok: number;
    failed: number;
    lost: number;
    balanceBefore: number;
    balanceAfter: number;
    /** The product's CPU time (/proc) over the measured spends, per spend. */
    cpuUsPerSpend?: number;
  };
  pgbenchTps?: number;
  profiles: Record<string, ProfileSummary>;
  /** Each scenario's windows in the profile (ms back from its end) and its requests there, for closer looks at bench/last-<mode>.cpuprofile. */
  profileWindows?: Record<
    string,
    { requests: number; windows: { startMs: number; endMs: number }[] }
  >;
}

/** When each scenario's load ran (wall clock), to cut its part out of the product's CPU profile. */
const windows: Record<string, { start: number; end: number; requests: number; seconds: number }[]> =
  {};

/** What the restarted product with SUBGRAPH_TRANSPORT=http runs (its peers pay the same hop). */
const HTTP_SCENARIOS = ['direct', 'gateway', 'stock', 'hive', 'hiveDedup', 'auth1', 'auth2'];

const AI_MODELS = '{ aiModels { id displayName creditsPerRequest } }';
const ME_ONE = '{ me { id email displayName } }';
const ME_TWO = '{ me { id email credits { balance } } }';

async function runMode(mode: Mode): Promise<ModeResult> {
  const dataDir = resolve(REPO_ROOT, 'data', `bench-${mode}`);
  rmSync(dataDir, { recursive: true, force: true });
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the bench's own directory under data/
  mkdirSync(dataDir, { recursive: true });
  if (mode === 'services') {
    // The bench's own database, dropped and made afresh: never anyone else's.
    await pgAdmin([
      `DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`,
      `CREATE DATABASE ${BENCH_DATABASE}`,
    ]);
  }
  log(
    `${mode}: cold start (fresh ${mode === 'embedded' ? 'DATA_DIR' : `database ${BENCH_DATABASE}`})`,
  );
  // BENCH_COLD=0 skips the separate cold start (development runs); the first start is then cold.
  const cold =
    process.env.BENCH_COLD === '0' ? undefined : await startProduct(mode, dataDir, 'in-process');
  await cold?.stop();
  const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'bastion-bench-prof-')) : undefined;
  let product: Product | undefined = await startProduct(mode, dataDir, 'in-process', profileDir);
  const first = product;
  log(
    `${mode}: cold start ${cold?.startMs.toFixed(0)} ms, warm start ${product.startMs.toFixed(0)} ms`,
  );
  const result: ModeResult = {
    mode,
    coldStartMs: cold?.startMs ?? NaN,
    warmStartMs: product.startMs,
    rssAfterStartMb: rssMb(product.proc.pid ?? 0),
    rssAfterSoakMb: NaN,
    reps: [],
    httpReps: [],
    httpWarmStartMs: NaN,
    argon2Raw: [],
    profiles: {},
  };
  log(`${mode}: after start ${await heapMb()}`);
  await heapSnapshot(product.proc.pid ?? 0, `${mode}-after-start`);
  let exitedAt = Date.now();
  const stock = await startHelper('stock-gateway.js', {
    ...process.env,
    APOLLO_TELEMETRY_DISABLED: 'true',
  });
  const hive = await startHelper('hive-gateway.js', { ...process.env, HIVE_DEDUPLICATE: 'off' });
  const hiveDeduplicating = await startHelper('hive-gateway.js', {
    ...process.env,
    HIVE_DEDUPLICATE: 'on',
  });
  try {
    const gateway = urlOf('gateway');
    const internal = urlOf('gatewayInternal');
    const service = { authorization: `Bearer ${SERVICE_TOKEN}` };
    const password = 'benchmark password';
    const register = async (email: string) =>
      (
        await graphql(
          gateway,
          `mutation { register(input: { email: "${email}", password: "${password}" }) { accessToken user { id } } }`,
        )
      ).register as { accessToken: string; user: { id: string } };
    const stamp = Date.now();
    const me = await register(`bench-${stamp}@example.com`);
    const loginEmails: string[] = [];
    for (let i = 0; i < LOGIN_USERS; i += 1) {
      loginEmails.push(`bench-login-${i}-${stamp}@example.com`);
      await register(loginEmails[i]);
    }
    await graphql(
      internal,
      `mutation { addCredits(userId: "${me.user.id}", amount: 1000000, type: ADJUSTMENT, description: "bench", idempotencyKey: "bench-fund-${stamp}") { id } }`,
      service,
    );
    const bearer = { authorization: `Bearer ${me.accessToken}` };
    const body = (query: string) => JSON.stringify({ query });
    const base = { connections: CONNECTIONS, seconds: DURATION };
    const scenarios: Scenario[] = [
      {
        name: 'direct',
        description: 'aiModels straight to the ai subgraph (fresh signed claims per request)',
        spec: () => ({
          ...base,
          url: urlOf('ai'),
          bodies: [body(AI_MODELS)],
          claims: { secret: secrets.INTERNAL_CLAIMS_SECRET, audience: 'ai', query: AI_MODELS },
        }),
      },
      {
        name: 'gateway',
        description: "aiModels through the product's gateway",
        spec: () => ({ ...base, url: gateway, bodies: [body(AI_MODELS)] }),
      },
      {
        name: 'stock',
        description: 'aiModels through a stock @apollo/gateway on the same subgraphs',
        spec: () => ({
          ...base,
          url: `http://127.0.0.1:${STOCK_GATEWAY_PORT}/`,
          bodies: [body(AI_MODELS)],
        }),
      },
      {
        name: 'hive',
        description:
          "aiModels through Hive Gateway with Hive Router's Rust query planner on the same subgraphs",
        spec: () => ({
          ...base,
          url: `http://127.0.0.1:${HIVE_GATEWAY_PORT}/graphql`,
          bodies: [body(AI_MODELS)],
        }),
      },
      {
        name: 'hiveDedup',
        description:
          'the same through Hive Gateway as it ships: identical requests in flight share one subgraph request',
        spec: () => ({
          ...base,
          url: `http://127.0.0.1:${HIVE_GATEWAY_DEDUPLICATING_PORT}/graphql`,
          bodies: [body(AI_MODELS)],
        }),
      },
      {
        name: 'auth1',
        description: '`{ me { id email displayName } }` with a user token (one subgraph)',
        spec: () => ({ ...base, url: gateway, bodies: [body(ME_ONE)], headers: bearer }),
      },
      {
        name: 'auth2',
        description: '`{ me { id email credits { balance } } }` with a user token (two subgraphs)',
        spec: () => ({ ...base, url: gateway, bodies: [body(ME_TWO)], headers: bearer }),
      },
      {
        name: 'login',
        description: `login storm: logins of ${LOGIN_USERS} users`,
        spec: () => ({
          ...base,
          url: gateway,
          bodies: loginEmails.map((e) =>
            body(`mutation { login(email: "${e}", password: "${password}") { accessToken } }`),
          ),
        }),
      },
    ];
    const only = process.env.BENCH_SCENARIOS?.split(',');
    const selected = scenarios.filter(
      (s) => !only || only.includes(s.name) || (s.name === 'login' && only.includes('storm')),
    );
    const argon = [
      process.env.ARGON2_MEMORY_KIB ?? '19456',
      process.env.ARGON2_TIME_COST ?? '2',
      process.env.ARGON2_PARALLELISM ?? '1',
      '0',
      String(DURATION),
    ];
    // Every gateway warms up (its plan cache, its JIT) before the first measured repetition.
    for (const url of [
      gateway,
      `http://127.0.0.1:${STOCK_GATEWAY_PORT}/`,
      `http://127.0.0.1:${HIVE_GATEWAY_PORT}/graphql`,
      `http://127.0.0.1:${HIVE_GATEWAY_DEDUPLICATING_PORT}/graphql`,
    ]) {
      const warm = await load({ ...base, seconds: 2, url, bodies: [body(AI_MODELS)] });
      if (warm.failed > 0) throw new Error(`warm-up of ${url} failed: ${warm.firstFailure}`);
    }
    for (let rep = 0; rep < REPS; rep += 1) {
      const row: Record<string, LoadResult> = {};
      for (const scenario of selected) {
        log(`${mode} rep ${rep + 1}/${REPS}: ${scenario.name}`);
        const start = Date.now();
        const cpuBefore = cpuUs(product.proc.pid ?? 0);
        row[scenario.name] = await load(scenario.spec());
        row[scenario.name].cpuUsPerRequest =
          (cpuUs(product.proc.pid ?? 0) - cpuBefore) / Math.max(1, row[scenario.name].requests);
        (windows[scenario.name] ??= []).push({
          start,
          end: Date.now(),
          requests: row[scenario.name].requests,
          seconds: row[scenario.name].seconds,
        });
        log(
          `  ${row[scenario.name].okPerSecond.toFixed(0)} ok/s, ${row[scenario.name].cpuUsPerRequest?.toFixed(0)} µs of product CPU per request`,
        );
        if (row[scenario.name].failed > 0)
          log(`  ${row[scenario.name].failed} failed: ${row[scenario.name].firstFailure}`);
        if (scenario.name === 'login') {
          // The same storm again with a public query beside it: what does the public query keep?
          log(`${mode} rep ${rep + 1}/${REPS}: login storm + concurrent public query`);
          const [storm, pub] = await Promise.all([
            load(scenario.spec()),
            load({ ...base, url: gateway, bodies: [body(AI_MODELS)] }),
          ]);
          row.stormLogin = storm;
          row.stormPublic = pub;
          log(`${mode} rep ${rep + 1}/${REPS}: raw argon2id at the same parameters`);
          result.argon2Raw.push(
            (
              await runChild<{ perSecond: number }>(0, 'argon2-raw.js', argon, {
                ...process.env,
                PASSWORD_PEPPER: secrets.PASSWORD_PEPPER,
              })
            ).perSecond,
          );
        }
      }
      result.reps.push(row);
    }
    if (!only || only.includes('spend')) {
      log(
        `${mode}: ${SPEND_CONNECTIONS} concurrent spends on one account, ${SPEND_CONNECTIONS * SPENDS_PER_CONNECTION} in all`,
      );
      const balance = async () =>
        (await graphql(internal, `{ creditBalance(userId: "${me.user.id}") }`, service))
          .creditBalance as number;
      const spendSpec = (amount: number): LoadSpec => ({
        url: internal,
        connections: SPEND_CONNECTIONS,
        seconds: SPEND_SECONDS,
        amount,
        headers: service,
        uniqueIds: true,
        // As the ai service calls it: one document, the key in the variables (a document per key
        // would be parsed, validated and planned afresh every time).
        bodies: [
          JSON.stringify({
            query:
              'mutation Spend($u: ID!, $k: String!) { useCredits(userId: $u, amount: 1, description: "bench", idempotencyKey: $k) { id } }',
            variables: { u: me.user.id, k: '{{id}}' },
          }),
        ],
      });
      // Warm-up, as every gateway scenario has one: the spend's plan and JIT, and the connections
      // (the generator opens them afresh per run). Charged before the balance is read.
      const warm = await load(spendSpec(SPEND_CONNECTIONS * SPEND_WARMUP_PER_CONNECTION));
      if (warm.failed > 0) throw new Error(`spend warm-up failed: ${warm.firstFailure}`);
      const before = await balance();
      const spendStart = Date.now();
      const spendCpuBefore = cpuUs(product.proc.pid ?? 0);
      const spend = await load(spendSpec(SPEND_CONNECTIONS * SPENDS_PER_CONNECTION));
      const cpuUsPerSpend =
        (cpuUs(product.proc.pid ?? 0) - spendCpuBefore) / Math.max(1, spend.requests);
      (windows.spend ??= []).push({
        start: spendStart,
        end: Date.now(),
        requests: spend.requests,
        seconds: spend.seconds,
      });
      const after = await balance();
      result.spend = {
        seconds: spend.seconds,
        connections: SPEND_CONNECTIONS,
        perSecond: spend.okPerSecond,
        ok: spend.ok,
        failed: spend.failed,
        lost: before - after - spend.ok,
        balanceBefore: before,
        balanceAfter: after,
        cpuUsPerSpend,
      };
      log(
        `  ${spend.okPerSecond.toFixed(0)} spends/s, ${cpuUsPerSpend.toFixed(0)} µs of product CPU per spend`,
      );
      if (spend.failed > 0) log(`  ${spend.failed} spends failed: ${spend.firstFailure}`);
      log(`${mode}: pgbench same-row UPDATE, ${PGBENCH_CLIENTS} clients, ${SPEND_SECONDS} s`);
      if (mode === 'services') {
        await pgAdmin(
          [
            'CREATE TABLE IF NOT EXISTS bench_same_row (id int PRIMARY KEY, balance bigint NOT NULL)',
            'INSERT INTO bench_same_row VALUES (1, 1000000000) ON CONFLICT DO NOTHING',
          ],
          BENCH_DATABASE,
        );
        result.pgbenchTps = pgbench(
          `${DATABASE_HOST}/${BENCH_DATABASE}`,
          SPEND_SECONDS,
          PGBENCH_CLIENTS,
        );
      } else {
        const pglite = await startHelper('pglite-server.js');
        try {
          // A unix socket and a per-start password: the helper prints the URL.
          const url = pglite.url;
          const { Client } = await import('pg');
          const client = new Client({ connectionString: url });
          await client.connect();
          await client.query(
            'CREATE TABLE IF NOT EXISTS bench_same_row (id int PRIMARY KEY, balance bigint NOT NULL)',
          );
          await client.query(
            'INSERT INTO bench_same_row VALUES (1, 1000000000) ON CONFLICT DO NOTHING',
          );
          await client.end();
          result.pgbenchTps = pgbench(url, SPEND_SECONDS, PGBENCH_CLIENTS);
        } finally {
          await pglite.stop();
        }
      }
    }
    if (SOAK_SECONDS > 0 && (!only || only.includes('soak'))) {
      log(`${mode}: ${SOAK_SECONDS} s soak (public, one- and two-subgraph queries)`);
      const soakCpuBefore = cpuUs(product.proc.pid ?? 0);
      result.soak = await load({
        connections: CONNECTIONS,
        seconds: SOAK_SECONDS,
        url: gateway,
        headers: bearer,
        bodies: [body(AI_MODELS), body(ME_ONE), body(ME_TWO)],
      });
      result.soak.cpuUsPerRequest =
        (cpuUs(product.proc.pid ?? 0) - soakCpuBefore) / Math.max(1, result.soak.requests);
      log(
        `  soak ${result.soak.okPerSecond.toFixed(0)} ok/s, ${result.soak.cpuUsPerRequest.toFixed(0)} µs of product CPU per request`,
      );
      // Settle: what stays resident, not what one last burst allocated.
      await new Promise((r) => setTimeout(r, 2000));
    }
    result.rssAfterSoakMb = rssMb(product.proc.pid ?? 0);
    log(
      `${mode}: RSS ${result.rssAfterStartMb.toFixed(0)} MB after start, ${result.rssAfterSoakMb.toFixed(0)} MB at the end; ${await heapMb()}`,
    );
    await heapSnapshot(product.proc.pid ?? 0, `${mode}-after-soak`);
    await product.stop();
    exitedAt = Date.now();
    product = undefined;
    // The same product with every subgraph call over HTTP: the fair comparison with the peers,
    // which pay that hop too. Same database, users and tokens; the peers keep running.
    const overHttp = selected.filter((s) => HTTP_SCENARIOS.includes(s.name));
    if (overHttp.length > 0) {
      log(`${mode}: restart with SUBGRAPH_TRANSPORT=http`);
      product = await startProduct(mode, dataDir, 'http');
      result.httpWarmStartMs = product.startMs;
      const again = await load({ ...base, seconds: 2, url: gateway, bodies: [body(AI_MODELS)] });
      if (again.failed > 0) throw new Error(`warm-up over HTTP failed: ${again.firstFailure}`);
      for (let rep = 0; rep < REPS; rep += 1) {
        const row: Record<string, LoadResult> = {};
        for (const scenario of overHttp) {
          log(`${mode} over HTTP rep ${rep + 1}/${REPS}: ${scenario.name}`);
          const cpuBefore = cpuUs(product.proc.pid ?? 0);
          row[scenario.name] = await load(scenario.spec());
          row[scenario.name].cpuUsPerRequest =
            (cpuUs(product.proc.pid ?? 0) - cpuBefore) / Math.max(1, row[scenario.name].requests);
          if (row[scenario.name].failed > 0)
            log(`  ${row[scenario.name].failed} failed: ${row[scenario.name].firstFailure}`);
        }
        result.httpReps.push(row);
      }
    }
  } finally {
    await stock.stop();
    await hive.stop();
    await hiveDeduplicating.stop();
    if (product) {
      await product.stop();
      if (product === first) exitedAt = Date.now();
    }
    if (mode === 'services')
      await pgAdmin([`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`]).catch(
        () => undefined,
      );
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (profileDir) {
    // One profile of the whole process, cut into each scenario's windows (the profile ends as the process exits).
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the bench's own temporary directory
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      for (const [name, list] of Object.entries(windows)) {
        // The load ran the last DURATION s before its generator exited: take its inner part, and
        // the requests of that part (at the run's mean rate).
        const span = (w: { seconds: number }) => Math.max(100, w.seconds * 1000 - 350);
        const requests = list.reduce((n, w) => n + (w.requests * span(w)) / (w.seconds * 1000), 0);
        const cut = list.map((w) => ({
          startMs: exitedAt - (w.end - 150 - span(w)),
          endMs: exitedAt - (w.end - 150),
        }));
        result.profiles[name] = summarise(join(profileDir, file), requests, cut);
        (result.profileWindows ??= {})[name] = { requests, windows: cut };
      }
      // Kept beside the bench for a closer look.
      const target = resolve(REPO_ROOT, 'bench', `last-${mode}.cpuprofile`);
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the profile this run wrote, copied into bench/
      writeFileSync(target, readFileSync(join(profileDir, file)));
    }
    rmSync(profileDir, { recursive: true, force: true });
  }
  return result;
}

interface Ratio {
  name: string;
  target: string;
  /** Absent: a row reported beside the targets, with none of its own. */
  meets?: (v: number) => boolean;
  value: (row: Record<string, LoadResult>, argon: number) => number;
}

const RATIOS: Ratio[] = [
  {
    name: 'gateway / direct subgraph (aiModels)',
    target: '>= 0.6',
    meets: (v) => v >= 0.6,
    value: (r) => r.gateway?.okPerSecond / r.direct?.okPerSecond,
  },
  {
    name: 'gateway / Hive Gateway + Rust planner (aiModels)',
    target: '>= 1.0',
    meets: (v) => v >= 1,
    value: (r) => r.gateway?.okPerSecond / r.hive?.okPerSecond,
  },
  {
    name: 'gateway / Hive Gateway as it ships (deduplicating identical requests in flight)',
    target: 'none (reported)',
    value: (r) => r.gateway?.okPerSecond / r.hiveDedup?.okPerSecond,
  },
  {
    name: 'gateway / stock @apollo/gateway (aiModels)',
    target: '>= 3',
    meets: (v) => v >= 3,
    value: (r) => r.gateway?.okPerSecond / r.stock?.okPerSecond,
  },
  {
    name: 'two-subgraph / one-subgraph auth query',
    target: '>= 0.7',
    meets: (v) => v >= 0.7,
    value: (r) => r.auth2?.okPerSecond / r.auth1?.okPerSecond,
  },
  {
    name: 'logins / raw argon2id rate',
    target: '>= 0.9',
    meets: (v) => v >= 0.9,
    value: (r, a) => r.login?.okPerSecond / a,
  },
  {
    name: 'public query during login storm / alone',
    target: '>= 0.5',
    meets: (v) => v >= 0.5,
    value: (r) => r.stormPublic?.okPerSecond / r.gateway?.okPerSecond,
  },
];

const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

function markdown(results: ModeResult[]): string {
  const lines: string[] = [
    '# Benchmark report',
    '',
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}.`,
    TWO_CORES
      ? "The product (`npm start`'s process), the stock gateway and the raw argon2 process on core 0; the load generator (autocannon, its own process) on core 1."
      : 'One core: product and load generator share it (no pinning).',
    `${REPS} repetitions of ${DURATION} s per scenario, scenarios round-robin within each repetition, ${CONNECTIONS} connections; medians below, ratios taken within each repetition, then their median.`,
    '',
  ];
  for (const r of results) {
    const title =
      r.mode === 'embedded'
        ? 'Embedded (PGlite, database bus, memory caches)'
        : 'PostgreSQL + NATS + Redis';
    lines.push(
      `## ${title}`,
      '',
      '| ratio | median | per repetition | target | met |',
      '| --- | ---: | --- | --- | --- |',
    );
    const ratioRows = (reps: Record<string, LoadResult>[], suffix: string) => {
      for (const ratio of RATIOS) {
        const values = reps.map((row, i) => ratio.value(row, r.argon2Raw[i]));
        if (!values.some(Number.isFinite)) continue;
        const m = median(values);
        lines.push(
          `| ${ratio.name}${suffix} | ${fmt(m, 2)} | ${values.map((v) => fmt(v, 2)).join(', ')} | ${ratio.target} | ${!ratio.meets ? '' : ratio.meets(m) ? 'yes' : '**no**'} |`,
        );
      }
    };
    ratioRows(r.reps, ', in-process');
    ratioRows(r.httpReps ?? [], ', over HTTP');
    if (r.spend) {
      lines.push(
        `| spends failed | ${r.spend.failed} | of ${r.spend.ok + r.spend.failed} | 0 | ${r.spend.failed === 0 ? 'yes' : '**no**'} |`,
      );
      const share = r.spend.perSecond / (r.pgbenchTps ?? NaN);
      lines.push(
        `| spends / pgbench same-row UPDATE rate | ${fmt(share, 2)} | ${fmt(r.spend.perSecond)} / ${fmt(r.pgbenchTps ?? NaN)} per s; ${fmt(r.spend.cpuUsPerSpend ?? NaN)} µs of product CPU per spend | >= 0.3 | ${share >= 0.3 ? 'yes' : '**no**'} |`,
      );
      lines.push(
        `| spends lost | ${r.spend.lost} | ${r.spend.ok} succeeded, balance ${r.spend.balanceBefore} -> ${r.spend.balanceAfter} | 0 | ${r.spend.lost === 0 ? 'yes' : '**no**'} |`,
      );
    }
    lines.push(
      `| warm start to /health | ${fmt(r.warmStartMs / 1000, 1)} s | cold ${fmt(r.coldStartMs / 1000, 1)} s, warm with SUBGRAPH_TRANSPORT=http ${fmt(r.httpWarmStartMs / 1000, 1)} s | <= 3 s | ${r.warmStartMs <= 3000 ? 'yes' : '**no**'} |`,
    );
    const rssTarget = r.mode === 'embedded' ? 400 : 250;
    lines.push(
      `| RSS after ${r.soak ? `${SOAK_SECONDS} s soak` : 'the run'} | ${fmt(r.rssAfterSoakMb)} MB | ${fmt(r.rssAfterStartMb)} MB after start | <= ${rssTarget} MB | ${r.rssAfterSoakMb <= rssTarget ? 'yes' : '**no**'} |`,
      '',
    );
    lines.push(
      '| scenario | req/s (median) | p50 ms | p99 ms | failed | product CPU µs/request |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    const scenarioRows = (reps: Record<string, LoadResult>[], suffix: string) => {
      for (const name of Object.keys(reps[0] ?? {})) {
        const rows = reps.map((row) => row[name]).filter(Boolean);
        lines.push(
          `| ${name}${suffix} | ${fmt(median(rows.map((x) => x.okPerSecond)))} | ${fmt(median(rows.map((x) => x.p50Ms)), 1)} | ${fmt(median(rows.map((x) => x.p99Ms)), 1)} | ${rows.reduce((n, x) => n + x.failed, 0)} | ${fmt(median(rows.map((x) => x.cpuUsPerRequest ?? NaN)))} |`,
        );
      }
    };
    scenarioRows(r.reps, '');
    scenarioRows(r.httpReps ?? [], ' (over HTTP)');
    if (r.argon2Raw.length)
      lines.push(
        `| raw argon2id verify (m=${process.env.ARGON2_MEMORY_KIB ?? 19456} KiB, t=${process.env.ARGON2_TIME_COST ?? 2}, as many at once as auth runs) | ${fmt(median(r.argon2Raw), 1)} | | | |`,
      );
    if (r.soak)
      lines.push(
        `| soak (${SOAK_SECONDS} s, mixed) | ${fmt(r.soak.okPerSecond)} | ${fmt(r.soak.p50Ms, 1)} | ${fmt(r.soak.p99Ms, 1)} | ${r.soak.failed} |`,
      );
    lines.push('');
    for (const [name, summary] of Object.entries(r.profiles))
      lines.push(profileMarkdown(`CPU profile (${r.mode}, ${name})`, summary));
  }
  lines.push(
    'Scenarios: `direct` sends aiModels straight to the ai subgraph with freshly signed claims per request (as the gateway sends);',
    "`gateway` the same query through the product's public listener with every protection on; `stock` a stock `@apollo/gateway`",
    '(`bench/src/stock-gateway.ts`) over the same public supergraph and subgraphs, without claims (subgraphs serve a request',
    'without claims as anonymous, which aiModels allows); `login` logins of 10 users round-robin; `stormLogin`/`stormPublic` the',
    'same storm with aiModels loaded beside it (a second generator process on the generator core). Spends: `useCredits` of 1 through',
    `the internal listener with a service token, ${SPEND_CONNECTIONS} connections on one account, ${SPENDS_PER_CONNECTION} spends each after a warm-up of ${SPEND_WARMUP_PER_CONNECTION}`,
    `(credits' pool holds 5 database connections, so the database sees at most 5 spends at once); pgbench runs one \`UPDATE ... WHERE id = 1\` with ${PGBENCH_CLIENTS} clients for ${SPEND_SECONDS} s on the same`,
    "database server (embedded: a PGlite on the product's wire server in its own process). Limits stay on; the per-address budgets",
    '(RATE_LIMIT_AUTH_PER_IP, COST_BUDGET_PER_MINUTE) are raised because one address drives all the load.',
    "`hive` is The Guild's Hive Gateway with Hive Router's Rust query planner (`@graphql-hive/router-runtime`,",
    '`bench/src/hive-gateway.ts`) over the same supergraph and subgraphs, without claims, like `stock`, with its deduplication of',
    'identical requests in flight turned off, so that every request reaches the subgraph as with the product and `stock`;',
    '`hiveDedup` is Hive as it ships, where the 10 identical requests in flight share one subgraph request. Rows marked in-process',
    "ran against `npm start`'s process as it is (the gateway calls co-located subgraphs in-process); rows marked over HTTP against",
    'the same process restarted with `SUBGRAPH_TRANSPORT=http`, so the gateway pays the same HTTP hop to the subgraphs as its',
    'peers: that is the fair comparison with `hive` and `stock`. The peers and `direct` are the same in both; only the gateway changes.',
    '',
  );
  return lines.join('\n');
}

const MARKER = '<!-- bench:generated-end -->';

async function main(): Promise<void> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  log(
    `modes ${MODES.join(', ')}; ${REPS} x ${DURATION} s per scenario; ${TWO_CORES ? 'product on core 0, generator on core 1' : 'no pinning (one core)'}`,
  );
  const results: ModeResult[] = [];
  for (const mode of MODES) results.push(await runMode(mode));
  const text = markdown(results);
  console.log(`\n${text}`);
  const reportPath = resolve(REPO_ROOT, 'bench/REPORT.md');
  // The hand-kept part below the marker (profiles before/after each change) survives a run.
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed file beside the bench sources
  const previous = existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '';
  const kept = previous.includes(MARKER) ? previous.slice(previous.indexOf(MARKER)) : `${MARKER}\n`;
  const out = process.env.BENCH_REPORT ?? reportPath;
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the bench's report file (or one the operator names)
  writeFileSync(out, `${text}\n${kept}`);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- beside the report
  writeFileSync(
    out.replace(/\.md$/, '.json'),
    `${JSON.stringify({ date: new Date().toISOString(), reps: REPS, seconds: DURATION, connections: CONNECTIONS, results }, null, 2)}\n`,
  );
  log(`wrote ${out} and ${out.replace(/\.md$/, '.json')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

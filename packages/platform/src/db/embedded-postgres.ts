import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import { servePglite } from './pglite-wire-server';
import { scramVerifier } from './scram';

/**
 * PGlite's start parameters plus a smaller buffer pool: the default 128MB pool is initialised on
 * every start in WebAssembly (~0.5 s of CPU on one core); 32MB holds the product's working set of a
 * development or small deployment, and pages outside it are read from DATA_DIR's files.
 */
const BUFFER_POOL = ['-c', 'shared_buffers=32MB'];
/**
 * How much of a WebAssembly function's code runs before V8 recompiles it with its optimising
 * compiler (TurboFan), set before PGlite's module is compiled, unless the node command line names
 * `--wasm-tiering-budget` itself. Node 20's V8 default (1,800,000) has TurboFan recompile the
 * PostgreSQL functions that run only during PGlite's start and the services' first
 * statements; on the one core a small deployment has, that competes with the start itself. Ten
 * times the default saves ~0.7 s of CPU at start (docs/performance.md "Start time"); functions
 * that stay hot still reach TurboFan, after a few seconds of load instead of at once.
 */
export const WASM_TIERING_BUDGET = 18_000_000;

function raiseWasmTieringBudget(): void {
  if (process.execArgv.some((arg) => arg.startsWith('--wasm-tiering-budget'))) return;
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
}

/** The role PGlite runs every session as; the password below is what guards it. */
const USER = 'postgres';
/** The shortest limit on a unix socket path among the systems we run on (macOS: 104 with the NUL). */
const MAX_SOCKET_PATH = 103;
/** Default of DATABASE_IDLE_IN_TRANSACTION_TIMEOUT (docs/operations.md "Embedded database"). */
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 2_000;

export interface EmbeddedPostgres {
  /** A postgres:// URL the ordinary `pg` driver connects to: the socket directory and password. */
  url: string;
  /** The unix socket the database listens on. */
  socketPath: string;
  close(): Promise<void>;
}

/**
 * A directory only this user can enter, for the socket: under DATA_DIR, or a fresh one in the
 * system's temporary directory without DATA_DIR or when DATA_DIR's path is too long for a socket.
 */
function socketDirectory(
  dataDir: string | undefined,
  port: number,
): { dir: string; owned: boolean } {
  const name = `.s.PGSQL.${port}`;
  if (dataDir) {
    const dir = resolve(dataDir, 'socket');
    if (Buffer.byteLength(join(dir, name)) <= MAX_SOCKET_PATH) {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR from the operator's config
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR from the operator's config
      chmodSync(dir, 0o700);
      return { dir, owned: false };
    }
  }
  // mkdtemp creates the directory with mode 0700.
  return { dir: mkdtempSync(join(tmpdir(), 'bastion-pg-')), owned: true };
}

/**
 * One PGlite database served over the Postgres wire protocol, so embedded mode runs the same
 * driver and SQL as a real server. PGlite trusts every session as superuser (row-level security
 * off for the asking), so it listens on no TCP port: a unix socket in a 0700 directory, mode
 * 0600, and a password drawn at each start that clients prove with SCRAM-SHA-256; the URL carries
 * both to this process' services (and, in tests, to the workers the test runner starts).
 * PGlite has one session: connections take turns, one statement sequence or transaction at a
 * time; one left idle in a transaction is cut after `idleInTransactionTimeoutMs`.
 * maxConnections must cover every pool that connects. A data directory is locked to one process.
 */
export async function startEmbeddedPostgres(options: {
  dataDir?: string;
  /** Names the socket file (`.s.PGSQL.<port>`, as libpq and `pg` look it up); no TCP port opens. */
  port?: number;
  maxConnections?: number;
  idleInTransactionTimeoutMs?: number;
}): Promise<EmbeddedPostgres> {
  raiseWasmTieringBudget();
  const { PGlite } = await import('@electric-sql/pglite');
  const port = options.port ?? 5432;
  let dataDir: string | undefined;
  let lock: DataDirLock | undefined;
  if (options.dataDir) {
    lock = lockDataDir(options.dataDir);
    dataDir = resolve(options.dataDir, 'pglite');
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR from the operator's config
    mkdirSync(dataDir, { recursive: true });
  }
  let socket: { dir: string; owned: boolean } | undefined;
  try {
    socket = socketDirectory(options.dataDir, port);
    const db = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      startParams: [...PGlite.defaultStartParams, ...BUFFER_POOL],
    });
    const password = randomBytes(32).toString('base64url');
    const server = await servePglite(db, {
      path: join(socket.dir, `.s.PGSQL.${port}`),
      maxConnections: options.maxConnections ?? 64,
      user: USER,
      verifier: scramVerifier(password),
      idleInTransactionTimeoutMs:
        options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    });
    const owned = socket;
    return {
      // The host is a placeholder for URL parsers; `host=` (a directory) is where `pg` connects.
      url: `postgres://${USER}:${password}@localhost:${port}/postgres?host=${encodeURIComponent(socket.dir)}`,
      socketPath: server.path,
      async close() {
        await server.close();
        await db.close();
        if (owned.owned) rmSync(owned.dir, { recursive: true, force: true });
        lock?.release();
      },
    };
  } catch (error) {
    if (socket?.owned) rmSync(socket.dir, { recursive: true, force: true });
    lock?.release();
    throw error;
  }
}

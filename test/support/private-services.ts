import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { CHILD_READY_MS } from './env';
import { freePort } from './ports';

/**
 * PostgreSQL, NATS and Redis of a test's own, on free ports in temp dirs, for fault tests that
 * stop, kill and restart them. The shared services on 5432/6379/4222 belong to every run on the
 * machine and are never touched.
 */
export interface PrivateService {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly isRunning: boolean;
  /** Starts (again) on the same port and data; resolves once the service answers. */
  start(): Promise<void>;
  /** Graceful (PostgreSQL: fast) shutdown; resolves once the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash; resolves once the process has exited. */
  kill(): Promise<void>;
  /** SIGSTOP: the process hangs with its sockets open (a hung server, not a closed one). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Stops and removes the temp dir. Safe to call twice and after a failed start. */
  destroy(): Promise<void>;
}

const START_TIMEOUT_MS = CHILD_READY_MS;
const STOP_TIMEOUT_MS = 30_000;

interface ServiceSpec {
  name: string;
  url: string;
  spawnProcess(): ChildProcess;
  /** Resolves when the service answers, throws while it does not yet. */
  probe(): Promise<void>;
  /** The signal for a graceful stop. */
  stopSignal: NodeJS.Signals;
  dir: string;
}

/** Every private child of this process, killed if the worker exits without afterAll running. */
const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach((child) => child.kill('SIGKILL')));

function managed(spec: ServiceSpec, port: number): PrivateService {
  let child: ChildProcess | undefined;
  let output = '';

  async function waitExit(signal: NodeJS.Signals): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await bounded(exited, STOP_TIMEOUT_MS, `${spec.name} did not exit on ${signal}`);
    live.delete(running);
    child = undefined;
  }

  return {
    name: spec.name,
    port,
    url: spec.url,
    get isRunning() {
      return !!child && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      if (this.isRunning) return;
      output = '';
      const started = spec.spawnProcess();
      child = started;
      live.add(started);
      started.stdout?.on('data', (chunk) => {
        output = (output + chunk).slice(-4000);
      });
      started.stderr?.on('data', (chunk) => {
        output = (output + chunk).slice(-4000);
      });
      const deadline = Date.now() + START_TIMEOUT_MS;
      for (;;) {
        if (started.exitCode !== null || started.signalCode !== null) {
          throw new Error(`${spec.name} exited while starting:\n${output}`);
        }
        try {
          return await spec.probe();
        } catch (error) {
          if (Date.now() > deadline)
            throw new Error(`${spec.name} did not answer on ${port}: ${String(error)}\n${output}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    },
    stop: () => waitExit(spec.stopSignal),
    kill: () => waitExit('SIGKILL'),
    pause() {
      if (!child?.kill('SIGSTOP')) throw new Error(`${spec.name} is not running`);
    },
    resume() {
      if (!child?.kill('SIGCONT')) throw new Error(`${spec.name} is not running`);
    },
    async destroy() {
      // A stopped process would not act on the stop signal.
      child?.kill('SIGCONT');
      await waitExit(spec.stopSignal).catch(() => waitExit('SIGKILL'));
      rmSync(spec.dir, { recursive: true, force: true });
    },
  };
}

async function bounded<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Connects, optionally reads the greeting or sends a line, and expects `expected` in the reply. */
function tcpProbe(port: number, send: string | undefined, expected: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy(new Error('probe timed out')));
    socket.once('error', reject);
    socket.once('connect', () => {
      if (send) socket.write(send);
    });
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes(expected)) {
        socket.destroy();
        resolve();
      }
    });
    socket.once('close', () =>
      reject(new Error(`no ${expected} in ${JSON.stringify(reply.slice(0, 200))}`)),
    );
  });
}

/** Found at run time: Debian installs PostgreSQL under /usr/lib/postgresql/<major>/bin. */
function postgresBin(program: string): string {
  const majors = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  return join('/usr/lib/postgresql', majors[0], 'bin', program);
}

function postgresUser(): { uid: number; gid: number } {
  const [uid, gid] = ['-u', '-g'].map((flag) =>
    Number(execFileSync('id', [flag, 'postgres']).toString().trim()),
  );
  return { uid, gid };
}

/** PostgreSQL with trust auth on 127.0.0.1; initdb refuses root, so it runs as the `postgres` user. */
export async function startPrivatePostgres(): Promise<PrivateService> {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-pg-'));
  const owner = postgresUser();
  chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const asPostgres = { ...owner, cwd: dir, env: { PATH: process.env.PATH, LANG: 'C.UTF-8' } };
  execFileSync(
    postgresBin('initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    { ...asPostgres, stdio: 'pipe' },
  );
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const service = managed(
    {
      name: 'postgres',
      url,
      dir,
      // SIGINT is PostgreSQL's fast shutdown: sessions are ended, nothing is waited for.
      stopSignal: 'SIGINT',
      spawnProcess: () =>
        spawn(
          postgresBin('postgres'),
          [
            '-D',
            data,
            '-p',
            String(port),
            '-k',
            dir,
            '-c',
            'listen_addresses=127.0.0.1',
            // Tests crash the server, never the machine: durability to disk buys nothing here.
            '-c',
            'fsync=off',
            '-c',
            'max_connections=200',
          ],
          { ...asPostgres, stdio: ['ignore', 'pipe', 'pipe'] },
        ),
      async probe() {
        const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
        client.on('error', () => undefined);
        try {
          await client.connect();
          await client.query('SELECT 1');
        } finally {
          await client.end().catch(() => undefined);
        }
      },
    },
    port,
  );
  return startOrClean(service);
}

/** NATS with JetStream stored on disk, so streams and consumers survive a restart. */
export async function startPrivateNats(): Promise<PrivateService> {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-nats-'));
  const port = await freePort();
  const service = managed(
    {
      name: 'nats',
      url: `nats://127.0.0.1:${port}`,
      dir,
      stopSignal: 'SIGTERM',
      spawnProcess: () =>
        spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      probe: () => tcpProbe(port, undefined, '"jetstream":true'),
    },
    port,
  );
  return startOrClean(service);
}

/** Redis without persistence: a restart comes back empty, as compose's Redis does. */
export async function startPrivateRedis(): Promise<PrivateService> {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-redis-'));
  const port = await freePort();
  const service = managed(
    {
      name: 'redis',
      url: `redis://127.0.0.1:${port}`,
      dir,
      stopSignal: 'SIGTERM',
      spawnProcess: () =>
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--save',
            '',
            '--appendonly',
            'no',
            '--dir',
            dir,
          ],
          { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
        ),
      probe: () => tcpProbe(port, 'PING\r\n', '+PONG'),
    },
    port,
  );
  return startOrClean(service);
}

async function startOrClean(service: PrivateService): Promise<PrivateService> {
  try {
    await service.start();
    return service;
  } catch (error) {
    await service.destroy();
    throw error;
  }
}

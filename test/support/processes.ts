import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/**
 * `node scripts/build.mjs` once per test run: the build empties dist/ first, so two test files
 * building at once would pull the files from under each other's processes.
 */
export function buildOnce(): void {
  const marker = join(tmpdir(), `bastion-built-${process.env.BASTION_TEST_RUN_ID ?? process.pid}`);
  const lock = `${marker}.lock`;
  while (!existsSync(marker)) {
    try {
      mkdirSync(lock);
    } catch {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      continue;
    }
    try {
      if (!existsSync(marker)) {
        execFileSync('node', ['scripts/build.mjs'], { cwd: ROOT, stdio: 'ignore' });
        writeFileSync(marker, '');
      }
    } finally {
      rmdirSync(lock);
    }
  }
}

export interface ChildRun {
  child: ChildProcess;
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts a built main (`packages/standalone/dist/main.js`, `gateway/dist/main.js`, …) with `env`. */
export function spawnMain(main: string, env: Record<string, string | undefined>): ChildRun {
  const child = spawn(process.execPath, [main], { cwd: ROOT, env: { ...env, NODE_OPTIONS: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, stderr: () => stderr, exited };
}

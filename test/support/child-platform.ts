import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { SUBGRAPHS } from '@bastion/platform';
import { freePort } from './ports';
import { CHILD_READY_MS } from './env';
import { eventually } from './users';

const ROOT = resolve(__dirname, '../..');

/** Free ports for every listener of the all-in-one process, fixed across its restarts. */
export async function platformPorts(): Promise<Record<string, string>> {
  const names = ['PORT', 'INTERNAL_PORT', ...SUBGRAPHS.map((s) => s.portVar)];
  const ports = await Promise.all(names.map(freePort));
  return Object.fromEntries(names.map((name, i) => [name, String(ports[i])]));
}

/**
 * `npm start`'s process (all-in-one/dist/main.js, built by the jest global setup) as a
 * real child, so a test can kill it -9 or send it SIGTERM as an operator would.
 */
export class ChildPlatform {
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> | undefined;
  output = '';

  constructor(private readonly env: Record<string, string | undefined>) {}

  get url(): string {
    return `http://127.0.0.1:${this.env.PORT}/graphql`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and waits until the gateway reports ready. */
  async start(readyTimeoutMs = CHILD_READY_MS): Promise<void> {
    const child = spawn(process.execPath, ['all-in-one/dist/main.js'], {
      cwd: ROOT,
      env: { ...this.env, NODE_OPTIONS: '' } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exit = new Promise((done) => child.once('exit', (code) => done(code)));
    let exitedEarly = false;
    // A process that exits while starting fails the start at once, not at the ready deadline.
    const exited = this.exit.then((code) => {
      exitedEarly = true;
      throw new Error(`platform exited with ${code}:\n${this.output}`);
    });
    const ready = eventually(async () => {
      if (exitedEarly) return;
      const ready = await fetch(this.url.replace('/graphql', '/ready'));
      if (ready.status !== 200) throw new Error(`not ready: ${await ready.text()}`);
    }, readyTimeoutMs);
    exited.catch(() => undefined);
    await Promise.race([ready, exited]).catch((error: unknown) => {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`platform exited with ${child.exitCode}:\n${this.output}`);
      throw error;
    });
  }

  /** Sends a signal and resolves with the exit code once the process is gone. */
  async signal(signal: NodeJS.Signals): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null)
      return this.child?.exitCode ?? null;
    this.child.kill(signal);
    return this.exit!;
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }
}

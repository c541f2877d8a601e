import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, eventually } from '@bastion/testing';

/** A process whose stop takes `stopMs` (or never ends), stopped by stopOnSignals. */
function child(stopMs: number | 'never') {
  const script = `
    const { stopOnSignals } = require(${JSON.stringify(join(ROOT, 'packages/platform/dist/runtime/shutdown.js'))});
    const { createLogger } = require(${JSON.stringify(join(ROOT, 'packages/platform/dist/logging/logger.js'))});
    const stop = () => new Promise((resolve) => { ${stopMs === 'never' ? '' : `setTimeout(resolve, ${stopMs});`} });
    stopOnSignals(stop, { logger: createLogger({ name: 't' }), timeoutMs: 60000, duplicateWindowMs: 0 });
    setInterval(() => {}, 1000);
    console.log(JSON.stringify({ msg: 'ready' }));`;
  const proc = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<number | null>((done) => proc.once('exit', (code) => done(code)));
  const said = (msg: string) =>
    eventually(async () => expect(out).toContain(`"msg":"${msg}"`), 20_000);
  return { proc, exited, said };
}

describe('stopOnSignals', () => {
  it('stops on SIGTERM and exits 0', async () => {
    const run = child(10);
    await run.said('ready');
    run.proc.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('exits at once on a second signal while the stop is still running', async () => {
    const run = child('never');
    await run.said('ready');
    run.proc.kill('SIGTERM');
    await run.said('stopping: finishing requests in flight');
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(1);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@bastion/platform';
import { PGLITE_BENCH_PORT } from './services';

/**
 * For pgbench in embedded mode: a PGlite in a fresh directory, served by the product's own wire
 * server (unix socket `.s.PGSQL.<bench port>` and a password, both in the printed URL). The
 * product's PGlite serves its own process the same way; this is the same engine and server.
 */
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-bench-pglite-'));
  const db = await startEmbeddedPostgres({ dataDir: dir, port: PGLITE_BENCH_PORT });
  process.stdout.write(`ready ${db.url}\n`);
  process.on('SIGTERM', () => {
    db.close().finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

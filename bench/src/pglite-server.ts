import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@bastion/platform';
import { PGLITE_BENCH_PORT } from './services';

/**
 * For pgbench in embedded mode: a PGlite in a fresh directory, served by the product's own wire
 * server on the bench's port. (The product's PGlite listens on a port of its own choosing inside
 * its process; this is the same engine and server, on the same core.)
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

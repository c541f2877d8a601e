import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { startEmbeddedPostgres } from '../../packages/platform/src/db/embedded-postgres';

/**
 * Without DATABASE_URL the suite runs on one embedded PGlite served over the wire protocol, shared
 * by every worker; each test file then works in schemas of its own. Its URL names the unix socket
 * and carries the password drawn at this start, which workers inherit through the environment.
 */
export default async function globalSetup(): Promise<void> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  // Tests that run services as child processes use dist/: brought up to date once here (the build
  // only rewrites the workspaces whose sources changed, and never empties a dist/).
  execFileSync(process.execPath, ['scripts/build.mjs'], {
    cwd: resolve(__dirname, '../..'),
    stdio: 'ignore',
  });
  if (process.env.DATABASE_URL) return;
  // Idle limit as testEnv's: a worker stalled by a loaded machine is not an idle client.
  const embedded = await startEmbeddedPostgres({
    maxConnections: 200,
    idleInTransactionTimeoutMs: 10_000,
  });
  process.env.BASTION_TEST_DATABASE_URL = embedded.url;
  (globalThis as { __bastionEmbedded?: { close(): Promise<void> } }).__bastionEmbedded = embedded;
}

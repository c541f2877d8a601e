import { randomUUID } from 'node:crypto';
import { startEmbeddedPostgres } from '../../packages/platform/src/db/embedded-postgres';

/**
 * Without DATABASE_URL the suite runs on one embedded PGlite served over the wire protocol, shared
 * by every worker; each test file then works in schemas of its own.
 */
export default async function globalSetup(): Promise<void> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  // Names this run for helpers that must act once per run across workers (buildOnce).
  process.env.BASTION_TEST_RUN_ID ??= randomUUID();
  if (process.env.DATABASE_URL) return;
  const embedded = await startEmbeddedPostgres({ maxConnections: 200 });
  process.env.BASTION_TEST_DATABASE_URL = embedded.url;
  (globalThis as { __bastionEmbedded?: { close(): Promise<void> } }).__bastionEmbedded = embedded;
}

import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_JWT_SECRET = 'test-secret-for-bastion-jest-runs-0123456789';
/** The forwarded-claims master of test platforms (each subgraph's key derives from it), as in production. */
export const TEST_CLAIMS_SECRET = 'test-claims-secret-for-bastion-jest-runs-0123';
/** The audit chain's key in test platforms (orgs reads it). */
export const TEST_AUDIT_CHAIN_KEY = 'test-audit-chain-key-for-bastion-jest-runs-01';

/** A unique suffix for this test file's schemas, NATS stream and Redis keys. */
export function uniqueSuffix(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * The environment a test platform runs with: the real services when their URLs are set (CI's
 * second pass), else the suite's shared embedded PGlite, the in-process bus and memory.
 */
export function testEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    INTERNAL_CLAIMS_SECRET: TEST_CLAIMS_SECRET,
    AUDIT_CHAIN_KEY: TEST_AUDIT_CHAIN_KEY,
    DATABASE_URL: process.env.DATABASE_URL || process.env.BASTION_TEST_DATABASE_URL,
    NATS_URL: process.env.NATS_URL || undefined,
    REDIS_URL: process.env.REDIS_URL || undefined,
    // Cheap argon2 parameters keep tests fast; production refuses anything under the OWASP floor.
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    // A loaded CI machine can stall a worker for seconds inside a transaction; the limit's own
    // tests (embedded-postgres, data-source-timeouts) set theirs.
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT: '10',
    // Never the repository's ./data: development mail (docs/operations.md "The development inbox") lands under DATA_DIR.
    DATA_DIR: join(tmpdir(), 'bastion-test-data'),
    // `SUBGRAPH_TRANSPORT=http npm test -- <file>` runs an all-in-one suite over HTTP (default: in process).
    SUBGRAPH_TRANSPORT: process.env.SUBGRAPH_TRANSPORT || undefined,
    ...overrides,
  };
}

/**
 * How long to wait for a child process (a platform, a service, a private PostgreSQL/NATS/Redis) to
 * be ready. A loaded machine (CI, or 2 cores shared with other jobs) has taken over 60 s.
 */
export const CHILD_READY_MS = 180_000;

/**
 * The limit of a beforeAll/afterAll (or a test) that starts or stops a platform, private services
 * or child processes: a ready wait plus the work around it. Other tests keep jest's `testTimeout`.
 */
export const PLATFORM_SETUP_MS = 240_000;

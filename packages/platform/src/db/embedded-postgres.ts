import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import { servePglite } from './pglite-wire-server';

/**
 * PGlite's start parameters plus a smaller buffer pool: the default 128MB pool is initialised on
 * every start in WebAssembly (~0.5 s of CPU on one core); 32MB holds the product's working set of a
 * development or small deployment, and pages outside it are read from DATA_DIR's files.
 */
const BUFFER_POOL = ['-c', 'shared_buffers=32MB'];

export interface EmbeddedPostgres {
  /** A postgres:// URL the ordinary `pg` driver connects to. */
  url: string;
  close(): Promise<void>;
}

/**
 * One PGlite database served over the Postgres wire protocol, so embedded mode runs the same
 * driver and SQL as a real server. PGlite has one session: connections take turns, one statement
 * sequence or transaction at a time, and maxConnections must cover every pool that connects.
 * A data directory is locked to one process (see lockDataDir).
 */
export async function startEmbeddedPostgres(options: {
  dataDir?: string;
  port?: number;
  maxConnections?: number;
}): Promise<EmbeddedPostgres> {
  const { PGlite } = await import('@electric-sql/pglite');
  let dataDir: string | undefined;
  let lock: DataDirLock | undefined;
  if (options.dataDir) {
    lock = lockDataDir(options.dataDir);
    dataDir = resolve(options.dataDir, 'pglite');
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR from the operator's config
    mkdirSync(dataDir, { recursive: true });
  }
  try {
    const db = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      startParams: [...PGlite.defaultStartParams, ...BUFFER_POOL],
    });
    const server = await servePglite(db, {
      host: '127.0.0.1',
      port: options.port ?? 0,
      maxConnections: options.maxConnections ?? 64,
    });
    return {
      url: `postgres://postgres@${server.address}/postgres`,
      async close() {
        await server.close();
        await db.close();
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/* eslint-disable security/detect-non-literal-fs-filename -- every path is DATA_DIR from the operator's config joined with a fixed file name */
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StartupRefusal } from '../errors/startup-refusal';

export interface DataDirLock {
  release(): void;
}

const LOCK_FILE = 'bastion.lock';
/** Directories this process holds: a second hold from the same process is refused too. */
const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function refusal(dir: string, pid: number | null): StartupRefusal {
  return new StartupRefusal(
    `DATA_DIR ${dir} is in use by another Bastion process${pid ? ` (pid ${pid})` : ''}: stop it first, or give this one another DATA_DIR.`,
  );
}

/**
 * One process per embedded database: PGlite has no lock of its own, and two processes writing
 * one data directory split the data and leave it unopenable. The lock is a file holding the
 * owner's pid, created atomically (link fails if it exists); a lock whose pid is dead (kill -9,
 * power loss) is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const dir = resolve(dataDir);
  if (held.has(dir)) throw refusal(dir, process.pid);
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, LOCK_FILE);
  const mine = join(dir, `${LOCK_FILE}.${process.pid}`);
  writeFileSync(mine, String(process.pid));
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        linkSync(mine, lock);
        held.add(dir);
        return {
          release: () => {
            held.delete(dir);
            releaseIfMine(lock);
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readPid(lock);
      // Our own pid, not held here, is a lock left by an earlier life of this container (pid 1 again).
      if (holder !== null && holder !== process.pid && isAlive(holder)) throw refusal(dir, holder);
      setAsideStale(lock, holder, dir);
    }
    throw refusal(dir, readPid(lock));
  } finally {
    unlinkSync(mine);
  }
}

/**
 * Moves a stale lock away by rename (atomic). If a concurrent starter replaced it meanwhile, the
 * file moved is theirs: it goes back, and they hold the directory.
 */
function setAsideStale(lock: string, stalePid: number | null, dir: string): void {
  const aside = `${lock}.stale.${process.pid}`;
  try {
    renameSync(lock, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readPid(aside);
  if (moved !== stalePid && moved !== null && isAlive(moved)) {
    try {
      linkSync(aside, lock);
    } finally {
      unlinkSync(aside);
    }
    throw refusal(dir, moved);
  }
  unlinkSync(aside);
}

function releaseIfMine(lock: string): void {
  if (readPid(lock) !== process.pid) return;
  try {
    unlinkSync(lock);
  } catch {
    // Already gone: nothing to release.
  }
}

/* eslint-disable security/detect-non-literal-fs-filename -- DATA_DIR from config joined with a fixed file name */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../config/load-config';

/**
 * Development only: a secret kept under DATA_DIR (mode 0600), so sessions survive restarts and
 * services started separately on one machine agree on it. Created atomically (write, then link):
 * two services starting at once end up with the same value.
 */
export function developmentSecret(dataDir: string, name: string): string {
  const file = join(dataDir, `development-${name.toLowerCase().replace(/_/g, '-')}`);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(draft, randomBytes(32).toString('base64url'), { mode: 0o600 });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(draft);
    }
    return readFileSync(file, 'utf8').trim();
  }
}

/**
 * Fills the named secrets that are unset (neither NAME nor NAME_FILE) with development secrets.
 * Never in production, where every secret must be given and a missing one fails the start.
 */
export function withDevelopmentSecrets(env: Env, names: string[]): { env: Env; generated: string[] } {
  if (env.NODE_ENV === 'production') return { env, generated: [] };
  const filled: Env = { ...env };
  const generated = names.filter((name) => !env[name] && !env[`${name}_FILE`]);
  for (const name of generated) filled[name] = developmentSecret(env.DATA_DIR || './data', name);
  return { env: filled, generated };
}

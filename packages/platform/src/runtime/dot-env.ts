import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import type { Env } from '../config/load-config';

/**
 * `env` with the settings of a `.env` file added, when the file exists (development: copy
 * .env.example). A variable already set wins: the real environment of a deployment is never
 * overridden by a file someone left in the working directory.
 */
export function withDotEnv(env: Env, file = '.env'): { env: Env; loaded: string[]; path?: string } {
  const path = resolve(file);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the working directory's .env, by convention
  if (!existsSync(path)) return { env, loaded: [] };
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- as above
  const parsed = parseEnv(readFileSync(path, 'utf8'));
  const loaded = Object.keys(parsed).filter((key) => env[key] === undefined);
  return {
    env: { ...env, ...Object.fromEntries(loaded.map((key) => [key, parsed[key]])) },
    loaded,
    path,
  };
}

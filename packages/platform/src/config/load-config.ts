import { readFileSync } from 'node:fs';
import { z } from 'zod';

export type Env = Record<string, string | undefined>;

/** Thrown when the environment does not satisfy a service's config schema; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Resolves `NAME_FILE` variables (Docker/Kubernetes secrets) into `NAME`.
 * A variable given both ways is a problem: which one wins would be a guess.
 */
export function resolveFileVariables(
  env: Env,
  problems: string[],
  known: ReadonlySet<string>,
): Env {
  const resolved: Env = { ...env };
  for (const [key, path] of Object.entries(env)) {
    if (!key.endsWith('_FILE') || !path) continue;
    const name = key.slice(0, -'_FILE'.length);
    // Only our own settings: the environment holds other programs' *_FILE variables too.
    if (!known.has(name)) continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name}: set both ${name} and ${key}; keep one`);
      continue;
    }
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- NAME_FILE is set by the operator (that is its purpose), read once at start
      resolved[name] = readFileSync(path, 'utf8').trim();
    } catch {
      problems.push(`${key}: cannot read file ${path}`);
    }
  }
  return resolved;
}

/**
 * Parses the environment with a zod schema: typed, frozen, and every problem reported in one
 * error. Empty strings count as unset so that `FOO=` in an .env file means "default".
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env): Readonly<z.infer<S>> {
  const problems: string[] = [];
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  const resolved = resolveFileVariables(env, problems, new Set(Object.keys(shape ?? {})));
  const cleaned = Object.fromEntries(
    Object.entries(resolved).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    for (const issue of result.error.issues) {
      // A check across fields (path []) names its variables in its own message.
      const path = issue.path.join('.');
      problems.push(path ? `${path}: ${issue.message}` : issue.message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(result.data as z.infer<S>);
}

/* eslint-disable security/detect-non-literal-fs-filename -- DATA_DIR from config joined with a fixed file name */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimsKeyVar, deriveSubgraphClaimsKey } from '../auth/claims-keys';
import { serviceTokenEntry } from '../auth/service-tokens';
import { SCOPES } from '../auth/viewer';
import { ConfigError, type Env } from '../config/load-config';
import { SUBGRAPHS } from '../registry/subgraphs';

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
export function withDevelopmentSecrets(
  env: Env,
  names: string[],
): { env: Env; generated: string[] } {
  if (env.NODE_ENV === 'production') return { env, generated: [] };
  const filled: Env = { ...env };
  const generated = names.filter((name) => !env[name] && !env[`${name}_FILE`]);
  for (const name of generated) filled[name] = developmentSecret(env.DATA_DIR || './data', name);
  return { env: filled, generated };
}

const isSet = (env: Env, name: string) => Boolean(env[name] || env[`${name}_FILE`]);

/**
 * The environment of a subgraph's own process as far as forwarded claims go: its own key,
 * `<NAME>_CLAIMS_KEY`, and never the gateway's INTERNAL_CLAIMS_SECRET, from which every subgraph's
 * key derives (holding it, one subgraph could mint claims all the others accept). Production
 * refuses the master here; outside production an unset key is derived from the master the
 * environment gives (e.g. a shared .env), else from the development one under DATA_DIR (the
 * gateway's), and the master is dropped.
 */
export function withSubgraphClaimsKey(
  env: Env,
  subgraph: string,
): { env: Env; generated: string[] } {
  const own = claimsKeyVar(subgraph);
  const { INTERNAL_CLAIMS_SECRET: master, INTERNAL_CLAIMS_SECRET_FILE: masterFile, ...rest } = env;
  if (env.NODE_ENV === 'production') {
    if (master || masterFile)
      throw new ConfigError([
        `INTERNAL_CLAIMS_SECRET: the gateway's master key, never a subgraph's; give ${subgraph} only ${own} (node scripts/claims-keys.mjs derives it)`,
      ]);
    return { env, generated: [] };
  }
  if (isSet(env, own)) return { env: rest, generated: [] };
  let secret = master;
  if (!secret && masterFile) {
    try {
      secret = readFileSync(masterFile, 'utf8').trim();
    } catch {
      throw new ConfigError([`INTERNAL_CLAIMS_SECRET_FILE: cannot read file ${masterFile}`]);
    }
  }
  const generated = secret ? [] : [own];
  secret ||= developmentSecret(env.DATA_DIR || './data', 'INTERNAL_CLAIMS_SECRET');
  return { env: { ...rest, [own]: deriveSubgraphClaimsKey(secret, subgraph) }, generated };
}

/**
 * Development only: the service tokens of services started one by one (`npm run start:gateway`,
 * `npm run start:service -- <name>`), kept under DATA_DIR like the secrets above, so processes
 * sharing a working directory trust each other with nothing configured. A subgraph whose registry
 * entry has a service token gets it (e.g. AUTH_SERVICE_TOKEN); the gateway, when SERVICE_TOKENS is
 * unset, accepts every one of them with the registry's scopes, plus a development token with
 * every scope that it returns for the operator (printed at start). Never in production.
 */
export function withDevelopmentServiceTokens(
  env: Env,
  service: string,
): { env: Env; generated: string[]; developmentToken?: string } {
  if (env.NODE_ENV === 'production') return { env, generated: [] };
  const dataDir = env.DATA_DIR || './data';
  const tokenOf = (name: string) => `bst_${developmentSecret(dataDir, name)}`;
  const filled: Env = { ...env };
  const generated: string[] = [];
  const own = SUBGRAPHS.find((entry) => entry.name === service)?.serviceToken;
  if (own && !isSet(env, own.var)) {
    filled[own.var] = tokenOf(own.var);
    generated.push(own.var);
  }
  if (service !== 'gateway' || isSet(env, 'SERVICE_TOKENS')) return { env: filled, generated };
  const developmentToken = tokenOf('ALL_SCOPES_SERVICE_TOKEN');
  const entries = SUBGRAPHS.flatMap((entry) =>
    entry.serviceToken
      ? [
          serviceTokenEntry(
            entry.name,
            [...entry.serviceToken.scopes],
            tokenOf(entry.serviceToken.var),
          ),
        ]
      : [],
  );
  entries.push(serviceTokenEntry('development', [...SCOPES], developmentToken));
  filled.SERVICE_TOKENS = JSON.stringify(entries);
  generated.push('SERVICE_TOKENS');
  return { env: filled, generated, developmentToken };
}

// Writes the secret files docker-compose.yml reads (./secrets by default): random keys, one
// database password and URL per service, each subgraph's claims key (derived from
// internal_claims_secret, which only the gateway reads), and the service tokens with the gateway's
// list of their hashes. Existing files are kept, so re-running never rotates a secret by accident.
//   node scripts/compose-secrets.mjs [--dir secrets] [--database-url postgres://…] [--force]
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { subgraphClaimsKey } from './claims-keys.mjs';
import registry from '../subgraphs/registry.cjs';

const subgraphs = registry.readSubgraphRegistry();
/** The tokens services present to the gateway's internal listener, and the scopes each needs (subgraphs/registry.json). */
export const SERVICE_TOKEN_SCOPES = Object.fromEntries(
  subgraphs.filter((s) => s.serviceToken).map((s) => [s.name, s.serviceToken.scopes]),
);
const KEYS = [
  'jwt_secret',
  'internal_claims_secret',
  'refresh_token_secret',
  'password_pepper',
  'audit_chain_key',
  'mfa_encryption_key',
  'webhooks_encryption_key',
  'postgres_password',
];
/** Every subgraph has a database role and schema of its own. */
const DATABASE_SERVICES = subgraphs.map((s) => s.name);

/** Same format as generateServiceToken in packages/platform: 256 bits with a scanner-visible prefix. */
const serviceToken = () => `bst_${randomBytes(32).toString('base64url')}`;

export function writeComposeSecrets({ dir = 'secrets', databaseUrl, force = false } = {}) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (name) => join(dir, name);
  const write = (name, value) => {
    if (existsSync(path(name)) && !force) return readFileSync(path(name), 'utf8');
    if (existsSync(path(name))) chmodSync(path(name), 0o644);
    // World-readable inside a private directory: the containers' users (node, postgres) read them.
    writeFileSync(path(name), value, { mode: 0o444 });
    chmodSync(path(name), 0o444);
    return value;
  };
  for (const name of KEYS) write(name, randomBytes(48).toString('base64'));
  // Rewritten from the master every time, so they always match it (a rotated master rotates them).
  const master = readFileSync(path('internal_claims_secret'), 'utf8').trim();
  for (const service of DATABASE_SERVICES) {
    const file = path(`${service}_claims_key`);
    if (existsSync(file)) chmodSync(file, 0o644);
    writeFileSync(file, subgraphClaimsKey(master, service));
    chmodSync(file, 0o444);
  }
  for (const service of DATABASE_SERVICES) {
    const password = write(`${service}_db_password`, randomBytes(24).toString('hex'));
    write(
      `${service}_database_url`,
      databaseUrl ?? `postgres://bastion_${service}:${password}@postgres:5432/bastion`,
    );
  }
  const entries = Object.entries(SERVICE_TOKEN_SCOPES).map(([name, scopes]) => {
    const token = write(`${name}_service_token`, serviceToken());
    return { name, scopes, sha256: createHash('sha256').update(token).digest('hex') };
  });
  // Rewritten from the token files every time, so it always matches them.
  if (existsSync(path('service_tokens'))) chmodSync(path('service_tokens'), 0o644);
  writeFileSync(path('service_tokens'), JSON.stringify(entries));
  chmodSync(path('service_tokens'), 0o444);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      'database-url': { type: 'string' },
      force: { type: 'boolean' },
    },
  });
  writeComposeSecrets({
    dir: values.dir,
    databaseUrl: values['database-url'],
    force: values.force,
  });
  console.log(`secrets written to ${values.dir ?? 'secrets'}/`);
}

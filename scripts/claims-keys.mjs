#!/usr/bin/env node
// Each subgraph's forwarded-claims key, derived from the gateway's INTERNAL_CLAIMS_SECRET, for
// deployments that hand each subgraph process its own `<NAME>_CLAIMS_KEY` (docs/security.md "Forwarded
// claims: one key per subgraph"). The platform derives the same value (deriveSubgraphClaimsKey).
//   INTERNAL_CLAIMS_SECRET_FILE=/path node scripts/claims-keys.mjs [subgraph ...]
//   (or INTERNAL_CLAIMS_SECRET in the environment); prints NAME_CLAIMS_KEY=<key> lines.
import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** HKDF-SHA256(master, no salt, info "bastion claims <subgraph>", 32 bytes), base64url. */
export function subgraphClaimsKey(master, subgraph) {
  const bytes = hkdfSync(
    'sha256',
    Buffer.from(master, 'utf8'),
    Buffer.alloc(0),
    Buffer.from(`bastion claims ${subgraph}`, 'utf8'),
    32,
  );
  return Buffer.from(bytes).toString('base64url');
}

export const claimsKeyVar = (subgraph) => `${subgraph.toUpperCase()}_CLAIMS_KEY`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.env.INTERNAL_CLAIMS_SECRET_FILE;
  const master = file ? readFileSync(file, 'utf8').trim() : process.env.INTERNAL_CLAIMS_SECRET;
  if (!master || Buffer.byteLength(master) < 32) {
    console.error('set INTERNAL_CLAIMS_SECRET or INTERNAL_CLAIMS_SECRET_FILE (32+ bytes)');
    process.exit(1);
  }
  const { subgraphs } = JSON.parse(
    readFileSync(new URL('../subgraphs/registry.json', import.meta.url), 'utf8'),
  );
  const names = process.argv.length > 2 ? process.argv.slice(2) : subgraphs.map((s) => s.name);
  for (const name of names) {
    if (!subgraphs.some((s) => s.name === name)) {
      console.error(`no subgraph "${name}" in subgraphs/registry.json`);
      process.exit(1);
    }
    console.log(`${claimsKeyVar(name)}=${subgraphClaimsKey(master, name)}`);
  }
}

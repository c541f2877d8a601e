// Fails unless every installed production dependency (what the workspaces' `dependencies` pull in,
// transitively, resolved through node_modules as Node resolves them) declares a license from the
// allow-list below. Dev-only tools (jest, eslint, typescript...) are not shipped and not checked.
// Usage: node scripts/check-licenses.mjs [root]   (CI and test/supply-chain run it)
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { workspaceDirs } from './workspaces.mjs';

// Permissive licenses, plus MPL-2.0 (file-level copyleft: using unmodified files is fine; a
// change to an MPL file itself must be published). Anything else needs a review and an entry here.
const ALLOWED = new Set([
  'MIT',
  'MIT-0',
  'ISC',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'BlueOak-1.0.0',
  'Python-2.0',
  'CC0-1.0',
  'Unlicense',
  'MPL-2.0',
]);

// Reviewed exceptions, by package and exact license (a changed license fails again). Apollo
// Federation's gateway, query planner and composition are Elastic License 2.0: source-available,
// free to use for running one's own API; it forbids offering them to third parties as a hosted
// or managed service and removing licence-key functionality. Bastion only runs them for itself.
const EXCEPTIONS = new Map([
  ['@apollo/gateway', 'Elastic-2.0'],
  ['@apollo/query-planner', 'Elastic-2.0'],
  ['@apollo/query-graphs', 'Elastic-2.0'],
  ['@apollo/composition', 'Elastic-2.0'],
  ['@apollo/federation-internals', 'Elastic-2.0'],
]);

const root = resolve(process.argv[2] ?? '.');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Node's lookup: DIR/node_modules/NAME, then each parent's, up to the repository root. */
function locate(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return dirname(realpathSync(candidate));
    if (dir === root || dirname(dir) === dir) return null;
  }
}

/** SPDX expression: `A OR B` passes when either does, `A AND B` when both do; `X WITH exception` is X. */
function allowed(expression) {
  const tokens = expression.replace(/[()]/g, ' $& ').split(/\s+/).filter(Boolean);
  let i = 0;
  const primary = () => {
    if (tokens[i] === '(') {
      i += 1;
      const v = or();
      i += 1;
      return v;
    }
    const id = tokens[i++];
    if (tokens[i] === 'WITH') i += 2;
    return ALLOWED.has(id);
  };
  const and = () => {
    let v = primary();
    while (tokens[i] === 'AND') {
      i += 1;
      v = primary() && v;
    }
    return v;
  };
  const or = () => {
    let v = and();
    while (tokens[i] === 'OR') {
      i += 1;
      v = and() || v;
    }
    return v;
  };
  return or();
}

function licenseOf(manifest) {
  if (typeof manifest.license === 'string') return manifest.license;
  if (manifest.license?.type) return manifest.license.type; // legacy object form
  if (Array.isArray(manifest.licenses))
    return manifest.licenses.map((l) => l.type ?? l).join(' OR ');
  return '';
}

const workspaces = workspaceDirs(root);
const seen = new Set(workspaces.map((ws) => realpathSync(join(root, ws))));
const queue = [...seen].map((dir) => ({ dir }));
const offenders = [];
let checked = 0;
const excepts = [];
while (queue.length > 0) {
  const { dir } = queue.shift();
  const manifest = readJson(join(dir, 'package.json'));
  const isWorkspace = workspaces.some((ws) => realpathSync(join(root, ws)) === dir);
  if (!isWorkspace) {
    checked += 1;
    const license = licenseOf(manifest);
    const excepted = EXCEPTIONS.get(manifest.name) === license;
    if (excepted) excepts.push(`${manifest.name} (${license})`);
    else if (!license || !allowed(license))
      offenders.push(
        `${manifest.name}@${manifest.version} (${relative(root, dir)}): ${license || 'no license field'}`,
      );
  }
  // Optional and peer dependencies count when installed: then they are part of the running tree.
  const optional = new Set([
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  for (const name of new Set([...Object.keys(manifest.dependencies ?? {}), ...optional])) {
    const found = locate(name, dir);
    if (!found) {
      if (!optional.has(name))
        offenders.push(`${name} (needed by ${manifest.name}): not installed`);
      continue;
    }
    if (!seen.has(found)) {
      seen.add(found);
      queue.push({ dir: found });
    }
  }
}

if (offenders.length > 0) {
  console.error(
    `${offenders.length} production dependenc(ies) without an allowed license:\n  ${offenders.join('\n  ')}`,
  );
  console.error(
    `Allowed: ${[...ALLOWED].join(', ')} (scripts/check-licenses.mjs explains how to change that).`,
  );
  process.exit(1);
}
console.log(`licenses: ${checked} installed production packages under ${[...ALLOWED].join(', ')}`);
if (excepts.length > 0) console.log(`  reviewed exceptions: ${excepts.join(', ')}`);

// Fails when an installed package declares an `engines.node` range that excludes the running Node
// (what `npm ci` reports as EBADENGINE) or the oldest Node the root package.json's `engines.node`
// admits (so `engines` never promises a version some dependency refuses). Every copy under every
// node_modules is checked, nested ones and workspaces' included, dev tools too.
// Usage: node scripts/check-engines.mjs [root] [--node <version>]   (CI and test/supply-chain run it)
import { existsSync, lstatSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative, resolve } from 'node:path';
import { workspaceDirs } from './workspaces.mjs';

const args = process.argv.slice(2);
const nodeFlag = args.indexOf('--node');
const running = (nodeFlag >= 0 ? args.splice(nodeFlag, 2)[1] : process.version).replace(/^v/, '');
const root = resolve(args[0] ?? '.');

// --- semver ranges, as npm reads `engines` (node-semver's grammar; no prerelease handling) ---
const parse = (text) => {
  const m = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+].*)?$/.exec(text.trim());
  if (!m) throw new Error(`not a version: ${JSON.stringify(text)}`);
  const parts = m.slice(1, 4).map((p) => (p === undefined || /[xX*]/.test(p) ? null : Number(p)));
  // A wildcard ends the version: 20.x.5 is 20.x.
  const first = parts.indexOf(null);
  return first < 0 ? parts : parts.map((p, i) => (i < first ? p : null));
};
const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const full = (p) => p.map((n) => n ?? 0);
/** The version just above every version `p` (with wildcards) stands for: 20.x -> 21.0.0. */
const above = (p) => {
  const known = p.filter((n) => n !== null).length;
  if (known === 0) return null; // * has no upper end
  const out = [0, 0, 0];
  for (let i = 0; i < known; i += 1) out[i] = p[i];
  out[known - 1] += 1;
  return out;
};
/** One comparator as [lower, lowerInclusive, upper, upperInclusive] (null: unbounded). */
function bounds(op, p) {
  const exact = p.every((n) => n !== null);
  switch (op) {
    case '>=':
      return [full(p), true, null];
    case '>':
      return exact ? [p, false, null] : [above(p), true, null];
    case '<':
      return [null, true, full(p), false];
    case '<=':
      return exact ? [null, true, p, true] : [null, true, above(p), false];
    case '^': {
      const [major, minor, patch] = p;
      const upper =
        major !== 0 || minor === null
          ? above([major, null, null])
          : minor !== 0 || patch === null
            ? above([0, minor, null])
            : [0, 0, patch + 1];
      return [full(p), true, upper, false];
    }
    case '~':
      return [full(p), true, above(p[1] === null ? [p[0], null, null] : [p[0], p[1], null]), false];
    default: // = or none
      return exact ? [p, true, p, true] : [full(p), true, above(p), false];
  }
}
function satisfiesComparator(v, [lower, lowerIn, upper, upperIn]) {
  if (lower && (lowerIn ? cmp(v, lower) < 0 : cmp(v, lower) <= 0)) return false;
  if (upper && (upperIn ? cmp(v, upper) > 0 : cmp(v, upper) >= 0)) return false;
  return true;
}
/** Each `||` alternative as a list of comparators' bounds. */
export function parseRange(range) {
  return range.split('||').map((set) => {
    const text = set.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1');
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    if (hyphen) {
      const to = parse(hyphen[2]);
      return [bounds('>=', parse(hyphen[1])), bounds('<=', to)];
    }
    if (text === '' || text === '*' || /^[xX]$/.test(text)) return [[null, true, null]];
    return text.split(/\s+/).map((c) => {
      const m = /^(>=|<=|>|<|=|\^|~>?|)(.*)$/.exec(c);
      return bounds(m[1].replace('~>', '~'), parse(m[2]));
    });
  });
}
export function satisfies(version, range) {
  const v = full(parse(version));
  return parseRange(range).some((set) => set.every((c) => satisfiesComparator(v, c)));
}
/** The oldest version a range admits (its lowest lower bound). */
function oldest(range) {
  const lows = parseRange(range).map((set) =>
    set.reduce(
      (low, [lower, inclusive]) => {
        if (!lower) return low;
        const candidate = inclusive ? lower : [lower[0], lower[1], lower[2] + 1];
        return cmp(candidate, low) > 0 ? candidate : low;
      },
      [0, 0, 0],
    ),
  );
  return lows.reduce((a, b) => (cmp(a, b) <= 0 ? a : b)).join('.');
}

// --- the installed packages ---
function* installed(dir) {
  const modules = join(dir, 'node_modules');
  if (!existsSync(modules)) return;
  for (const name of readdirSync(modules)) {
    if (name.startsWith('.')) continue;
    const names = name.startsWith('@')
      ? readdirSync(join(modules, name)).map((n) => `${name}/${n}`)
      : [name];
    for (const pkg of names) {
      const path = join(modules, pkg);
      if (lstatSync(path).isSymbolicLink()) continue; // a workspace, checked as one below
      if (existsSync(join(path, 'package.json'))) yield path;
      yield* installed(path);
    }
  }
}

// Run as a script (not when imported for its range functions).
if (
  process.argv[1] &&
  realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
) {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const declared = manifest.engines?.node;
  const targets = [[running, 'the running Node']];
  if (declared) targets.push([oldest(declared), `engines.node "${declared}" of package.json`]);
  const offenders = [];
  let count = 0;
  for (const dir of [root, ...workspaceDirs(root).map((w) => join(root, w))]) {
    for (const path of installed(dir)) {
      const { name, version, engines } = JSON.parse(
        readFileSync(join(path, 'package.json'), 'utf8'),
      );
      count += 1;
      const range = typeof engines?.node === 'string' ? engines.node : null;
      if (!range) continue;
      for (const [node, what] of targets)
        if (!satisfies(node, range))
          offenders.push(
            `${name}@${version} (${relative(root, path)}) needs node ${range}: excludes ${node}, ${what}`,
          );
    }
  }
  if (offenders.length > 0) {
    console.error(`${offenders.length} installed package(s) refuse a Node this project runs on:`);
    console.error(`  ${offenders.join('\n  ')}`);
    console.error(
      'Pin a version that admits it in package.json "overrides" (npm view <pkg>@<version> engines), or raise engines.node.',
    );
    process.exit(1);
  }
  console.log(
    `engines: ${count} installed packages admit node ${targets.map(([v]) => v).join(' and ')}`,
  );
}

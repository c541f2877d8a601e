// Fails unless every dependency of the root package.json and of every workspace is an exact
// version (1.2.3, or 1.2.3-rc.1): no ^ ~ * x, ranges, tags, URLs, git or file specs. With exact
// pins a dependency changes only in a reviewed diff of package.json and package-lock.json.
// Usage: node scripts/check-pinned.mjs [root]   (CI and test/supply-chain run it)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { workspaceDirs } from './workspaces.mjs';

const EXACT = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const SECTIONS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
  'overrides',
];

const root = resolve(process.argv[2] ?? '.');
// Workspaces by path, `dir/*` expanded (scripts/workspaces.mjs refuses any other glob).
const workspaces = workspaceDirs(root);
const offenders = [];

let checked = 0;
for (const dir of ['.', ...workspaces]) {
  const file = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(join(root, file), 'utf8'));
  for (const section of SECTIONS) {
    for (const [name, spec] of Object.entries(manifest[section] ?? {})) {
      checked += 1;
      if (typeof spec !== 'string' || !EXACT.test(spec))
        offenders.push(
          `${file}: ${section}.${name} is ${JSON.stringify(spec)}, not an exact version`,
        );
    }
  }
}

if (offenders.length > 0) {
  console.error(`${offenders.length} dependency spec(s) not pinned:\n  ${offenders.join('\n  ')}`);
  console.error(
    'Pin each to the exact version in package-lock.json, then npm install && node scripts/complete-lockfile.mjs.',
  );
  process.exit(1);
}
console.log(
  `pinned: ${checked} dependency specs in ${workspaces.length + 1} package.json files are exact versions`,
);

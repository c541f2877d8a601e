// `npm start`, `npm run start:gateway`, `npm run start:service -- <name>` (and the shorthands
// `npm run start:auth` etc.): builds what changed (scripts/build.mjs: a no-op when every
// workspace's dist/ matches its sources, safe when several starts run at once), then runs the
// built main in this process, so signals reach it directly.
//   node scripts/start.mjs all-in-one | gateway | <subgraph of subgraphs/registry.json>
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import registry from '../subgraphs/registry.cjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const subgraphs = registry.readSubgraphRegistry(root);
const mains = {
  'all-in-one': 'all-in-one/dist/main.js',
  gateway: 'gateway/dist/main.js',
  ...Object.fromEntries(subgraphs.map((s) => [s.name, join(s.folder, s.main)])),
};
const name = process.argv[2];
if (!name || !Object.hasOwn(mains, name)) {
  console.error(`usage: node scripts/start.mjs <${Object.keys(mains).join('|')}>`);
  process.exit(2);
}
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);
await import(pathToFileURL(join(root, mains[name])).href);

// The files the runtime image needs besides its production node_modules, gathered under one
// directory for the Dockerfile's runtime stage: every workspace's package.json and dist/, the built console (console/dist), each
// subgraph's folder of subgraphs/registry.json minus its sources and tests (schema.graphql,
// data/), the registry, the committed supergraphs and the healthcheck.
//   node scripts/image-files.mjs <out directory>   (after scripts/build.mjs)
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import registry from '../subgraphs/registry.cjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2];
if (!out) throw new Error('usage: node scripts/image-files.mjs <out directory>');
rmSync(out, { recursive: true, force: true });
const subgraphs = registry.readSubgraphRegistry(root);
const copy = (path, filter) => {
  if (!existsSync(join(root, path))) return;
  mkdirSync(dirname(join(out, path)), { recursive: true });
  cpSync(join(root, path), join(out, path), { recursive: true, filter });
};
for (const workspace of ['packages/platform', 'all-in-one', 'gateway']) {
  copy(join(workspace, 'package.json'));
  copy(join(workspace, 'dist'));
}
// The built web console, served by the gateway at /console (CONSOLE=on); its sources stay behind.
copy('console/dist');
const SOURCES = new Set(['src', 'test', 'node_modules']);
for (const { folder } of subgraphs)
  copy(folder, (path) => !SOURCES.has(basename(path)) || dirname(path) !== join(root, folder));
for (const file of [
  'subgraphs/registry.json',
  'subgraphs/registry.cjs',
  'schema/supergraph.public.graphql',
  'schema/supergraph.internal.graphql',
  'deploy/healthcheck.mjs',
])
  copy(file);
console.log(`image files gathered in ${out}`);

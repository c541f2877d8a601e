// `npm run start:service -- <name>`: one subgraph of subgraphs/registry.json in its own process
// (its built main, run in this process so signals reach it directly). Build first (npm run build).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import registry from '../subgraphs/registry.cjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const subgraphs = registry.readSubgraphRegistry(root);
const name = process.argv[2];
const entry = subgraphs.find((s) => s.name === name);
if (!entry) {
  console.error(`usage: npm run start:service -- <${subgraphs.map((s) => s.name).join('|')}>`);
  process.exit(2);
}
await import(pathToFileURL(join(root, entry.folder, entry.main)).href);

#!/usr/bin/env node
// Fails when a generated file (subgraph resolver types, the console's operation types in
// console/src/generated/) differs from what `npm run codegen` would write now
// (schema.graphql changed without regenerating, or the file was edited by hand). Generates in
// memory from codegen.ts and compares byte for byte; writes nothing.
// Usage: node scripts/check-codegen.mjs [root]   (root: the directory holding codegen.ts; default: here)
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';

const root = path.resolve(process.argv[2] ?? '.');
const { config } = await loadCodegenConfig({ configFilePath: path.join(root, 'codegen.ts') });
const outputs = await generate({ ...config, cwd: root, silent: true }, false);
const stale = [];
for (const { filename, content } of outputs) {
  const file = path.resolve(root, filename);
  if (!existsSync(file) || readFileSync(file, 'utf8') !== content)
    stale.push(path.relative(root, file));
}
if (stale.length > 0) {
  console.error(
    `stale generated types (run \`npm run codegen\` and commit):\n  ${stale.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`generated types: ${outputs.length} generated files are fresh`);

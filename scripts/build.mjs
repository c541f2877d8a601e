// Transpiles every workspace's src/ to dist/ with swc (types are checked separately by `npm run typecheck`).
import { transformFile } from '@swc/core';
import { mkdir, readFile, readdir, rm, writeFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { subgraphs } = JSON.parse(await readFile(join(root, 'subgraphs/registry.json'), 'utf8'));
const packages = [
  'packages/platform',
  'all-in-one',
  'gateway',
  'schema',
  'bench',
  ...subgraphs.map((s) => s.folder),
];
const swcOptions = { ...createRequire(import.meta.url)('./swc-options.cjs'), sourceMaps: true };

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.test.ts') &&
      !entry.name.endsWith('.d.ts')
    )
      yield path;
  }
}

let count = 0;
for (const pkg of packages) {
  const src = join(root, pkg, 'src');
  try {
    await stat(src);
  } catch {
    continue;
  }
  // A fresh dist each time: a stale file (e.g. Mutation.js beside Mutation/index.js) would win resolution.
  await rm(join(root, pkg, 'dist'), { recursive: true, force: true });
  for await (const file of sources(src)) {
    const out = join(root, pkg, 'dist', relative(src, file)).replace(/\.ts$/, '.js');
    const { code, map } = await transformFile(file, {
      ...swcOptions,
      filename: file,
      sourceFileName: relative(dirname(out), file),
    });
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
    await writeFile(`${out}.map`, map);
    count += 1;
  }
}
console.log(`built ${count} files`);

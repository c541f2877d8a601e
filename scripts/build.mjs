// Transpiles every workspace's src/ to dist/ with swc (types are checked separately by `npm run typecheck`),
// and builds the web console (console/, Vite) into console/dist when its sources changed.
//   node scripts/build.mjs           builds the workspaces whose sources changed since their last build
//   node scripts/build.mjs --force   rebuilds every workspace
// Safe to run from several processes at once (five `npm run start:*` started together): each
// workspace's dist/ carries a stamp (dist/.build-stamp.json) with a hash of its sources, the swc
// options, the swc version and this file; a workspace whose stamp matches is left alone. Building
// takes a lock file (.build.lock at the root, holding the builder's pid; a lock whose process is
// gone is taken over), and whoever waited for it checks the stamps again, so a fresh build is never
// redone. dist/ is never emptied: every file is written beside its target and renamed over it
// (a process loading dist/ sees the old file or the new one, never a missing or partial one), and
// files no source produces any more are removed at the end, under the lock.
import { transformFile } from '@swc/core';
import { createHash } from 'node:crypto';
import {
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import registry from '../subgraphs/registry.cjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const STAMP = '.build-stamp.json';
const LOCK = join(root, '.build.lock');
/** A lock older than this is taken over even if its pid is alive (the pid was reused). */
const LOCK_MAX_AGE_MS = 5 * 60_000;
/** How long a start waits for another process's build before giving up. */
const WAIT_LIMIT_MS = 15 * 60_000;
const force = process.argv.includes('--force');
const log = (message) => console.log(`build: ${message}`);

const subgraphs = registry.readSubgraphRegistry(root);
const packages = [
  'packages/platform',
  'all-in-one',
  'gateway',
  'schema',
  'bench',
  ...subgraphs.map((s) => s.folder),
];
const swcOptions = { ...require('./swc-options.cjs'), sourceMaps: true };
// What every workspace's output depends on besides its own sources.
const common = createHash('sha256')
  .update(JSON.stringify(swcOptions))
  .update(require('@swc/core/package.json').version)
  .update(await readFile(fileURLToPath(import.meta.url)))
  .digest('hex');

async function* sources(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
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

async function exists(path) {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The workspace's sources and the hash of everything its dist/ is made from (null: no src/). */
async function inputs(pkg) {
  const src = join(root, pkg, 'src');
  if (!(await exists(src))) return null;
  const hash = createHash('sha256').update(common);
  for (const optional of ['tsconfig.json', '.swcrc']) {
    const path = join(root, pkg, optional);
    if (await exists(path)) hash.update(optional).update(await readFile(path));
  }
  const files = [];
  for await (const file of sources(src)) {
    files.push(file);
    hash
      .update(relative(src, file))
      .update('\0')
      .update(await readFile(file));
  }
  return { pkg, src, dist: join(root, pkg, 'dist'), files, hash: hash.digest('hex') };
}

async function stampOf(dist) {
  try {
    return JSON.parse(await readFile(join(dist, STAMP), 'utf8'));
  } catch {
    return null;
  }
}

async function stale() {
  const out = [];
  for (const pkg of packages) {
    const input = await inputs(pkg);
    if (!input) continue;
    if (force || (await stampOf(input.dist))?.hash !== input.hash) out.push(input);
  }
  return out;
}

/** Writes `path` through a temporary file beside it and a rename, so no reader sees it partial. */
async function writeAtomically(path, content) {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};

async function acquireLock() {
  const started = Date.now();
  let announced = false;
  for (;;) {
    try {
      const handle = await open(LOCK, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      await handle.close();
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let holder = null;
    try {
      holder = JSON.parse(await readFile(LOCK, 'utf8'));
    } catch {
      // Being written or just removed: look again.
    }
    const age = await stat(LOCK).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (
      (holder && (!Number.isInteger(holder.pid) || !alive(holder.pid))) ||
      age > LOCK_MAX_AGE_MS
    ) {
      // Taken over by renaming it away (only one process's rename of this file succeeds).
      log(`taking over the lock of process ${holder?.pid ?? '?'}, which is gone`);
      await rename(LOCK, `${LOCK}.${process.pid}.stale`).then(
        () => unlink(`${LOCK}.${process.pid}.stale`),
        () => undefined,
      );
      continue;
    }
    if (Date.now() - started > WAIT_LIMIT_MS)
      throw new Error(`build: process ${holder?.pid} has held ${LOCK} for too long`);
    if (!announced && holder) log(`waiting for the build of process ${holder.pid}`);
    announced = true;
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function releaseLock() {
  try {
    const holder = JSON.parse(await readFile(LOCK, 'utf8'));
    if (holder.pid === process.pid) await unlink(LOCK);
  } catch {
    // Already gone.
  }
}

/** Every file under dir (relative paths), for removing what no source produces any more. */
async function* existing(dir, base = dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* existing(path, base);
      await rmdir(path).catch(() => undefined); // only succeeds once empty
    } else yield relative(base, path);
  }
}

async function build({ src, dist, files, hash }) {
  const produced = new Set([STAMP]);
  for (const file of files) {
    const out = join(dist, relative(src, file)).replace(/\.ts$/, '.js');
    const { code, map } = await transformFile(file, {
      ...swcOptions,
      filename: file,
      sourceFileName: relative(dirname(out), file),
    });
    await mkdir(dirname(out), { recursive: true });
    await writeAtomically(`${out}.map`, map);
    await writeAtomically(out, `${code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
    produced.add(relative(dist, out));
    produced.add(relative(dist, `${out}.map`));
  }
  // A stale file (e.g. Mutation.js beside Mutation/index.js) would win resolution: remove what no
  // source produced this time (files of this build were all written above, so nothing live goes).
  for await (const file of existing(dist))
    if (!produced.has(file)) await rm(join(dist, file), { force: true });
  await mkdir(dist, { recursive: true });
  await writeAtomically(
    join(dist, STAMP),
    `${JSON.stringify({ hash, files: files.length, builtAt: new Date().toISOString(), pid: process.pid })}\n`,
  );
  return files.length;
}

// The console: a Vite build of console/ into console/dist, stamped like the workspaces. Built into
// a directory beside dist/ and swapped in by two renames, so the gateway never serves half a build.
const consoleDir = join(root, 'console');

async function* consoleSources(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* consoleSources(path);
    else yield path;
  }
}

/** The console's inputs and their hash; null without console/src. */
async function consoleInputs() {
  const src = join(consoleDir, 'src');
  if (!(await exists(src))) return null;
  const hash = createHash('sha256').update(common);
  for (const file of ['index.html', 'vite.config.ts', 'package.json', 'tsconfig.json']) {
    const path = join(consoleDir, file);
    if (await exists(path)) hash.update(file).update(await readFile(path));
  }
  for (const pkg of ['vite', 'preact', '@preact/preset-vite', '@urql/core', '@urql/preact']) {
    try {
      hash.update(pkg).update(require(`${pkg}/package.json`).version);
    } catch {
      // Not installed (a production install): buildConsole says so if a build is needed.
    }
  }
  let files = 0;
  for await (const file of consoleSources(src)) {
    files += 1;
    hash
      .update(relative(src, file))
      .update('\0')
      .update(await readFile(file));
  }
  return { dist: join(consoleDir, 'dist'), files, hash: hash.digest('hex') };
}

async function consoleStale() {
  const input = await consoleInputs();
  if (!input) return null;
  return force || (await stampOf(input.dist))?.hash !== input.hash ? input : null;
}

async function buildConsole({ dist, files, hash }) {
  let vite;
  try {
    vite = await import('vite');
  } catch {
    throw new Error('build: the console needs the dev dependencies (vite): run `npm ci` first');
  }
  const next = `${dist}.${process.pid}.next`;
  const old = `${dist}.${process.pid}.old`;
  await vite.build({
    root: consoleDir,
    configFile: join(consoleDir, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: next, emptyOutDir: true },
  });
  await writeFile(
    join(next, STAMP),
    `${JSON.stringify({ hash, files, builtAt: new Date().toISOString(), pid: process.pid })}\n`,
  );
  const had = await exists(dist);
  if (had) await rename(dist, old);
  await rename(next, dist);
  if (had) await rm(old, { recursive: true, force: true });
}

let todo = await stale();
let consoleTodo = await consoleStale();
if (todo.length === 0 && !consoleTodo) {
  log('up to date');
} else {
  await acquireLock();
  try {
    todo = await stale(); // another process may have built them while this one waited
    consoleTodo = await consoleStale();
    if (todo.length === 0 && !consoleTodo) log('up to date (built by another process)');
    if (todo.length > 0) {
      let count = 0;
      for (const input of todo) count += await build(input);
      log(`built ${count} files in ${todo.map((t) => t.pkg).join(', ')}`);
    }
    if (consoleTodo) {
      await buildConsole(consoleTodo);
      log(`built the console (${consoleTodo.files} source files) into console/dist`);
    }
  } finally {
    await releaseLock();
  }
}

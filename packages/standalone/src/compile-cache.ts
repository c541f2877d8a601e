/**
 * A V8 code cache for the CommonJS modules `npm start` loads (Node 20 has no built-in one): about a
 * third of a warm start's CPU was compiling and loading ~2,000 modules. The cache is a pure function
 * of the module files: each entry is keyed by the file's path and a hash of its source, so an edited
 * or upgraded file is compiled afresh (and V8 itself rejects data from another V8 version or other
 * flags). It lives in node_modules/.cache (never committed); when it cannot be read or written the
 * process starts as before, only slower. BASTION_COMPILE_CACHE=off turns it off; an absolute path
 * there puts the cache file elsewhere (tests).
 *
 * Imported first by main.ts, so it sees every module loaded after it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { Script } from 'node:vm';

interface Entry {
  hash: string;
  data: Buffer;
}

/** The parts of Node's CommonJS loader this hooks (stable since Node 12, not in its typings). */
interface LoaderModule {
  exports: unknown;
  filename: string;
  require(id: string): unknown;
  _compile(content: string, filename: string, format?: string): unknown;
}
interface Loader {
  prototype: LoaderModule;
  wrap(content: string): string;
  _resolveFilename(request: string, parent: LoaderModule, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: LoaderModule): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}

const setting = process.env.BASTION_COMPILE_CACHE;
const CACHE_FILE = setting && isAbsolute(setting) ? setting : resolve(__dirname, '../../../node_modules/.cache/bastion/compile-cache.bin');
const loader = Module as unknown as Loader;
let entries = new Map<string, Entry>();
/** Scripts compiled without usable cached data: their code cache is written by saveCompileCache(). */
const fresh = new Map<string, { hash: string; script: Script }>();
let installed = false;
/** Node's own compile, restored by saveCompileCache(). */
let original: LoaderModule['_compile'] | undefined;
/** Modules this process ran from cached code, and compiled afresh. */
const stats = { cached: 0, compiled: 0 };
// The process's main module, as Node's own require gives it.
const mainModule = require.main;

/** The `require` a module gets, as Node's loader builds it. */
function requireFor(module: LoaderModule): NodeJS.Require {
  const require = ((id: string) => module.require(id)) as NodeJS.Require;
  const resolveFn = ((request: string, options?: { paths?: string[] }) => loader._resolveFilename(request, module, false, options)) as NodeJS.RequireResolve;
  resolveFn.paths = (request: string) => loader._resolveLookupPaths(request, module);
  require.resolve = resolveFn;
  require.main = mainModule;
  require.extensions = loader._extensions as NodeJS.Require['extensions'];
  require.cache = loader._cache as NodeJS.Require['cache'];
  return require;
}

function install(): void {
  if (installed || setting === 'off') return;
  installed = true;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed path inside this repository's node_modules
    entries = deserialize(readFileSync(CACHE_FILE)) as Map<string, Entry>;
    if (!(entries instanceof Map)) entries = new Map();
  } catch {
    entries = new Map(); // first start, or an unreadable cache: compile as usual
  }
  original = loader.prototype._compile;
  loader.prototype._compile = function compile(this: LoaderModule, content: string, filename: string, format?: string) {
    // ES modules, scripts with a hashbang and anything unusual go through Node's own path; so do
    // modules with import(): on Node 20 code from a code cache loses its dynamic-import callback.
    if ((format !== undefined && format !== 'commonjs') || content.startsWith('#!') || /\bimport\s*\(/.test(content)) {
      return original!.call(this, content, filename, format);
    }
    const hash = createHash('sha1').update(content).digest('base64');
    const cached = entries.get(filename);
    let script: Script;
    try {
      script = new Script(loader.wrap(content), {
        filename, cachedData: cached?.hash === hash ? cached.data : undefined,
      });
    } catch {
      return original!.call(this, content, filename, format); // e.g. ESM syntax Node detects itself
    }
    if (cached?.hash !== hash || script.cachedDataRejected) {
      fresh.set(filename, { hash, script });
      stats.compiled += 1;
    } else {
      stats.cached += 1;
    }
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, dirname(filename));
  };
}

/**
 * Once started: writes the code of the modules compiled without cached data (now that the code V8
 * compiled lazily during start is in it; nothing when all came from the cache), then hands loading
 * back to Node and lets the cache's memory go (~30 MB). Never throws.
 */
export function saveCompileCache(): void {
  if (original) loader.prototype._compile = original;
  original = undefined;
  const loaded = entries;
  entries = new Map();
  if (fresh.size === 0) return;
  try {
    for (const [filename, { hash, script }] of fresh) loaded.set(filename, { hash, data: script.createCachedData() });
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed path inside this repository's node_modules
    mkdirSync(dirname(CACHE_FILE), { recursive: true });
    // Another process may write at the same time: each writes its own file, then renames (atomic).
    const temporary = `${CACHE_FILE}.${process.pid}`;
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed path inside this repository's node_modules
    writeFileSync(temporary, serialize(loaded));
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed path inside this repository's node_modules
    renameSync(temporary, CACHE_FILE);
  } catch {
    // a read-only install: start stays uncached
  } finally {
    fresh.clear();
  }
}

/** How many modules ran from cached code and how many were compiled, so far in this process. */
export function compileCacheStats(): { cached: number; compiled: number } {
  return { ...stats };
}

install();

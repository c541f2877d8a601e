import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The built module (jest's global setup builds dist/): the cache hooks Node's own loader, which
// only a real Node process uses.
const COMPILE_CACHE = resolve(__dirname, '../dist/compile-cache.js');

describe('compile cache (npm start)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bastion-compile-cache-'));
    writeFileSync(join(dir, 'b.js'), 'module.exports = { value: 41 };\n');
    writeFileSync(join(dir, 'a.js'), [
      "const b = require('./b');",
      'module.exports = {',
      '  sum: b.value + 1, dirname: __dirname, filename: __filename, resolved: require.resolve(\'./b\'),',
      '  thisIsExports: this === exports, inCache: require.cache[__filename] === module, isMain: require.main === module,',
      "  mainIsRunner: require.main.filename.endsWith('run.js'), path: require('node:path').sep,",
      '};',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'run.js'), [
      `const cache = require(${JSON.stringify(COMPILE_CACHE)});`,
      "const a = require('./a');",
      'cache.saveCompileCache();',
      'console.log(JSON.stringify({ a, stats: cache.compileCacheStats() }));',
      '',
    ].join('\n'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (setting: string) => {
    const child = spawnSync(process.execPath, [join(dir, 'run.js')], { env: { ...process.env, NODE_OPTIONS: '', BASTION_COMPILE_CACHE: setting }, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    return JSON.parse(child.stdout) as { a: Record<string, unknown>; stats: { cached: number; compiled: number } };
  };

  it('gives modules what Node gives them, from cached code on the next start, and recompiles a changed file', () => {
    const file = join(dir, 'cache.bin');
    // What Node's own loader gives the module (the cache off), written out by hand where it can be.
    const reference = run('off');
    expect(reference.a).toEqual({
      sum: 42, dirname: dir, filename: join(dir, 'a.js'), resolved: join(dir, 'b.js'),
      thisIsExports: true, inCache: true, isMain: false, mainIsRunner: true, path: '/',
    });
    expect(reference.stats).toEqual({ cached: 0, compiled: 0 });

    const first = run(file);
    expect(first.a).toEqual(reference.a);
    expect(first.stats).toEqual({ cached: 0, compiled: 2 });
    expect(existsSync(file)).toBe(true);

    const second = run(file);
    expect(second.a).toEqual(reference.a);
    expect(second.stats).toEqual({ cached: 2, compiled: 0 });

    writeFileSync(join(dir, 'b.js'), 'module.exports = { value: 1 };\n');
    const changed = run(file);
    expect(changed.a.sum).toBe(2);
    expect(changed.stats).toEqual({ cached: 1, compiled: 1 });
  });
});

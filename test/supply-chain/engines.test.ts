import { rmSync } from 'node:fs';
import { fixture, runScript } from './fixture';

const pkg = (name: string, node: string) => ({ name, version: '1.0.0', engines: { node } });

/**
 * Ranges and what they admit, written from node-semver's documentation of its range grammar
 * (x-ranges, `^`, `~`, hyphen ranges, `||`), the grammar npm applies to `engines`: the rows are
 * the shapes real packages of this lockfile declare.
 */
const TABLE: [range: string, node: string, admitted: boolean][] = [
  ['>=20.19', '20.18.1', false],
  ['>=20.19', '20.19.0', true],
  ['>=20.18.1', '20.18.0', false],
  ['^20.19.0 || ^22.13.0 || >=24', '20.20.2', true],
  ['^20.19.0 || ^22.13.0 || >=24', '21.7.0', false],
  ['^20.19.0 || ^22.13.0 || >=24', '22.12.0', false],
  ['^20.19.0 || ^22.13.0 || >=24', '23.1.0', false],
  ['^20.19.0 || ^22.13.0 || >=24', '24.0.0', true],
  ['>= 22.x', '20.20.2', false],
  ['>= 22.x', '22.0.0', true],
  ['>= 18.x', '20.20.2', true],
  ['>=22.15.0', '20.20.2', false],
  ['14 || 16 || >=18', '17.1.0', false],
  ['14 || 16 || >=18', '16.20.2', true],
  ['~20.1', '20.1.9', true],
  ['~20.1', '20.2.0', false],
  ['18 - 20', '20.99.0', true],
  ['18 - 20', '21.0.0', false],
  ['18 - 20', '17.9.9', false],
  ['>16 <=20', '16.5.0', false],
  ['>16 <=20', '20.9.9', true],
  ['20.x', '20.0.0', true],
  ['20.x', '21.0.0', false],
  ['*', '20.20.2', true],
];

describe('scripts/check-engines.mjs: no installed package refuses the Node the project runs on', () => {
  it('passes on this repository, for the running Node and the oldest one engines.node admits', () => {
    const { status, output } = runScript('check-engines.mjs');
    expect([status, output]).toEqual([
      0,
      expect.stringMatching(
        new RegExp(
          `^engines: \\d+ installed packages admit node ${process.version.slice(1)} and 20\\.19\\.0`,
        ),
      ),
    ]);
  });

  it.each([...new Set(TABLE.map(([, node]) => node))])(
    'names every package whose range excludes node %s, and only those',
    (node) => {
      const rows = TABLE.map(([range, version, admitted], i) => ({
        name: `p${i}`,
        range,
        version,
        admitted,
      }));
      const root = fixture({
        'package.json': { name: 'root' },
        ...Object.fromEntries(
          rows.map(({ name, range }) => [`node_modules/${name}/package.json`, pkg(name, range)]),
        ),
      });
      try {
        const { status, output } = runScript('check-engines.mjs', root, ['--node', node]);
        const named = rows.filter((r) => output.includes(`${r.name}@1.0.0 `)).map((r) => r.name);
        const expected = rows.filter((r) => r.version === node && !r.admitted).map((r) => r.name);
        // Only this version's rows have a known answer; the others' are checked under theirs.
        const considered = rows.filter((r) => r.version === node).map((r) => r.name);
        expect(named.filter((n) => considered.includes(n))).toEqual(expected);
        expect(status).toBe(named.length > 0 ? 1 : 0);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  );

  it('finds nested copies, scoped packages and workspaces, and holds engines.node to them', () => {
    const root = fixture({
      'package.json': { name: 'root', workspaces: ['app'], engines: { node: '>=20.12' } },
      'app/package.json': { name: 'app' },
      'app/node_modules/in-workspace/package.json': pkg('in-workspace', '>=22.15.0'),
      'node_modules/fine/package.json': pkg('fine', '>=18'),
      'node_modules/fine/node_modules/nested/package.json': pkg('nested', '>= 22.x'),
      'node_modules/@scope/typeorm-like/package.json': pkg(
        '@scope/typeorm-like',
        '^20.19.0 || >=22',
      ),
    });
    try {
      const { status, output } = runScript('check-engines.mjs', root, ['--node', '20.20.2']);
      expect(status).toBe(1);
      expect(output).toContain('in-workspace@1.0.0 (app/node_modules/in-workspace)');
      expect(output).toContain('nested@1.0.0 (node_modules/fine/node_modules/nested)');
      // Admits the running 20.20.2 but not 20.12.0, which engines.node promises.
      expect(output).toMatch(
        /@scope\/typeorm-like@1\.0\.0 .*excludes 20\.12\.0, engines\.node ">=20\.12"/,
      );
      expect(output).not.toContain('fine@1.0.0');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

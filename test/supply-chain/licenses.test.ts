import { rmSync } from 'node:fs';
import { fixture, runScript } from './fixture';

const pkg = (name: string, license: unknown, dependencies: Record<string, string> = {}) => ({
  name,
  version: '1.0.0',
  license,
  dependencies,
});

describe('scripts/check-licenses.mjs: production dependencies carry an allowed license', () => {
  it('passes on this repository, naming the reviewed exceptions', () => {
    const { status, output } = runScript('check-licenses.mjs');
    expect([status, output]).toEqual([
      0,
      expect.stringMatching(/^licenses: \d+ installed production packages/),
    ]);
    expect(output).toContain('@apollo/gateway (Elastic-2.0)');
  });

  it('walks the production tree only, nested copies included, and names each offender', () => {
    const root = fixture({
      'package.json': { workspaces: ['app'], devDependencies: { 'dev-tool': '1.0.0' } },
      'app/package.json': {
        name: 'app',
        dependencies: { good: '1.0.0', either: '1.0.0', both: '1.0.0', '@s/legacy': '1.0.0' },
      },
      'node_modules/good/package.json': pkg('good', 'MIT', { gpl: '1.0.0' }),
      'node_modules/good/node_modules/gpl/package.json': pkg('gpl', 'GPL-3.0-only'),
      'node_modules/either/package.json': pkg('either', '(MIT OR GPL-3.0-only)'),
      'node_modules/both/package.json': pkg('both', '(MIT AND CC-BY-NC-4.0)', { none: '1.0.0' }),
      'node_modules/none/package.json': { name: 'none', version: '1.0.0' },
      'node_modules/@s/legacy/package.json': {
        name: '@s/legacy',
        version: '1.0.0',
        licenses: [{ type: 'BSD-3-Clause' }],
      },
      // Dev-only: never reached from a workspace's dependencies, so not checked.
      'node_modules/dev-tool/package.json': pkg('dev-tool', 'SSPL-1.0'),
    });
    try {
      const { status, output } = runScript('check-licenses.mjs', root);
      expect(status).toBe(1);
      expect(output).toContain('gpl@1.0.0 (node_modules/good/node_modules/gpl): GPL-3.0-only');
      expect(output).toContain('both@1.0.0 (node_modules/both): (MIT AND CC-BY-NC-4.0)');
      expect(output).toContain('none@1.0.0 (node_modules/none): no license field');
      expect(output).toContain('3 production dependenc(ies)');
      expect(output).not.toMatch(/either|legacy|dev-tool/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

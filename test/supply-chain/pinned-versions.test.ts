import { rmSync } from 'node:fs';
import { fixture, runScript } from './fixture';

describe('scripts/check-pinned.mjs: every dependency is an exact version', () => {
  it('passes on this repository', () => {
    const { status, output } = runScript('check-pinned.mjs');
    expect([status, output]).toEqual([0, expect.stringMatching(/^pinned: \d+ dependency specs in \d+ package.json files/)]);
  });

  it('names every spec that is not exact, in every section and workspace', () => {
    const root = fixture({
      'package.json': { workspaces: ['a'], dependencies: { ok: '1.2.3', pre: '2.0.0-rc.1', caret: '^1.0.0' }, devDependencies: { tilde: '~1.0.0' } },
      'a/package.json': {
        dependencies: { star: '*', tag: 'latest', range: '>=1 <2', x: '1.x', git: 'github:o/r', file: 'file:../b' },
        optionalDependencies: { opt: '^3.0.0' }, peerDependencies: { peer: '1 || 2' },
      },
    });
    try {
      const { status, output } = runScript('check-pinned.mjs', root);
      expect(status).toBe(1);
      for (const name of ['caret', 'tilde', 'star', 'tag', 'range', 'x', 'git', 'file', 'opt', 'peer']) expect(output).toContain(`.${name} is`);
      expect(output).not.toMatch(/\.(ok|pre) is/);
      expect(output).toContain('10 dependency spec(s) not pinned');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

import { rmSync } from 'node:fs';
import { fixture, runScript } from './fixture';

describe('scripts/check-pinned.mjs: every dependency is an exact version', () => {
  it('passes on this repository', () => {
    const { status, output } = runScript('check-pinned.mjs');
    expect([status, output]).toEqual([
      0,
      expect.stringMatching(/^pinned: \d+ dependency specs in \d+ package.json files/),
    ]);
  });

  it('names every spec that is not exact, in every section and workspace', () => {
    const root = fixture({
      'package.json': {
        workspaces: ['a'],
        dependencies: { ok: '1.2.3', pre: '2.0.0-rc.1', caret: '^1.0.0' },
        devDependencies: { tilde: '~1.0.0' },
      },
      'a/package.json': {
        dependencies: {
          star: '*',
          tag: 'latest',
          range: '>=1 <2',
          x: '1.x',
          git: 'github:o/r',
          file: 'file:../b',
        },
        optionalDependencies: { opt: '^3.0.0' },
        peerDependencies: { peer: '1 || 2' },
      },
    });
    try {
      const { status, output } = runScript('check-pinned.mjs', root);
      expect(status).toBe(1);
      for (const name of [
        'caret',
        'tilde',
        'star',
        'tag',
        'range',
        'x',
        'git',
        'file',
        'opt',
        'peer',
      ])
        expect(output).toContain(`.${name} is`);
      expect(output).not.toMatch(/\.(ok|pre) is/);
      expect(output).toContain('10 dependency spec(s) not pinned');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads every folder of a `dir/*` workspace, and refuses any other glob', () => {
    const root = fixture({
      'package.json': { workspaces: ['pkgs/*'] },
      'pkgs/one/package.json': { dependencies: { ok: '1.2.3' } },
      'pkgs/two/package.json': { dependencies: { caret: '^1.0.0' } },
    });
    const other = fixture({ 'package.json': { workspaces: ['pkgs/**'] } });
    try {
      const { status, output } = runScript('check-pinned.mjs', root);
      expect([status, output]).toEqual([
        1,
        expect.stringContaining('pkgs/two/package.json: dependencies.caret is "^1.0.0"'),
      ]);
      expect(output).toContain('1 dependency spec(s) not pinned');
      const refused = runScript('check-pinned.mjs', other);
      expect([refused.status, refused.output]).toEqual([
        1,
        expect.stringContaining('workspace "pkgs/**": only a path or "dir/*" is understood'),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(other, { recursive: true, force: true });
    }
  });
});

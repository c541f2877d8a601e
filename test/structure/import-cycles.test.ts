import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../..');
const SCRIPT = join(REPO_ROOT, 'scripts/check-import-cycles.mjs');

function check(root = REPO_ROOT): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A throwaway project: a tsconfig.json (with a paths alias) and the given TypeScript files. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'bastion-cycles-'));
  const tsconfig = {
    compilerOptions: {
      module: 'node16',
      moduleResolution: 'node16',
      strict: true,
      noEmit: true,
      baseUrl: '.',
      paths: { '@lib/core': ['lib/core'] },
    },
    include: ['app', 'lib'],
  };
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify(tsconfig));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('scripts/check-import-cycles.mjs: no module imports itself through others', () => {
  it('passes on this repository', () => {
    const { status, output } = check();
    expect([status, output]).toEqual([
      0,
      expect.stringMatching(/^import cycles: none among \d+ files \(\d+ imports\)/),
    ]);
  });

  it('names a type-only circle, a circle through a paths alias and a re-export, and a self-import', () => {
    const root = project({
      // context <-> server, type-only both ways (the shape auth had).
      'app/context.ts':
        "import type { Services } from './server';\nexport interface Context extends Services { id: string }\n",
      'app/server.ts':
        "import type { Context } from './context';\nexport interface Services { run(c: Context): void }\n",
      // lib/core/index.ts re-exports a file that imports the package back by its alias.
      'lib/core/index.ts': "export * from './parts';\n",
      'lib/core/parts.ts':
        "import { base } from '@lib/core';\nexport const part = () => base;\nexport { base } from './base';\n",
      'lib/core/base.ts': 'export const base = 1;\n',
      'app/self.ts': "import { x } from './self';\nexport const x = 1;\nexport const y = x;\n",
      // Not cycles: a one-way chain, and a lazy import back.
      'app/one.ts': "import { two } from './two';\nexport const one = two;\n",
      'app/two.ts': "export const two = 2;\nexport const later = () => import('./one');\n",
    });
    try {
      const { status, output } = check(root);
      expect(status).toBe(1);
      const found = output
        .split('\n')
        .filter((line) => line.startsWith('import cycle ('))
        .sort();
      expect(found).toEqual([
        'import cycle (1 files): app/self.ts -> app/self.ts',
        'import cycle (2 files): app/context.ts -> app/server.ts -> app/context.ts',
        'import cycle (2 files): lib/core/index.ts -> lib/core/parts.ts -> lib/core/index.ts',
      ]);
      expect(output).toContain('3 import cycle(s)');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('passes once the shared type has a module of its own', () => {
    const root = project({
      'app/services.ts': 'export interface Services { run(id: string): void }\n',
      'app/context.ts':
        "import type { Services } from './services';\nexport interface Context extends Services { id: string }\n",
      'app/server.ts':
        "import type { Context } from './context';\nimport type { Services } from './services';\nexport type Start = (c: Context, s: Services) => void;\n",
    });
    try {
      expect(check(root)).toEqual({
        status: 0,
        output: 'import cycles: none among 3 files (3 imports)\n',
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

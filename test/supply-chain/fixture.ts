import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');

/** Runs one of scripts/*.mjs as CI does, on the repository or on a fixture directory. */
export function runScript(
  script: string,
  root = REPO_ROOT,
  args: readonly string[] = [],
): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', script), root, ...args], {
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A throwaway directory with the given files (path -> JSON content). */
export function fixture(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'bastion-supply-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), JSON.stringify(content));
  }
  return root;
}

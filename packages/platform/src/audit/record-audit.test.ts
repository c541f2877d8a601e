import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../../../..');
const RECORDER = 'packages/platform/src/audit/record-audit.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sources(path);
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('audit entries', () => {
  it('are written by the platform recorder alone', () => {
    const writers = ['packages', 'subgraphs', 'gateway']
      .flatMap((folder) => sources(join(ROOT, folder)))
      .filter((path) => /enqueueEvent\([^)]*'AUDIT_RECORDED'/s.test(readFileSync(path, 'utf8')))
      .map((path) => relative(ROOT, path));
    expect(writers).toEqual([RECORDER]);
  });
});

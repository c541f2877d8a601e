import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '@bastion/testing';

/** Runs the real jest on one test file and returns its --json report's path. */
function jestReport(dir: string, source: string): string {
  writeFileSync(join(dir, 'sample.test.js'), source);
  const report = join(dir, 'report.json');
  spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/jest/bin/jest.js'),
      '--config',
      JSON.stringify({ rootDir: dir, testEnvironment: 'node', transform: {} }),
      '--json',
      `--outputFile=${report}`,
    ],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
  );
  return report;
}

const readReport = (report: string) => {
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts/test-report.mjs'), report], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
};

/** .ci/run's reading of jest's report: a test that did not run fails CI, named. */
describe('scripts/test-report.mjs on reports of the real jest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails on skipped, todo and conditionally skipped tests, naming each', () => {
    const report = jestReport(
      dir,
      `
      const onlySomewhere = process.env.NOT_SET_ANYWHERE ? describe : describe.skip;
      it('runs', () => {});
      it.skip('is skipped', () => {});
      it.todo('is to do');
      onlySomewhere('a group', () => { it('inside a skipped group', () => {}); });
      `,
    );
    const { status, stdout, stderr } = readReport(report);
    expect(status).toBe(1);
    expect(stderr).toContain('3 test(s) did not run');
    for (const name of ['is skipped', 'is to do', 'a group inside a skipped group'])
      expect(stderr).toContain(name);
    expect(stderr).not.toMatch(/› runs$/m);
    expect(stdout.trim()).toBe('1 0');
  }, 120_000);

  it('passes when every test ran, and counts passed and failed', () => {
    const report = jestReport(
      dir,
      `it('passes', () => {}); it('fails', () => { throw new Error('no'); });`,
    );
    expect(readReport(report)).toEqual({ status: 0, stdout: '1 1\n', stderr: '' });
  }, 120_000);
});

// Reads jest's --json report (.ci/run writes one per pass) and fails when any test did not run:
// skipped (it.skip, describe.skip, a conditional skip), todo or disabled. A test suite that skips
// quietly reports green while checking nothing, so CI treats a skip like a failure.
// Usage: node scripts/test-report.mjs <report.json>   prints "<passed> <failed>" on the last line
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const file = process.argv[2];
if (!file) throw new Error('usage: node scripts/test-report.mjs <jest --json report>');
const report = JSON.parse(readFileSync(file, 'utf8'));
const notRun = [];
for (const suite of report.testResults ?? []) {
  for (const test of suite.assertionResults ?? []) {
    if (test.status !== 'passed' && test.status !== 'failed')
      notRun.push(`${test.status}: ${relative(process.cwd(), suite.name)} › ${test.fullName}`);
  }
}
const counted = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (notRun.length > 0 || counted > 0) {
  console.error(
    `${Math.max(notRun.length, counted)} test(s) did not run (skipped, todo or disabled); every test must run or fail:`,
  );
  for (const line of notRun) console.error(`  ${line}`);
  console.log(`${report.numPassedTests ?? 0} ${report.numFailedTests ?? 0}`);
  process.exit(1);
}
console.log(`${report.numPassedTests ?? 0} ${report.numFailedTests ?? 0}`);

#!/usr/bin/env node
// Runs the vitest suite, prints its summary, then one closing line "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const report = join(mkdtempSync(join(tmpdir(), 'facerec-tests-')), 'report.json');
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const run = spawnSync('npx', args, { stdio: 'inherit' });

let counts = { passed: 0, failed: 0, skipped: 0 };
/** Suites skipped for a stated reason (a title with "SKIPPED: <reason>"): repeated at the end, not lost in the scroll. */
const skippedWhy = new Set();
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  // A file that failed to load, or whose setup failed (its tests then show as skipped), has no
  // failed test of its own: count it as one failure, so the closing line never says 0 failed.
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
  counts = {
    passed: r.numPassedTests,
    failed: r.numFailedTests + brokenFiles,
    skipped: r.numPendingTests + r.numTodoTests,
  };
  for (const file of r.testResults ?? []) {
    for (const a of file.assertionResults ?? []) {
      const title = (a.ancestorTitles ?? []).find((t) => t.includes('SKIPPED:'));
      if (title && a.status !== 'passed' && a.status !== 'failed') skippedWhy.add(title);
    }
  }
} catch {
  counts.failed = 1; // no report: vitest itself failed to run
}
for (const why of skippedWhy) console.log(why);
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(run.status === 0 && counts.failed === 0 ? 0 : 1);

// Locates files under the shared data directory for tests that use real data. Absent data skips
// those tests with a warning on a developer machine, but fails under CI, where a silent skip
// would hide a broken checkout.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function sharedDataDir(): string {
  const configured = process.env.FACEREC_TEST_DATA ?? '../shared/data';
  return isAbsolute(configured) ? configured : resolve(repoRoot, configured);
}

/** Absolute path of `relative` under the data directory, or null (after a warning) when it is absent outside CI. */
export function sharedDataFile(relative: string): string | null {
  const path = resolve(sharedDataDir(), relative);
  if (existsSync(path)) return path;
  if (process.env.CI === 'true') {
    throw new Error(`test data ${path} is missing (required when CI=true; set FACEREC_TEST_DATA)`);
  }
  console.warn(`skipping tests that need ${path}: not found (set FACEREC_TEST_DATA)`);
  return null;
}

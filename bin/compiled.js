// Where the compiled JavaScript of a TypeScript entry point lies (`npm run build`, run by `npm ci`,
// writes it under dist/), and whether it is current: older than any source it was built from, it is
// not used and the launchers run the TypeScript through tsx instead, so an edit is never shadowed
// by a stale build. Plain JavaScript: it runs before anything is compiled.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
/** Written by scripts/build.mjs when a build succeeded; its time is the build's. */
export const STAMP = join(DIST, '.built');
/** What the build compiles (tsconfig.build.json), and the settings it compiles with. */
const SOURCE_DIRS = ['libs', 'services', 'models'];
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json'];

function newestSource(dir, newest) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'onnx') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = newestSource(path, newest);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when <root>/dist holds a build at least as new as every source file and setting. */
export function buildIsCurrent(root = ROOT) {
  const stamp = join(root, 'dist', '.built');
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  let newest = 0;
  for (const dir of SOURCE_DIRS) if (existsSync(join(root, dir))) newest = newestSource(join(root, dir), newest);
  for (const file of SETTINGS) if (existsSync(join(root, file))) newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  return newest <= built;
}

/** dist/<path>.js for a TypeScript source path relative to the repository (services/cli/main.ts → dist/services/cli/main.js). */
export function compiledPath(source) {
  return join(DIST, relative(ROOT, join(ROOT, source)).replace(/\.ts$/, '.js'));
}

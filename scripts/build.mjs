#!/usr/bin/env node
// `npm run build` (also run by `npm ci`): compiles libs/, services/ and models/*.ts to JavaScript in
// dist/ (tsconfig.build.json, type-checked), so the CLI and the services start without transpiling.
// The compiled modules find what they read beside their sources (proto/, web/dist, models/catalog.json,
// models/onnx, models/galleries: the celebrities artefact) at the same relative paths: dist/ gets links to them. dist/.built marks a finished
// build; bin/compiled.js uses the compiled code only while it is newer than every source.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(DIST, { recursive: true, force: true });
const started = Date.now();
const run = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit', cwd: ROOT });
if (run.status !== 0) {
  rmSync(join(DIST, '.built'), { force: true });
  console.error('build: tsc failed');
  process.exit(run.status ?? 1);
}
// dist/<link> → <target>, relative, so the tree can be copied (a container image) or moved whole.
const LINKS = {
  proto: '../proto',
  'web': '../web',
  'models/catalog.json': '../../models/catalog.json',
  'models/onnx': '../../models/onnx',
  'models/galleries': '../../models/galleries',
};
for (const [link, target] of Object.entries(LINKS)) {
  const path = join(DIST, link);
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
}
writeFileSync(join(DIST, '.built'), `${new Date().toISOString()}\n`);
console.error(`build: dist/ compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`);

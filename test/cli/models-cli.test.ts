// `facerec models …` against the real product (every service in this process, as `npm start`):
// import a folder of people, list, export and load back, and the errors a user sees.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../services/cli/args.js';
import { PHOTOS_PER_REQUEST, readPeople, runModels, type ModelView } from '../../services/cli/models.js';
import { api, startEmbedded, type RunningProduct } from '../support/product.js';
import { sharedDataFile } from '../support/shared-data.js';

const gallery = sharedDataFile('faces/people/gallery');

/** Runs `facerec models <argv>` against `url`, capturing what it prints. */
async function cli(url: string, ...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runModels(argv, { url, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('models CLI without a service', () => {
  it('says that the service cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { code, out, err } = await cli(url, 'list');
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(`cannot reach ${url}: is \`npm start\` running?`);
  });

  it('refuses bad usage with a UsageError', async () => {
    await expect(cli('http://127.0.0.1:9', 'create')).rejects.toThrow(UsageError);
    await expect(cli('http://127.0.0.1:9', 'export', 'only-a-name')).rejects.toThrow(/export takes <name> <file>/);
    await expect(cli('http://127.0.0.1:9', 'frobnicate')).rejects.toThrow(/unknown models subcommand 'frobnicate'/);
    await expect(cli('http://127.0.0.1:9', 'list', '--nope')).rejects.toThrow(UsageError);
  });

  it('reads a people folder: people in name order, image files only, hidden entries skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facerec-people-'));
    try {
      for (const p of ['zoe', 'adam', '.hidden', 'empty']) mkdirSync(join(dir, p));
      const touch = (path: string) => writeFileSync(path, '');
      for (const f of ['b.JPG', 'a.png', '.c.jpg', 'notes.txt', 'd.tiff']) touch(join(dir, 'zoe', f));
      mkdirSync(join(dir, 'zoe', 'sub.jpg')); // a folder, not an image
      touch(join(dir, 'adam', 'x.webp'));
      touch(join(dir, '.hidden', 'y.jpg'));
      touch(join(dir, 'loose.jpg'));
      expect(await readPeople(dir)).toEqual([
        { person: 'adam', files: [join(dir, 'adam', 'x.webp')] },
        { person: 'zoe', files: ['a.png', 'b.JPG', 'd.tiff'].map((f) => join(dir, 'zoe', f)) },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('models import against a stub service', () => {
  it('sends at most 20 photos per request and goes on after a refused person', async () => {
    const requests: { path: string; name: string; files: number }[] = [];
    const model = { id: 'm-1', name: 'stub', description: '', embedding_model: 'x', created: '', identity_count: 0, sample_count: 0 };
    const server = createHttpServer(async (req: IncomingMessage, res) => {
      const body = Buffer.concat(await req.toArray()).toString('latin1');
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (req.method === 'GET' && req.url === '/api/v1/models/stub/') return json(200, model);
      if (req.method === 'GET' && req.url === '/api/v1/models/m-1/') return json(200, { ...model, identity_count: 1, sample_count: 25 });
      if (req.method === 'POST' && req.url === '/api/v1/models/stub/identities/') {
        const name = /name="name"\r\n\r\n([^\r]*)\r\n/.exec(body)?.[1] ?? '';
        const files = body.split('name="images"; filename=').length - 1;
        requests.push({ path: req.url, name, files });
        if (name === 'bad') return json(400, { error: { code: 'invalid_request', field: 'name', message: 'is not acceptable' } });
        return json(201, { identity: { id: 'i', model_id: 'm-1', name, created: '', sample_count: files }, added: files, rejected: [] });
      }
      json(404, { error: { code: 'not_found', field: null, message: `no route ${req.method} ${req.url}` } });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'facerec-stub-'));
    try {
      mkdirSync(join(dir, 'bad'));
      mkdirSync(join(dir, 'many'));
      writeFileSync(join(dir, 'bad', 'a.jpg'), 'x');
      for (let i = 0; i < PHOTOS_PER_REQUEST + 5; i++) writeFileSync(join(dir, 'many', `p${String(i).padStart(2, '0')}.jpg`), 'x');
      const { code, out } = await cli(url, 'import', 'stub', dir);
      expect(requests.map((r) => [r.name, r.files])).toEqual([
        ['bad', 1],
        ['many', PHOTOS_PER_REQUEST],
        ['many', 5],
      ]);
      expect(out).toEqual([
        '[1/2] bad: refused: is not acceptable',
        '[2/2] many: 25 samples added (25 photos)',
        'imported into "stub": 1 identity, 25 samples added, 0 photos rejected, 1 person refused (the model now has 1 identity, 25 samples)',
        '  refused bad: is not acceptable',
      ]);
      expect(code).toBe(1); // a person was refused
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe.skipIf(!gallery)('models CLI against the embedded product', () => {
  let running: RunningProduct;
  let work: string;

  beforeAll(async () => {
    running = await startEmbedded();
    work = mkdtempSync(join(tmpdir(), 'facerec-cli-'));
  });
  afterAll(async () => {
    await running?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('imports a folder of people into a new model', async () => {
    const people = await readPeople(gallery!);
    expect(people.length).toBe(6);
    const photos = people.reduce((n, p) => n + p.files.length, 0);
    expect(photos).toBeLessThanOrEqual(6 * PHOTOS_PER_REQUEST);

    const { code, out, err } = await cli(running.url, 'import', 'people', gallery!);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toBe('created model "people"');
    // One progress line per person, in name order.
    const progress = out.filter((l) => /^\[\d\/6\] /.test(l));
    expect(progress.map((l) => l.replace(/^\[\d\/6\] (\S+):.*$/, '$1'))).toEqual(people.map((p) => p.person));
    const summary = out.find((l) => l.startsWith('imported into "people"'));
    expect(summary).toMatch(/: 6 identities, \d+ samples added, \d+ photos? rejected/);

    const model = (await api(running.url, 'GET', '/api/v1/models/people/')).body as ModelView;
    expect(model.identity_count).toBe(6);
    const added = Number(/(\d+) samples? added/.exec(summary!)![1]);
    const rejected = Number(/(\d+) photos? rejected/.exec(summary!)![1]);
    expect(model.sample_count).toBe(added);
    expect(added + rejected).toBe(photos);
    expect(out.filter((l) => l.startsWith('  rejected '))).toHaveLength(rejected);
  });

  it('lists the model with its counts', async () => {
    const { code, out } = await cli(running.url, 'list');
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^NAME\s+IDENTITIES\s+SAMPLES\s+EMBEDDING MODEL/);
    const row = out.find((l) => l.startsWith('people '));
    const model = (await api(running.url, 'GET', '/api/v1/models/people/')).body as ModelView;
    expect(row?.split(/\s+/).slice(0, 3)).toEqual(['people', '6', String(model.sample_count)]);
  });

  it('creates an empty model with a description', async () => {
    const { code, out } = await cli(running.url, 'create', 'empty', '--description', 'nobody yet');
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^created model "empty" \(/);
    const model = (await api(running.url, 'GET', '/api/v1/models/empty/')).body as ModelView;
    expect(model).toMatchObject({ name: 'empty', description: 'nobody yet', identity_count: 0, sample_count: 0 });
    // A second create of the same name is the service's conflict, printed.
    const again = await cli(running.url, 'create', 'empty');
    expect(again.code).toBe(1);
    expect(again.err[0]).toMatch(/^facerec: .*\(HTTP 409 conflict, field "name"\)$/);
  });

  it('exports the model and loads it back under a new name with the same counts', async () => {
    const file = join(work, 'people.json');
    const exported = await cli(running.url, 'export', 'people', file);
    expect(exported.code).toBe(0);
    expect(exported.out[0]).toMatch(new RegExp(`^exported model "people" to ${file.replace(/[.\\]/g, '\\$&')} \\(\\d+ bytes\\)$`));
    expect(statSync(file).size).toBeGreaterThan(0);

    const loaded = await cli(running.url, 'load', file, '--name', 'people-copy');
    expect(loaded.err).toEqual([]);
    expect(loaded.code).toBe(0);
    const original = (await api(running.url, 'GET', '/api/v1/models/people/')).body as ModelView;
    const copy = (await api(running.url, 'GET', '/api/v1/models/people-copy/')).body as ModelView;
    expect(copy.id).not.toBe(original.id);
    expect([copy.identity_count, copy.sample_count]).toEqual([original.identity_count, original.sample_count]);
    expect(loaded.out[0]).toBe(`loaded model "people-copy" from ${file}: 6 identities, ${original.sample_count} samples`);

    const names = (await cli(running.url, 'list')).out.map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(expect.arrayContaining(['people', 'people-copy', 'empty']));
  });

  it('adds to an existing model on a second import', async () => {
    const before = (await api(running.url, 'GET', '/api/v1/models/empty/')).body as ModelView;
    expect(before.identity_count).toBe(0);
    const dir = join(work, 'one-person');
    mkdirSync(join(dir, 'obama'), { recursive: true });
    const people = await readPeople(gallery!);
    const obama = people.find((p) => p.person === 'obama')!;
    for (const f of obama.files) copyFileSync(f, join(dir, 'obama', basename(f)));
    writeFileSync(join(dir, 'obama', 'broken.jpg'), 'not an image');
    const { code, out } = await cli(running.url, 'import', 'empty', dir);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^\[1\/1\] obama: \d+ samples? added, 1 photo rejected/);
    expect(out.find((l) => l.startsWith('  rejected obama/broken.jpg: '))).toMatch(/not a readable image/);
    const after = (await api(running.url, 'GET', '/api/v1/models/empty/')).body as ModelView;
    expect(after.identity_count).toBe(1);
  });

  it('prints the API error for an unknown model and exits 1', async () => {
    const expected = await api(running.url, 'GET', '/api/v1/models/no-such-model/export/');
    expect(expected.status).toBe(404);
    const message: string = expected.body.error.message;
    const file = join(work, 'missing.json');
    const { code, out, err } = await cli(running.url, 'export', 'no-such-model', file);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([`facerec: ${message} (HTTP 404 not_found)`]);
    expect(() => statSync(file)).toThrow(); // nothing written
  });

  it('reports a person whose photos all fail, without stopping the import', async () => {
    const dir = join(work, 'bad-people');
    mkdirSync(join(dir, 'ghost'), { recursive: true });
    writeFileSync(join(dir, 'ghost', 'a.png'), 'garbage');
    writeFileSync(join(dir, 'ghost', 'b.jpg'), 'more garbage');
    const { code, out, err } = await cli(running.url, 'import', 'ghosts', dir);
    expect(code).toBe(1); // nothing imported
    expect(out).toContain('[1/1] ghost: 0 samples added, 2 photos rejected (2 photos)');
    expect(out.filter((l) => l.startsWith('  rejected ghost/'))).toEqual([
      expect.stringMatching(/^ {2}rejected ghost\/a\.png: not a readable image/),
      expect.stringMatching(/^ {2}rejected ghost\/b\.jpg: not a readable image/),
    ]);
    expect(err).toEqual(['facerec: nothing was imported']);
  });
});

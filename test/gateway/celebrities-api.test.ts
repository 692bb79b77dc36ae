// The pre-built `celebrities` gallery through the REST API (SPEC §3): read-only — every change
// answers 409 `read_only` with a message that says to combine an own gallery through `models` —
// while reading it (model info, identities, search by name, export) works. Also what every model
// tells about itself (people, vectors, embedder) and the search of a model's people by a part of
// their name (`q`). The data directory is seeded through the stores, as the artefact loader
// writes (FACEREC_CELEBRITIES=none: no artefact is loaded over it), so no photo is needed.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../libs/config/config.js';
import { embedderIdentity } from '../../libs/engine/embedder.js';
import { SqliteGalleryStore } from '../../libs/gallery/sqlite-gallery-store.js';
import { SqliteIdentityIndex } from '../../libs/gallery/sqlite-identity-index.js';
import { startEmbedded, type RunningProduct } from '../support/product.js';
import { documentedStatuses, expectError, expectInvalid, filePart, plainPng, send, unitVector } from './helpers.js';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
const CELEBRITIES = ['Barack Obama', 'Michelle Obama', 'Émile Zola', 'Ada Lovelace'];
/** Samples per celebrity, in the order above. */
const SAMPLES = [3, 2, 1, 1];

/** Fills a data directory as the artefact loader does (through the stores): celebrities, an own gallery, an indexed unknown. */
async function seed(dataDir: string): Promise<{ indexedId: string; embedder: { model: string; sha256: string } }> {
  const embedder = embedderIdentity(loadConfig({ FACEREC_DATA_DIR: dataDir }).engine.embedder);
  const store = new SqliteGalleryStore(join(dataDir, 'galleries.db'));
  const index = new SqliteIdentityIndex(join(dataDir, 'galleries.db'));
  try {
    const model = (name: string, description: string) =>
      store.createModel({ id: randomUUID(), name, description, embeddingModel: embedder.model, embeddingSha256: embedder.sha256 });
    const celebrities = await model('celebrities', 'Seeded for this test: 4 people, 7 vectors');
    let n = 0;
    for (const [i, name] of CELEBRITIES.entries()) {
      const identity = await store.createIdentity({ id: randomUUID(), modelId: celebrities.id, name });
      await store.addSamples(
        Array.from({ length: SAMPLES[i]! }, () => ({
          id: randomUUID(),
          identityId: identity.id,
          modelId: celebrities.id,
          embedding: unitVector(embedder.dimension, ++n),
          crop: JPEG,
          origin: `lfw/${name}`,
          created: new Date().toISOString(),
        })),
      );
    }
    // An own gallery of 150 people for paging, three of them with "obama" in another case.
    const archive = await model('archive', 'Newsroom archive');
    const names = [...Array.from({ length: 147 }, (_, i) => `Person ${String(i).padStart(3, '0')}`), 'OBAMA Fan Club', 'Jobama Smith', 'obama'];
    for (const name of names) await store.createIdentity({ id: randomUUID(), modelId: archive.id, name });
    const indexed = await index.create({ id: randomUUID(), thumbnail: JPEG });
    await index.addSamples([{ id: randomUUID(), identityId: indexed.id, embedding: unitVector(embedder.dimension, 99), crop: JPEG, created: new Date().toISOString() }]);
    return { indexedId: indexed.id, embedder };
  } finally {
    await index.close();
    await store.close();
  }
}

describe('the read-only celebrities gallery, model info and search by name, through REST', () => {
  let product: RunningProduct;
  let url: string;
  let indexedId: string;
  let embedder: { model: string; sha256: string };
  let celebrityId: string;

  const expectReadOnly = (reply: Awaited<ReturnType<typeof send>>) => {
    const e = expectError(reply, 409, 'read_only', null);
    expect(e.message).toContain('"celebrities" model is read-only');
    expect(e.message).toContain('"models": ["celebrities", "<your gallery>"]');
    return e;
  };

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'facerec-celebrities-'));
    ({ indexedId, embedder } = await seed(dataDir));
    product = await startEmbedded({ dataDir, env: { FACEREC_CELEBRITIES: 'none', FACEREC_IMPORT_ROOT: dataDir } });
    url = product.url;
    const list = await send(url, 'GET', '/api/v1/models/celebrities/identities/?q=barack');
    celebrityId = list.body.data[0].id;
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('tells what a model is: description, people, vectors, embedder (name and sha256), read-only or not', async () => {
    const r = await send(url, 'GET', '/api/v1/models/celebrities/');
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      id: expect.any(String),
      name: 'celebrities',
      description: 'Seeded for this test: 4 people, 7 vectors',
      embedding_model: embedder.model,
      embedding_sha256: embedder.sha256,
      created: expect.any(String),
      identity_count: 4,
      sample_count: 7,
      read_only: true,
    });
    expect(embedder.sha256).toMatch(/^[0-9a-f]{64}$/);
    const archive = await send(url, 'GET', '/api/v1/models/archive/');
    expect(archive.body).toMatchObject({ description: 'Newsroom archive', identity_count: 150, sample_count: 0, read_only: false, embedding_sha256: embedder.sha256 });
    // The list tells the same for every model.
    const list = await send(url, 'GET', '/api/v1/models/');
    expect(list.body.data).toEqual(expect.arrayContaining([r.body, archive.body]));
  });

  it('refuses to add people or samples to it, by JSON or multipart, before reading a photo', async () => {
    expect(documentedStatuses('POST', '/api/v1/models/{model}/identities/')).toContain('409');
    expectReadOnly(await send(url, 'POST', '/api/v1/models/celebrities/identities/', { json: { name: 'Me', images: ['storage://does-not-exist'] } }));
    // Even a body that would be refused otherwise: the gallery is the first thing wrong.
    expectReadOnly(await send(url, 'POST', '/api/v1/models/celebrities/identities/', { json: {} }));
    const form = new FormData();
    form.append('name', 'Barack Obama');
    form.append('images', filePart(await plainPng(), 'image/png'), 'me.png');
    const celebrities = (await send(url, 'GET', '/api/v1/models/celebrities/')).body;
    expectReadOnly(await send(url, 'POST', `/api/v1/models/${celebrities.id}/identities/`, { form }));
    expect((await send(url, 'GET', '/api/v1/models/celebrities/')).body).toMatchObject({ identity_count: 4, sample_count: 7 });
  });

  it('refuses to rename or delete its people', async () => {
    expect(documentedStatuses('PATCH', '/api/v1/models/{model}/identities/{identity}/')).toContain('409');
    expect(documentedStatuses('DELETE', '/api/v1/models/{model}/identities/{identity}/')).toContain('409');
    expectReadOnly(await send(url, 'PATCH', `/api/v1/models/celebrities/identities/${celebrityId}/`, { json: { name: 'Someone Else' } }));
    expectReadOnly(await send(url, 'DELETE', `/api/v1/models/celebrities/identities/${celebrityId}/`));
    const still = await send(url, 'GET', `/api/v1/models/celebrities/identities/${celebrityId}/`);
    expect(still.body).toMatchObject({ name: 'Barack Obama', sample_count: 3 });
    // An identity it does not hold is still not found.
    expectError(await send(url, 'DELETE', `/api/v1/models/celebrities/identities/${randomUUID()}/`), 404, 'not_found', null);
  });

  it('refuses to delete it, by name or id', async () => {
    expect(documentedStatuses('DELETE', '/api/v1/models/{model}/')).toContain('409');
    const celebrities = (await send(url, 'GET', '/api/v1/models/celebrities/')).body;
    for (const ref of ['celebrities', celebrities.id]) expectReadOnly(await send(url, 'DELETE', `/api/v1/models/${ref}/`));
    expect((await send(url, 'GET', '/api/v1/models/celebrities/')).status).toBe(200);
  });

  it('refuses a folder import into it', async () => {
    expect(documentedStatuses('POST', '/api/v1/models/{model}/import-folder/')).toContain('409');
    expectReadOnly(await send(url, 'POST', '/api/v1/models/celebrities/import-folder/', { json: { path: '.' } }));
  });

  it('exports it (reading is allowed), and refuses to import a file under its name', async () => {
    const exported = await send(url, 'GET', '/api/v1/models/celebrities/export/');
    expect(exported.status, exported.text.slice(0, 300)).toBe(200);
    expect(exported.body.identities.map((i: { name: string }) => i.name).sort()).toEqual([...CELEBRITIES].sort());
    expect(documentedStatuses('POST', '/api/v1/models/import/')).toContain('409');
    // The file names "celebrities": importing it as it is would write into the read-only gallery.
    expectReadOnly(await send(url, 'POST', '/api/v1/models/import/', { raw: exported.text, contentType: 'application/json' }));
    const archive = await send(url, 'GET', '/api/v1/models/archive/export/');
    expectReadOnly(await send(url, 'POST', '/api/v1/models/import/?name=celebrities', { raw: archive.text, contentType: 'application/json' }));
    // Under another name it is an own copy, which is writable.
    const copy = await send(url, 'POST', '/api/v1/models/import/?name=celebrities-copy', { raw: exported.text, contentType: 'application/json' });
    expect(copy.status, copy.text).toBe(201);
    expect(copy.body).toMatchObject({ name: 'celebrities-copy', identity_count: 4, sample_count: 7, read_only: false });
    const renamed = await send(url, 'PATCH', `/api/v1/models/celebrities-copy/identities/${(await send(url, 'GET', '/api/v1/models/celebrities-copy/identities/?q=ada')).body.data[0].id}/`, {
      json: { name: 'Ada King' },
    });
    expect(renamed.status, renamed.text).toBe(200);
  });

  it('refuses to name an indexed person into it; the person stays unnamed and can go into an own gallery', async () => {
    expect(documentedStatuses('PATCH', '/api/v1/identities/{id}/')).toContain('409');
    expectReadOnly(await send(url, 'PATCH', `/api/v1/identities/${indexedId}/`, { json: { name: 'Barack Obama', model: 'celebrities' } }));
    expect((await send(url, 'GET', `/api/v1/identities/${indexedId}/`)).body).toMatchObject({ name: null, model: null });
    expect((await send(url, 'GET', '/api/v1/models/celebrities/')).body).toMatchObject({ identity_count: 4, sample_count: 7 });
    const named = await send(url, 'PATCH', `/api/v1/identities/${indexedId}/`, { json: { name: 'Jane Doe', model: 'archive' } });
    expect(named.status, named.text).toBe(200);
    expect(named.body).toMatchObject({ name: 'Jane Doe', model: 'archive' });
  });

  it('finds people by a part of their name, ignoring case, with total, limit and offset', async () => {
    const find = async (model: string, query: string) => {
      const r = await send(url, 'GET', `/api/v1/models/${model}/identities/?${query}`);
      expect(r.status, r.text).toBe(200);
      return { total: r.body.total as number, names: r.body.data.map((i: { name: string }) => i.name) as string[], body: r.body };
    };
    expect(await find('celebrities', 'q=obama')).toMatchObject({ total: 2, names: ['Barack Obama', 'Michelle Obama'] });
    expect((await find('celebrities', 'q=OBAMA')).names).toEqual(['Barack Obama', 'Michelle Obama']);
    expect((await find('celebrities', 'q=rack%20ob')).names).toEqual(['Barack Obama']);
    // Beyond ASCII: É and é are one letter in two cases.
    expect((await find('celebrities', `q=${encodeURIComponent('émile')}`)).names).toEqual(['Émile Zola']);
    expect((await find('celebrities', `q=${encodeURIComponent('ZOLA')}`)).names).toEqual(['Émile Zola']);
    expect(await find('celebrities', 'q=nobody')).toMatchObject({ total: 0, names: [] });
    // Samples are counted as ever.
    expect((await find('celebrities', 'q=barack')).body.data[0]).toMatchObject({ name: 'Barack Obama', sample_count: 3 });
    // Paging applies to what was found; total counts all of it.
    expect(await find('archive', 'q=obama')).toMatchObject({ total: 3, names: ['Jobama Smith', 'OBAMA Fan Club', 'obama'] });
    expect(await find('archive', 'q=obama&limit=2&offset=1')).toMatchObject({ total: 3, names: ['OBAMA Fan Club', 'obama'] });
    const persons = await find('archive', 'q=person%201&limit=5&offset=10');
    expect(persons).toMatchObject({ total: 47, names: ['Person 110', 'Person 111', 'Person 112', 'Person 113', 'Person 114'] });
    expect(persons.body).toMatchObject({ limit: 5, offset: 10 });
    // Without q: everyone, as before.
    expect((await find('archive', 'limit=1000')).total).toBe(151);
  });

  it('refuses a bad q with 400 naming it, and an unknown query key', async () => {
    const path = '/api/v1/models/celebrities/identities/';
    expectInvalid(await send(url, 'GET', `${path}?q=`), 'q');
    expectInvalid(await send(url, 'GET', `${path}?q=%20%20`), 'q');
    expectInvalid(await send(url, 'GET', `${path}?q=a&q=b`), 'q');
    expectInvalid(await send(url, 'GET', `${path}?q=${'x'.repeat(201)}`), 'q');
    expectInvalid(await send(url, 'GET', `${path}?q=a%01b`), 'q');
    expectInvalid(await send(url, 'GET', `${path}?name=obama`), 'name');
    expectInvalid(await send(url, 'GET', `${path}?q=obama&limit=0`), 'limit');
    expectError(await send(url, 'GET', '/api/v1/models/no-such-model/identities/?q=obama'), 404, 'not_found', null);
    expect(documentedStatuses('GET', '/api/v1/models/{model}/identities/')).toEqual(expect.arrayContaining(['200', '400', '404']));
  });
});

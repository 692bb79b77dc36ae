// SPEC §3 through the REST API with real photos: models (galleries), identities added by JSON
// (storage:// ids) and by multipart upload, photos that are refused and why, renaming and deleting
// identities, export → import under a new name, recognition against the imported copy, and bulk
// import from a server-side folder (only under the operator's FACEREC_IMPORT_ROOT).
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, waitForJob, type RunningProduct } from '../support/product.js';
import { sharedDataFile } from '../support/shared-data.js';
import { documentedStatuses, expectError, expectInvalid, filePart, plainPng, send, uploadFile } from './helpers.js';

const galleryDir = sharedDataFile('faces/people/gallery');
const facesDir = galleryDir ? dirname(dirname(galleryDir)) : null;
const gallery = (rel: string) => join(galleryDir!, rel);
const probe = (name: string) => join(dirname(galleryDir!), 'probes', name);

const PEOPLE = ['alex_lacamoire', 'biden', 'kit_harington', 'lin_manuel_miranda', 'obama', 'rose_leslie'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Multipart body of POST …/identities/: `name` and the files in `images`. */
async function identityForm(name: string, files: { path?: string; bytes?: Buffer; filename?: string }[]): Promise<FormData> {
  const form = new FormData();
  form.append('name', name);
  for (const f of files) {
    const bytes = f.bytes ?? readFileSync(f.path!);
    const filename = f.filename ?? basename(f.path!);
    form.append('images', filePart(bytes, filename.endsWith('.png') ? 'image/png' : 'image/jpeg'), filename);
  }
  return form;
}

interface Identity {
  id: string;
  model_id: string;
  name: string;
  sample_count: number;
}

describe.skipIf(!galleryDir)('models API with real photos', () => {
  let product: RunningProduct;
  let url: string;
  let staff: { id: string; name: string };
  const ids: Record<string, Identity> = {};
  let plain: Buffer;

  const identities = async (model: string): Promise<Identity[]> => {
    const r = await send(url, 'GET', `/api/v1/models/${model}/identities/`);
    expect(r.status, r.text).toBe(200);
    return r.body.data;
  };

  beforeAll(async () => {
    product = await startEmbedded({ env: { FACEREC_IMPORT_ROOT: facesDir! } });
    url = product.url;
    plain = await plainPng();
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('has the read-only celebrities model on a fresh install, and refuses to delete it (409 read_only)', async () => {
    const r = await send(url, 'GET', '/api/v1/models/celebrities/');
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ name: 'celebrities', read_only: true });
    expect(r.body.id).toMatch(UUID);
    for (const ref of ['celebrities', r.body.id]) {
      const e = expectError(await send(url, 'DELETE', `/api/v1/models/${ref}/`), 409, 'read_only', null);
      expect(e.message).toContain('read-only');
    }
    expect(documentedStatuses('DELETE', '/api/v1/models/{model}/')).toContain('409');
    expect((await send(url, 'GET', `/api/v1/models/${r.body.id}`)).status).toBe(200);
  });

  it('creates a model; a taken name is 409 on `name`; a name that reads as an id or a path is 400', async () => {
    const r = await send(url, 'POST', '/api/v1/models/', { json: { name: 'staff', description: 'Newsroom staff' } });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ name: 'staff', description: 'Newsroom staff', identity_count: 0, sample_count: 0 });
    expect(r.body.id).toMatch(UUID);
    expect(r.body.embedding_model).toEqual(expect.any(String));
    staff = r.body;

    expectError(await send(url, 'POST', '/api/v1/models/', { json: { name: 'staff' } }), 409, 'conflict', 'name');
    expectError(await send(url, 'POST', '/api/v1/models/', { json: { name: 'celebrities' } }), 409, 'conflict', 'name');
    expectInvalid(await send(url, 'POST', '/api/v1/models/', { json: { name: '0b1e6a52-2f3c-4d5e-8f90-123456789abc' } }), 'name');
    expectInvalid(await send(url, 'POST', '/api/v1/models/', { json: { name: 'a/b' } }), 'name');
    expectInvalid(await send(url, 'POST', '/api/v1/models/', { json: { name: ' staff' } }), 'name');
    expectInvalid(await send(url, 'POST', '/api/v1/models/', { json: {} }), 'name');
    expectInvalid(await send(url, 'POST', '/api/v1/models/', { json: { name: 'x', owner: 'me' } }), 'owner');
  });

  it('lists models and gets one by id and by name alike', async () => {
    const list = await send(url, 'GET', '/api/v1/models/');
    expect(list.status).toBe(200);
    expect(list.body.data.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['celebrities', 'staff']));
    expect(list.body.total).toBe(list.body.data.length);
    const byId = await send(url, 'GET', `/api/v1/models/${staff.id}/`);
    const byName = await send(url, 'GET', '/api/v1/models/staff');
    expect(byId.status).toBe(200);
    expect(byName.body).toEqual(byId.body);
    expectError(await send(url, 'GET', '/api/v1/models/no-such-model/'), 404, 'not_found', null);
  });

  it('adds an identity by JSON with storage:// images uploaded through /api/v1/storage/', async () => {
    const images = [await uploadFile(url, gallery('obama/obama1.jpg')), await uploadFile(url, gallery('obama/obama2.jpg'))];
    const r = await send(url, 'POST', `/api/v1/models/${staff.id}/identities/`, { json: { name: 'obama', images } });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ added: 2, rejected: [], identity: { name: 'obama', model_id: staff.id, sample_count: 2 } });
    ids.obama = r.body.identity;
    const got = await send(url, 'GET', `/api/v1/models/staff/identities/${ids.obama!.id}/`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(r.body.identity);
  });

  it('adds an identity by multipart: field `name` and files in `images`', async () => {
    const form = await identityForm('biden', [{ path: gallery('biden/biden1.jpg') }, { path: gallery('biden/biden2.jpg') }]);
    const r = await send(url, 'POST', `/api/v1/models/staff/identities/`, { form });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ added: 2, rejected: [], identity: { name: 'biden', sample_count: 2 } });
    ids.biden = r.body.identity;
  });

  it('reports a photo with no face in `rejected` and keeps the others', async () => {
    const form = await identityForm('kit', [{ path: gallery('kit_harington/kit_harington1.jpg') }, { bytes: plain, filename: 'plain.png' }]);
    const r = await send(url, 'POST', `/api/v1/models/staff/identities/`, { form });
    expect(r.status, r.text).toBe(201);
    expect(r.body.added).toBe(1);
    expect(r.body.rejected).toEqual([{ image: 'plain.png', message: 'no face found' }]);
    expect(r.body.identity).toMatchObject({ name: 'kit', sample_count: 1 });
    ids.kit = r.body.identity;
  });

  it('refuses an identity whose every photo has no face (400 on `images`), creating nothing', async () => {
    const stored = await send(url, 'POST', '/api/v1/storage/', { raw: plain, contentType: 'image/png' });
    expect(stored.status).toBe(201);
    const byJson = expectInvalid(await send(url, 'POST', '/api/v1/models/staff/identities/', { json: { name: 'nobody', images: [stored.body.source] } }), 'images');
    expect(byJson.message).toContain(`${stored.body.source}: no face found`);
    const form = await identityForm('nobody', [{ bytes: plain, filename: 'plain.png' }]);
    expect(expectInvalid(await send(url, 'POST', '/api/v1/models/staff/identities/', { form }), 'images').message).toContain('plain.png: no face found');
    expect((await identities('staff')).map((i) => i.name)).not.toContain('nobody');
  });

  it('refuses identity bodies that are malformed, naming the field', async () => {
    expectInvalid(await send(url, 'POST', '/api/v1/models/staff/identities/', { json: { name: 'x' } }), 'images');
    expectInvalid(await send(url, 'POST', '/api/v1/models/staff/identities/', { json: { name: 'x', images: [] } }), 'images');
    expectInvalid(await send(url, 'POST', '/api/v1/models/staff/identities/', { json: { name: 'x', images: ['file:///etc/passwd'] } }), 'images[0]');
    expectInvalid(await send(url, 'POST', '/api/v1/models/staff/identities/', { json: { images: ['storage://AbCdEf12'] } }), 'name');
    expectInvalid(await send(url, 'POST', '/api/v1/models/staff/identities/', { form: await identityForm('x', []) }), 'images');
    expectError(await send(url, 'POST', '/api/v1/models/no-such-model/identities/', { json: { name: 'x', images: ['storage://AbCdEf12'] } }), 404, 'not_found', null);
  });

  it('rejects a photo with two faces of similar size, saying why', async () => {
    const form = await identityForm('rose', [{ path: gallery('rose_leslie/rose_leslie1.jpg') }, { path: probe('two_people.jpg') }, { path: probe('kit_with_rose.jpg') }]);
    const r = await send(url, 'POST', `/api/v1/models/staff/identities/`, { form });
    expect(r.status, r.text).toBe(201);
    expect(r.body.added).toBe(1);
    expect(r.body.rejected).toEqual([
      { image: 'two_people.jpg', message: expect.stringMatching(/^\d+ faces and none clearly the largest/) },
      { image: 'kit_with_rose.jpg', message: expect.stringMatching(/^\d+ faces and none clearly the largest/) },
    ]);
    ids.rose = r.body.identity;
  });

  it('renames an identity; a name another identity of the model has is 409', async () => {
    const r = await send(url, 'PATCH', `/api/v1/models/staff/identities/${ids.kit!.id}/`, { json: { name: 'Kit Harington' } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ id: ids.kit!.id, name: 'Kit Harington', sample_count: 1 });
    expect((await send(url, 'GET', `/api/v1/models/${staff.id}/identities/${ids.kit!.id}`)).body.name).toBe('Kit Harington');

    expectError(await send(url, 'PATCH', `/api/v1/models/staff/identities/${ids.kit!.id}/`, { json: { name: 'obama' } }), 409, 'conflict', 'name');
    expectInvalid(await send(url, 'PATCH', `/api/v1/models/staff/identities/${ids.kit!.id}/`, { json: { name: '' } }), 'name');
    expectInvalid(await send(url, 'PATCH', `/api/v1/models/staff/identities/${ids.kit!.id}/`, { json: { name: 'x', sample_count: 3 } }), 'sample_count');
    expect((await send(url, 'GET', `/api/v1/models/staff/identities/${ids.kit!.id}/`)).body.name).toBe('Kit Harington');
  });

  it('deletes an identity: 204, then 404', async () => {
    const before = await send(url, 'GET', '/api/v1/models/staff/');
    expect((await send(url, 'DELETE', `/api/v1/models/staff/identities/${ids.rose!.id}/`)).status).toBe(204);
    expectError(await send(url, 'GET', `/api/v1/models/staff/identities/${ids.rose!.id}/`), 404, 'not_found', null);
    expectError(await send(url, 'DELETE', `/api/v1/models/staff/identities/${ids.rose!.id}/`), 404, 'not_found', null);
    const after = await send(url, 'GET', '/api/v1/models/staff/');
    expect(after.body.identity_count).toBe(before.body.identity_count - 1);
    expect((await identities('staff')).map((i) => i.name).sort()).toEqual(['Kit Harington', 'biden', 'obama']);
  });

  let exported: string;

  it('exports a model and imports it under a new name with the same identities and samples', async () => {
    const ex = await send(url, 'GET', '/api/v1/models/staff/export/');
    expect(ex.status, ex.text.slice(0, 300)).toBe(200);
    expect(ex.headers.get('content-type')).toMatch(/^application\/json/);
    expect(ex.headers.get('content-disposition')).toBe('attachment; filename="staff.facerec-model.json"');
    expect(ex.body.format).toBe('facerec-model');
    exported = ex.text;

    const im = await send(url, 'POST', '/api/v1/models/import/?name=copy', { raw: exported, contentType: 'application/json' });
    expect(im.status, im.text).toBe(201);
    expect(im.body.name).toBe('copy');
    expect(im.body.id).not.toBe(staff.id);
    const summary = (list: Identity[]) => list.map((i) => [i.name, i.sample_count]).sort();
    const original = await identities('staff');
    expect(summary(await identities('copy'))).toEqual(summary(original));
    expect(summary(original)).toEqual([['Kit Harington', 1], ['biden', 2], ['obama', 2]]);
    expect(im.body).toMatchObject({ identity_count: 3, sample_count: 5 });
  });

  it('refuses to import over a taken name (409) and malformed files (400)', async () => {
    expectError(await send(url, 'POST', '/api/v1/models/import/', { raw: exported, contentType: 'application/json' }), 409, 'conflict', null);
    for (const raw of ['not json at all', '{}', '[]', JSON.stringify({ ...JSON.parse(exported), format: 'other' }), JSON.stringify({ ...JSON.parse(exported), identities: 'x' })]) {
      expectError(await send(url, 'POST', '/api/v1/models/import/?name=broken', { raw, contentType: 'application/json' }), 400, 'invalid_request', null);
    }
    expectError(await send(url, 'POST', '/api/v1/models/import/?name=broken', { raw: exported.slice(0, exported.length / 2), contentType: 'application/json' }), 400, 'invalid_request', null);
    expectInvalid(await send(url, 'POST', '/api/v1/models/import/?name=0b1e6a52-2f3c-4d5e-8f90-123456789abc', { raw: exported }), 'name');
    expectInvalid(await send(url, 'POST', '/api/v1/models/import/?nom=x', { raw: exported }), 'nom');
    expectError(await send(url, 'GET', '/api/v1/models/broken/'), 404, 'not_found', null);
  });

  it('recognises obama in people/probes/obama1.jpg against the imported copy', async () => {
    const source = await uploadFile(url, probe('obama1.jpg'));
    const created = await send(url, 'POST', '/api/v1/jobs/', { json: { sources: [source], modules: { face_recognition: { model: 'copy' } } } });
    expect(created.status, created.text).toBe(201);
    const done = await waitForJob(url, created.body.id);
    expect(done.state, JSON.stringify(done.errors)).toBe('completed');
    expect(done.warnings).toEqual([]);
    expect(done.result.summary[0].items.map((i: { label: string }) => i.label)).toContain('obama');
    const details = await send(url, 'GET', `/api/v1/jobs/${created.body.id}/detailed-results/`);
    const persons = details.body.data.map((d: { meta: { person: string | null } }) => d.meta.person);
    expect(persons).toEqual(['obama']);
    expect(details.body.data[0].meta.mean_distance).toBeLessThan(1);
  });

  it('keeps identities to their model: another model\'s path does not reach them', async () => {
    expectError(await send(url, 'GET', `/api/v1/models/copy/identities/${ids.obama!.id}/`), 404, 'not_found', null);
    expectError(await send(url, 'PATCH', `/api/v1/models/copy/identities/${ids.obama!.id}/`, { json: { name: 'x' } }), 404, 'not_found', null);
    expectError(await send(url, 'DELETE', `/api/v1/models/celebrities/identities/${ids.obama!.id}/`), 404, 'not_found', null);
    const same = await send(url, 'PATCH', `/api/v1/models/staff/identities/${ids.obama!.id}/`, { json: { name: 'obama' } });
    expect(same.status, same.text).toBe(200);
    expect(same.body).toMatchObject({ name: 'obama', sample_count: 2 });
  });

  it('deletes a model: 204, then it is gone and jobs cannot name it', async () => {
    const created = await send(url, 'POST', '/api/v1/models/import/?name=doomed', { raw: exported, contentType: 'application/json' });
    expect(created.status, created.text).toBe(201);
    expect((await send(url, 'DELETE', '/api/v1/models/doomed')).status).toBe(204);
    expectError(await send(url, 'GET', `/api/v1/models/${created.body.id}/`), 404, 'not_found', null);
    expectError(await send(url, 'DELETE', '/api/v1/models/doomed/'), 404, 'not_found', null);
    const source = await uploadFile(url, probe('obama1.jpg'));
    const job = await send(url, 'POST', '/api/v1/jobs/', { json: { sources: [source], modules: { face_recognition: { model: 'doomed' } } } });
    expectInvalid(job, 'modules.face_recognition.model');
    // the other models are untouched
    expect((await identities('staff')).length).toBe(3);
  });

  it('imports a folder laid out <person>/<image> from under FACEREC_IMPORT_ROOT', async () => {
    const created = await send(url, 'POST', '/api/v1/models/', { json: { name: 'people' } });
    expect(created.status).toBe(201);
    const r = await send(url, 'POST', '/api/v1/models/people/import-folder/', { json: { path: 'people/gallery' } });
    expect(r.status, r.text).toBe(201);
    expect(r.body.identities.map((i: Identity) => i.name).sort()).toEqual(PEOPLE);
    expect(r.body.rejected).toEqual([]);
    expect(r.body.added).toBe(11);
    expect(documentedStatuses('POST', '/api/v1/models/{model}/import-folder/')).toContain('201');
    expect((await send(url, 'GET', '/api/v1/models/people/')).body).toMatchObject({ identity_count: 6, sample_count: 11 });
  });

  it('refuses folder paths outside the import root, missing, or not folders', async () => {
    for (const path of ['../..', '/etc', 'people/no-such-folder', 'people/probes/obama1.jpg']) {
      expectInvalid(await send(url, 'POST', '/api/v1/models/people/import-folder/', { json: { path } }), 'path');
    }
    expectInvalid(await send(url, 'POST', '/api/v1/models/people/import-folder/', { json: {} }), 'path');
    expectError(await send(url, 'POST', '/api/v1/models/no-such-model/import-folder/', { json: { path: 'people/gallery' } }), 404, 'not_found', null);
  });
});

describe('folder import without FACEREC_IMPORT_ROOT', () => {
  let product: RunningProduct;

  beforeAll(async () => {
    product = await startEmbedded();
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('is refused with 400 on `path`, naming the setting', async () => {
    expect((await send(product.url, 'POST', '/api/v1/models/', { json: { name: 'staff' } })).status).toBe(201);
    const e = expectInvalid(await send(product.url, 'POST', '/api/v1/models/staff/import-folder/', { json: { path: 'people/gallery' } }), 'path');
    expect(e.message).toContain('FACEREC_IMPORT_ROOT');
  });
});

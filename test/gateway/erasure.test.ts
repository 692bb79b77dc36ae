// Erasure (issue 12, part 3) through the REST API with real photos: after
// DELETE /api/v1/models/{m}/identities/{id}/ no vector, crop or name of theirs is reachable through
// the gallery routes (identity, list, export) nor in past jobs' results and summaries (thumbnails
// blanked, boxes kept), and new jobs no longer name them; after DELETE /api/v1/identities/{id}/ an
// indexed unknown person is gone from the index and from past results. Each leaves an audit
// record, without the name.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmbedded, waitForJob, type RunningProduct } from '../support/product.js';
import { availableNats, uniqueName } from '../support/nats.js';
import { sharedDataFile } from '../support/shared-data.js';
import { expectError, filePart, plainPng, send, uploadFile } from './helpers.js';

const galleryDir = sharedDataFile('faces/people/gallery');
const natsUrl = await availableNats();

// Both modes: SQLite and files, and the NATS job store, uploads, bus and audit trail (the matcher's
// galleries and index are files in both).
const MODES = [
  { mode: 'embedded', env: () => ({}), skip: false },
  { mode: 'over NATS', env: () => ({ NATS_URL: natsUrl!, FACEREC_NATS_PREFIX: uniqueName('erasure') }), skip: !natsUrl },
];

describe.skipIf(!galleryDir).each(MODES)('erasure ($mode)', ({ env, skip }) => {
  let product: RunningProduct;
  beforeAll(async () => {
    if (!skip) product = await startEmbedded({ env: env() });
  });
  beforeEach((t) => {
    if (skip) t.skip();
  });
  afterAll(async () => {
    await product?.stop();
  });

  it('leaves no vector, crop or name of theirs in the gallery routes, and new jobs do not name them', async () => {
    const url = product.url;
    const model = (await send(url, 'POST', '/api/v1/models/', { json: { name: 'erasure' } })).body;
    const form = new FormData();
    form.append('name', 'obama');
    for (const f of ['obama1.jpg', 'obama2.jpg']) form.append('images', filePart(readFileSync(join(galleryDir!, 'obama', f)), 'image/jpeg'), f);
    const created = await send(url, 'POST', `/api/v1/models/${model.id}/identities/`, { form });
    expect(created.status, created.text).toBe(201);
    const identity = created.body.identity ?? created.body;
    const other = new FormData();
    other.append('name', 'biden');
    other.append('images', filePart(readFileSync(join(galleryDir!, 'biden', 'biden1.jpg')), 'image/jpeg'), 'biden1.jpg');
    expect((await send(url, 'POST', `/api/v1/models/${model.id}/identities/`, { form: other })).status).toBe(201);

    const probe = await uploadFile(url, join(dirname(galleryDir!), 'probes', 'obama1.jpg'));
    let lastJob = '';
    const runJob = async () => {
      const r = await send(url, 'POST', '/api/v1/jobs/', { json: { sources: [probe], modules: { face_recognition: { model: model.id, enable_top_k: true } } } });
      expect(r.status, r.text).toBe(201);
      await waitForJob(url, r.body.id);
      lastJob = r.body.id;
      return (await send(url, 'GET', `/api/v1/jobs/${r.body.id}/detailed-results/?limit=100`)).body.data as any[];
    };
    const past = await runJob();
    const pastJob = lastJob;
    expect(past.map((d) => d.meta.person)).toContain('obama');
    expect((await send(url, 'GET', `/api/v1/jobs/${pastJob}/`)).text).toContain('obama');
    const exportBefore = (await send(url, 'GET', `/api/v1/models/${model.id}/export/`)).text;
    expect(exportBefore).toContain('obama');

    expect((await send(url, 'DELETE', `/api/v1/models/${model.id}/identities/${identity.id}/`)).status).toBe(204);

    expectError(await send(url, 'GET', `/api/v1/models/${model.id}/identities/${identity.id}/`), 404, 'not_found', null);
    const list = await send(url, 'GET', `/api/v1/models/${model.id}/identities/?limit=1000`);
    expect(list.body.data.map((i: any) => i.name)).toEqual(['biden']);
    const exportAfter = await send(url, 'GET', `/api/v1/models/${model.id}/export/`);
    expect(exportAfter.status).toBe(200);
    expect(exportAfter.text).not.toContain('obama');
    expect(exportAfter.text).not.toContain(identity.id);
    // the remaining person's samples (embeddings, crops) are all that is exported
    expect(JSON.stringify(exportAfter.body.identities ?? exportAfter.body).length).toBeLessThan(exportBefore.length);

    // Past results: no name, no face thumbnail of theirs; the boxes are still there.
    const pastAfter = (await send(url, 'GET', `/api/v1/jobs/${pastJob}/detailed-results/?limit=100`)).body.data as any[];
    expect(JSON.stringify(pastAfter)).not.toContain('obama');
    expect(pastAfter.map((d) => d.detections)).toEqual(past.map((d) => d.detections));
    past.forEach((d, i) => {
      if (d.meta.person === 'obama') expect(pastAfter[i].thumbnail.image).toBe('');
    });
    expect((await send(url, 'GET', `/api/v1/jobs/${pastJob}/`)).text).not.toContain('obama');

    const after = await runJob();
    for (const d of after) {
      expect(d.meta.person).not.toBe('obama');
      expect(d.meta.closest_person).not.toBe('obama');
    }

    const audit = await send(url, 'GET', '/api/v1/audit/');
    const record = audit.body.data.find((a: any) => a.action === 'erasure.identity');
    expect(record).toMatchObject({ actor: 'anonymous', target: `${model.id}/${identity.id}`, details: { samples: 2 } });
    expect(record.details.results.blanked).toBeGreaterThanOrEqual(1);
    expect(audit.text).not.toContain('obama');
  });

  it('DELETE /api/v1/identities/{id}/ erases an indexed unknown person from the index and from past results', async () => {
    const url = product.url;
    const probe = await uploadFile(url, join(dirname(galleryDir!), 'probes', 'alex_lacamoire1.jpg'));
    expect((await send(url, 'POST', '/api/v1/models/', { json: { name: 'nobody' } })).status).toBe(201);
    const r = await send(url, 'POST', '/api/v1/jobs/', { json: { sources: [probe], modules: { face_recognition: { model: 'nobody', index_unknowns: true } } } });
    expect(r.status, r.text).toBe(201);
    await waitForJob(url, r.body.id);
    const results = () => send(url, 'GET', `/api/v1/jobs/${r.body.id}/detailed-results/?limit=100`);
    const before = (await results()).body.data as any[];
    const item = before.find((d) => d.meta.indexed_identity);
    expect(item, JSON.stringify(before.map((d) => d.meta))).toBeDefined();
    const id = item.meta.indexed_identity as string;
    expect(item.thumbnail.image).not.toBe('');
    expect((await send(url, 'GET', `/api/v1/identities/${id}/`)).status).toBe(200);

    const erased = await send(url, 'DELETE', `/api/v1/identities/${id}/`);
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body).toMatchObject({ gallery: [], indexed: [{ id, appearances: 1 }], results: { jobs: 1, blanked: 1 } });
    expect(erased.body.indexed[0].samples).toBeGreaterThan(0);

    expectError(await send(url, 'GET', `/api/v1/identities/${id}/`), 404, 'not_found', null);
    expectError(await send(url, 'DELETE', `/api/v1/identities/${id}/`), 404, 'not_found', null);
    expect((await send(url, 'GET', '/api/v1/identities/?limit=1000')).text).not.toContain(id);
    const after = (await results()).body.data as any[];
    expect(JSON.stringify(after)).not.toContain(id);
    const same = after.find((d) => d.id === item.id);
    expect(same.thumbnail.image).toBe('');
    expect(same.detections).toEqual(item.detections);

    const audit = (await send(url, 'GET', '/api/v1/audit/')).body.data as any[];
    expect(audit.find((a) => a.action === 'erasure.indexed')).toMatchObject({ id: erased.body.audit_id, target: id, details: { results: { blanked: 1 } } });
  });

  it('POST /api/v1/erasure/ with a photo finds the person in the galleries, the identity index and past results, and erases them there only', async () => {
    const url = product.url;
    const probes = join(dirname(galleryDir!), 'probes');
    // A gallery with Obama (two photos) and Biden; a job on a photo of both, matched against it.
    const model = (await send(url, 'POST', '/api/v1/models/', { json: { name: 'by-photo' } })).body;
    for (const [name, files] of [['obama', ['obama1.jpg', 'obama2.jpg']], ['biden', ['biden1.jpg']]] as const) {
      const form = new FormData();
      form.append('name', name);
      for (const f of files) form.append('images', filePart(readFileSync(join(galleryDir!, name, f)), 'image/jpeg'), f);
      expect((await send(url, 'POST', `/api/v1/models/${model.id}/identities/`, { form })).status).toBe(201);
    }
    const job = async (file: string, face_recognition: Record<string, unknown>) => {
      const source = await uploadFile(url, join(probes, file));
      const r = await send(url, 'POST', '/api/v1/jobs/', { json: { sources: [source], modules: { face_recognition } } });
      expect(r.status, r.text).toBe(201);
      await waitForJob(url, r.body.id);
      return { id: r.body.id as string, results: (await send(url, 'GET', `/api/v1/jobs/${r.body.id}/detailed-results/?limit=100`)).body.data as any[] };
    };
    const named = await job('obama_and_biden.jpg', { model: model.id, enable_top_k: true });
    // Exactly these: the third person of the photo is in no gallery.
    expect(named.results.map((d) => d.meta.person ?? '(unknown)').sort()).toEqual(['(unknown)', 'biden', 'obama']);
    // Another job, against an empty gallery with index_unknowns: Obama becomes an indexed unknown person.
    expect((await send(url, 'POST', '/api/v1/models/', { json: { name: 'empty-by-photo' } })).status).toBe(201);
    const indexed = await job('obama-480p.jpg', { model: 'empty-by-photo', index_unknowns: true });
    const indexedId = indexed.results[0]?.meta.indexed_identity as string;
    expect(indexedId).toBeTruthy();

    // Erasure by another photo of him (not one the gallery or the jobs saw).
    const form = new FormData();
    form.append('file', filePart(readFileSync(join(probes, 'obama3.jpg')), 'image/jpeg'), 'obama3.jpg');
    const erased = await send(url, 'POST', '/api/v1/erasure/', { form });
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body.gallery).toEqual([expect.objectContaining({ model_id: model.id, samples: 2 })]);
    expect(erased.body.indexed.map((i: any) => i.id)).toContain(indexedId);
    expect(erased.body.results.blanked).toBeGreaterThanOrEqual(2);
    // The pre-built gallery is read-only: said, not searched (it changes only with its artefact).
    expect(erased.body.not_searched).toEqual([{ model_id: expect.any(String), reason: expect.stringContaining('"celebrities" is read-only') }]);

    // Gone from the gallery (Biden stays), the index, and the past results of both jobs; boxes kept.
    const people = await send(url, 'GET', `/api/v1/models/${model.id}/identities/?limit=100`);
    expect(people.body.data.map((i: any) => i.name)).toEqual(['biden']);
    expect((await send(url, 'GET', `/api/v1/models/${model.id}/export/`)).text).not.toContain('obama');
    expectError(await send(url, 'GET', `/api/v1/identities/${indexedId}/`), 404, 'not_found', null);
    const after = async (id: string) => (await send(url, 'GET', `/api/v1/jobs/${id}/detailed-results/?limit=100`)).body.data as any[];
    const namedAfter = await after(named.id);
    expect(JSON.stringify(namedAfter)).not.toContain('obama');
    expect((await send(url, 'GET', `/api/v1/jobs/${named.id}/`)).text).not.toContain('obama');
    for (const [i, d] of named.results.entries()) {
      expect(namedAfter[i].detections).toEqual(d.detections);
      if (d.meta.person === 'obama') expect(namedAfter[i].thumbnail.image).toBe('');
      else {
        // Someone else's result: as it was, but without him among the nearest.
        const meta = { ...d.meta, closest_person: d.meta.closest_person === 'obama' ? null : d.meta.closest_person, closest_k_persons: d.meta.closest_k_persons.filter((c: any) => c.person !== 'obama') };
        expect(namedAfter[i]).toEqual({ ...d, meta });
      }
    }
    const indexedAfter = await after(indexed.id);
    expect(JSON.stringify(indexedAfter)).not.toContain(indexedId);
    expect(indexedAfter[0].thumbnail.image).toBe('');

    // A new job on his photo no longer names him; a stranger's photo erases nobody (and is audited too).
    expect((await job('obama1.jpg', { model: model.id })).results.map((d) => d.meta.person)).not.toContain('obama');
    const stranger = new FormData();
    stranger.append('file', filePart(readFileSync(join(probes, 'johnsnow_test1.jpg')), 'image/jpeg'), 'johnsnow_test1.jpg');
    const nobody = await send(url, 'POST', '/api/v1/erasure/', { form: stranger });
    expect(nobody.status, nobody.text).toBe(200);
    expect(nobody.body).toMatchObject({ gallery: [], indexed: [], results: { jobs: 0, blanked: 0, mentions: 0 } });

    const audit = await send(url, 'GET', '/api/v1/audit/?limit=100');
    const records = audit.body.data.filter((a: any) => a.action === 'erasure.search');
    expect(records.map((r: any) => r.id)).toEqual([nobody.body.audit_id, erased.body.audit_id]);
    expect(records[1]).toMatchObject({ actor: 'anonymous', target: 'photo', details: { gallery: erased.body.gallery, results: erased.body.results } });
    expect(audit.text).not.toContain('obama');
  });

  it('POST /api/v1/erasure/ refuses a photo without a face, a missing file or an unknown identity id; erases by identity id', async () => {
    const url = product.url;
    const blank = new FormData();
    blank.append('file', filePart(await plainPng(), 'image/png'), 'blank.png');
    expectError(await send(url, 'POST', '/api/v1/erasure/', { form: blank }), 400, 'invalid_request', 'file');
    const none = new FormData();
    none.append('max_distance', '0.5');
    expectError(await send(url, 'POST', '/api/v1/erasure/', { form: none }), 400, 'invalid_request', 'file');
    expectError(await send(url, 'POST', '/api/v1/erasure/', { json: { identity_id: 'no-such-id' } }), 404, 'not_found', 'identity_id');
    expectError(await send(url, 'POST', '/api/v1/erasure/', { json: { identity: 'x' } }), 400, 'invalid_request', 'identity');

    const model = (await send(url, 'POST', '/api/v1/models/', { json: { name: 'by-id' } })).body;
    const form = new FormData();
    form.append('name', 'kit');
    form.append('images', filePart(readFileSync(join(galleryDir!, 'kit_harington', readdirSync(join(galleryDir!, 'kit_harington'))[0]!)), 'image/jpeg'), 'kit.jpg');
    const created = await send(url, 'POST', `/api/v1/models/${model.id}/identities/`, { form });
    expect(created.status, created.text).toBe(201);
    const kit = created.body.identity ?? created.body;
    const erased = await send(url, 'POST', '/api/v1/erasure/', { json: { identity_id: kit.id } });
    expect(erased.status, erased.text).toBe(200);
    expect(erased.body.gallery).toEqual([{ model_id: model.id, identity_id: kit.id, samples: 1 }]);
    expectError(await send(url, 'GET', `/api/v1/models/${model.id}/identities/${kit.id}/`), 404, 'not_found', null);
  });
});

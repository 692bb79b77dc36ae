// SPEC §3's identity index through REST on the embedded product: the index is seeded through the
// matcher's gRPC IndexPersons with real embeddings (FaceEngine on the gallery photos), then listed,
// read and named through /api/v1/identities/. Naming puts the person into a model (and later jobs
// recognise them through it), and stored results of past jobs show the name.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine, largestFace } from '../../libs/engine/engine.js';
import { DEFAULT_EMBEDDER as EMBEDDING_MODEL } from '../../libs/engine/embedder.js';
import { matcherClient, unary, type MatcherClient } from '../../libs/grpc/grpc.js';
import type { IndexPersonsReply__Output } from '../../libs/grpc/generated/facerec/v1/IndexPersonsReply.js';
import type { IndexPersonsRequest } from '../../libs/grpc/generated/facerec/v1/IndexPersonsRequest.js';
import { decodeImage } from '../../libs/image/image.js';
import type { JobRecord, ResultItem } from '../../libs/jobs/types.js';
import { indexUnknownPersons } from '../../services/aggregator/identity-index.js';
import { startEmbedded, waitForJob, type RunningProduct } from '../support/product.js';
import { sharedDataFile } from '../support/shared-data.js';
import { documentedStatuses, expectError, expectInvalid, send, uploadFile } from './helpers.js';

const galleryDir = sharedDataFile('faces/people/gallery');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Face {
  embedding: number[];
  thumbnail: Buffer;
}

/** The largest face of a gallery photo: its embedding and a small JPEG of it. */
async function face(engine: FaceEngine, rel: string): Promise<Face> {
  const path = join(galleryDir!, rel);
  const img = await decodeImage(path);
  const found = largestFace(await engine.analyse(img));
  if (!found) throw new Error(`no face in ${rel}`);
  const { x, y, w, h } = found.box;
  const left = Math.max(0, Math.round(x));
  const top = Math.max(0, Math.round(y));
  const thumbnail = await sharp(readFileSync(path))
    .extract({ left, top, width: Math.min(Math.round(w), img.width - left), height: Math.min(Math.round(h), img.height - top) })
    .resize(64, 64)
    .jpeg()
    .toBuffer();
  return { embedding: Array.from(found.embedding), thumbnail };
}

function indexPersons(matcher: MatcherClient, persons: { faces: Face[]; jobId: string; source?: string; resultIds?: string[] }[]): Promise<IndexPersonsReply__Output> {
  return unary<IndexPersonsRequest, IndexPersonsReply__Output>(matcher, matcher.IndexPersons, {
    persons: persons.map((p) => ({
      embeddings: p.faces.map((f) => ({ model: EMBEDDING_MODEL, values: f.embedding })),
      thumbnail: p.faces[0]!.thumbnail,
      appearance: { jobId: p.jobId, source: p.source ?? 'storage://clip', resultIds: p.resultIds ?? [randomUUID()], frameStart: 12, frameEnd: 56 },
    })),
  });
}

describe.skipIf(!galleryDir)('identity index API', () => {
  let product: RunningProduct;
  let url: string;
  let matcher: MatcherClient;
  let engine: FaceEngine;
  const faces: Record<string, Face> = {};
  let obamaId: string;
  let bidenId: string;
  const jobA = randomUUID();
  const jobB = randomUUID();

  beforeAll(async () => {
    [product, engine] = await Promise.all([startEmbedded(), FaceEngine.load()]);
    url = product.url;
    matcher = matcherClient(product.product.config.addresses.matcher);
    for (const rel of ['obama/obama1.jpg', 'obama/obama2.jpg', 'biden/biden1.jpg', 'biden/biden2.jpg']) faces[rel] = await face(engine, rel);
    // Job A saw Obama (one photo) and Biden; job B saw Obama (the other photo).
    const a = await indexPersons(matcher, [
      { faces: [faces['obama/obama1.jpg']!], jobId: jobA, resultIds: ['a-1', 'a-2'] },
      { faces: [faces['biden/biden1.jpg']!, faces['biden/biden2.jpg']!], jobId: jobA, resultIds: ['a-3'] },
    ]);
    expect(a.created).toEqual([true, true]);
    [obamaId, bidenId] = a.ids as [string, string];
    const b = await indexPersons(matcher, [{ faces: [faces['obama/obama2.jpg']!], jobId: jobB, source: 'storage://other' }]);
    expect(b).toEqual({ ids: [obamaId], created: [false] });
  });

  afterAll(async () => {
    matcher?.close();
    await product?.stop();
  });

  it('lists the indexed persons in the page envelope, with thumbnail and appearances', async () => {
    const r = await send(url, 'GET', '/api/v1/identities/');
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ total: 2, offset: 0, limit: 10, next: null, prev: null });
    expect(r.body.data.map((i: any) => i.id).sort()).toEqual([obamaId, bidenId].sort());
    const obama = r.body.data.find((i: any) => i.id === obamaId);
    expect(obama).toMatchObject({ id: expect.stringMatching(UUID), name: null, model: null, identity_id: null, sample_count: 2, appearance_count: 2 });
    expect(Date.parse(obama.created)).toBeGreaterThan(0);
    const jpeg = Buffer.from(obama.thumbnail, 'base64');
    expect([...jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect((await sharp(jpeg).metadata()).format).toBe('jpeg');
    expect(obama.appearances).toHaveLength(2);
    expect(obama.appearances).toEqual(
      expect.arrayContaining([
        { job_id: jobA, source: 'storage://clip', result_ids: ['a-1', 'a-2'], frame_start: 12, frame_end: 56 },
        { job_id: jobB, source: 'storage://other', result_ids: [expect.any(String)], frame_start: 12, frame_end: 56 },
      ]),
    );
  });

  it('pages with next/prev links and filters by named', async () => {
    const first = await send(url, 'GET', '/api/v1/identities/?limit=1&named=false');
    expect(first.status, first.text).toBe(200);
    expect(first.body.total).toBe(2);
    expect(first.body.data).toHaveLength(1);
    expect(first.body.prev).toBeNull();
    const next = new URL(first.body.next);
    expect(next.pathname).toBe('/api/v1/identities/');
    expect(Object.fromEntries(next.searchParams)).toEqual({ limit: '1', offset: '1', named: 'false' });
    const second = await send(url, 'GET', `${next.pathname}${next.search}`);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
    expect(second.body.next).toBeNull();
    expect(second.body.prev).not.toBeNull();
  });

  it('refuses a bad named filter or page, naming the parameter', async () => {
    expectInvalid(await send(url, 'GET', '/api/v1/identities/?named=yes'), 'named');
    expectInvalid(await send(url, 'GET', '/api/v1/identities/?limit=0'), 'limit');
    expectInvalid(await send(url, 'GET', '/api/v1/identities/?offset=-1'), 'offset');
  });

  it('gets one by id, with or without the trailing slash; an unknown id is a 404 naming it', async () => {
    for (const path of [`/api/v1/identities/${obamaId}/`, `/api/v1/identities/${obamaId}`]) {
      const r = await send(url, 'GET', path);
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ id: obamaId, name: null, appearance_count: 2 });
    }
    const missing = randomUUID();
    const e = expectError(await send(url, 'GET', `/api/v1/identities/${missing}/`), 404, 'not_found', null);
    expect(e.message).toContain(missing);
  });

  it('validates PATCH: name and model required and well formed, the model must exist', async () => {
    const path = `/api/v1/identities/${bidenId}/`;
    expectInvalid(await send(url, 'PATCH', path, { json: {} }), 'name');
    expectInvalid(await send(url, 'PATCH', path, { json: { model: 'celebrities' } }), 'name');
    expectInvalid(await send(url, 'PATCH', path, { json: { name: ' Joe', model: 'celebrities' } }), 'name');
    expectInvalid(await send(url, 'PATCH', path, { json: { name: '', model: 'celebrities' } }), 'name');
    expectInvalid(await send(url, 'PATCH', path, { json: { name: 42, model: 'celebrities' } }), 'name');
    expectInvalid(await send(url, 'PATCH', path, { json: { name: 'Joe Biden' } }), 'model');
    expectInvalid(await send(url, 'PATCH', path, { json: { name: 'Joe Biden', model: 7 } }), 'model');
    const e = expectInvalid(await send(url, 'PATCH', path, { json: { name: 'Joe Biden', model: 'no-such-model' } }), 'model');
    expect(e.message).toContain('no-such-model');
    expectInvalid(await send(url, 'PATCH', path, { json: { name: 'Joe Biden', model: 'celebrities', extra: 1 } }), 'extra');
    expectInvalid(await send(url, 'PATCH', path, { raw: '{not json', contentType: 'application/json' }), null);
    expectInvalid(await send(url, 'PATCH', path, { json: ['Joe Biden'] }), null);
    // Nothing was named by any of these.
    expect((await send(url, 'GET', path)).body.name).toBeNull();
  });

  it('PATCH of an unknown id is a 404', async () => {
    const missing = randomUUID();
    const e = expectError(await send(url, 'PATCH', `/api/v1/identities/${missing}/`, { json: { name: 'X', model: 'celebrities' } }), 404, 'not_found', null);
    expect(e.message).toContain(missing);
  });

  describe('naming', () => {
    let modelId: string;
    const modelName = `people-${randomUUID().slice(0, 8)}`;
    let named: any;

    beforeAll(async () => {
      const m = await send(url, 'POST', '/api/v1/models/', { json: { name: modelName } });
      expect(m.status, m.text).toBe(201);
      modelId = m.body.id;
      const r = await send(url, 'PATCH', `/api/v1/identities/${obamaId}/`, { json: { name: 'Barack Obama', model: modelName } });
      expect(r.status, r.text).toBe(200);
      named = r.body;
    });

    it('answers the named identity', () => {
      expect(named).toMatchObject({ id: obamaId, name: 'Barack Obama', model: modelName, model_id: modelId, identity_id: expect.stringMatching(UUID), sample_count: 2, appearance_count: 2 });
      expect(Date.parse(named.named_at)).toBeGreaterThan(0);
      expect(documentedStatuses('PATCH', '/api/v1/identities/{id}/')).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    });

    it('puts the person into the model, with the moved samples', async () => {
      const r = await send(url, 'GET', `/api/v1/models/${modelId}/identities/`);
      expect(r.status, r.text).toBe(200);
      expect(r.body.data).toEqual([expect.objectContaining({ id: named.identity_id, name: 'Barack Obama', model_id: modelId, sample_count: 2 })]);
      expect((await send(url, 'GET', `/api/v1/models/${modelName}/`)).body).toMatchObject({ identity_count: 1, sample_count: 2 });
    });

    it('refuses to name it again (409), even into another model', async () => {
      expectError(await send(url, 'PATCH', `/api/v1/identities/${obamaId}/`, { json: { name: 'Someone', model: modelName } }), 409, 'conflict', null);
      expectError(await send(url, 'PATCH', `/api/v1/identities/${obamaId}`, { json: { name: 'Barack Obama', model: 'celebrities' } }), 409, 'conflict', null);
    });

    it('filters named and unnamed', async () => {
      const yes = await send(url, 'GET', '/api/v1/identities/?named=true');
      expect(yes.body.data.map((i: any) => i.id)).toEqual([obamaId]);
      const no = await send(url, 'GET', '/api/v1/identities/?named=false');
      expect(no.body.data.map((i: any) => i.id)).toEqual([bidenId]);
    });

    it('is not handed out again by the index: the person now matches through the model', async () => {
      const [id] = await indexUnknownPersons(matcher, [
        {
          embeddings: [faces['obama/obama1.jpg']!.embedding],
          embeddingModel: EMBEDDING_MODEL,
          thumbnail: faces['obama/obama1.jpg']!.thumbnail.toString('base64'),
          appearance: { jobId: randomUUID(), source: 'storage://x', resultIds: ['z'], frameStart: 0, frameEnd: 0 },
        },
      ]);
      expect(id).toMatch(UUID);
      expect(id).not.toBe(obamaId);
      expect(id).not.toBe(bidenId);
    });

    it('a later job on the model recognises the person by the name', async () => {
      const source = await uploadFile(url, join(galleryDir!, '..', 'probes', 'obama1.jpg'));
      const submitted = await send(url, 'POST', '/api/v1/jobs/', { json: { sources: [source], modules: { face_recognition: { model: modelName } } } });
      expect(submitted.status, submitted.text).toBe(201);
      const job = await waitForJob(url, submitted.body.id);
      expect(job.state).toBe('completed');
      const results = await send(url, 'GET', `/api/v1/jobs/${job.id}/detailed-results/`);
      expect(results.body.data.map((i: any) => i.meta.person)).toContain('Barack Obama');
    });

    it('past results with the indexed id show the name, in detailed results and the summary', async () => {
      // A past job's stored results as the aggregator writes them with index_unknowns.
      const jobs = await product.product.adapters.jobStore();
      const id = randomUUID();
      const now = new Date().toISOString();
      const item = (n: number, person: string, indexed: string | null): ResultItem => ({
        id: randomUUID(),
        media_type: 'image',
        source: 'storage://past',
        module: 'face_recognition',
        frame_start: 0,
        frame_end: 0,
        time_start: 0,
        time_end: 0,
        tc_start: '00:00:00:00',
        tc_end: '00:00:00:00',
        meta: { person, class_id: null, closest_person: null, mean_distance: 1.2 + n / 10, mean_similarity: 0.2, indexed_identity: indexed },
        thumbnail: { image: '', meta: {} },
        detections: [{ frame_index: 0, type: 'face_bbox', data: { x: 0.1 * n, y: 0.1, w: 0.1, h: 0.1 } }],
      });
      const job: JobRecord = {
        id,
        tag: 'past',
        state: 'completed',
        errors: [],
        warnings: [],
        progress: 1,
        sources: ['storage://past'],
        request: { index_unknowns: true },
        params: { models: ['celebrities'], max_distance: 1, cluster_unknowns: true, index_unknowns: true, face_detection_scale: 600, enable_top_k: false, top_k: 3, modelIds: [] },
        timeCreated: now,
        timeStarted: now,
        timeCompleted: now,
        mediaType: 'image',
        summary: [
          {
            source: 'storage://past',
            media_type: 'image',
            info: { resolution: [640, 480] },
            items: ['Unknown #1', 'Unknown #2', 'Unknown'].map((label) => ({ type: 'face' as const, label, module: 'face_recognition' as const })),
          },
        ],
      };
      await jobs.create(job);
      await jobs.putResults(id, [item(1, 'Unknown #1', obamaId), item(2, 'Unknown #2', bidenId), item(3, 'Unknown', null)]);

      const results = await send(url, 'GET', `/api/v1/jobs/${id}/detailed-results/`);
      expect(results.status, results.text).toBe(200);
      expect(results.body.data.map((i: any) => [i.meta.person, i.meta.indexed_identity])).toEqual([
        ['Barack Obama', obamaId],
        ['Unknown #2', bidenId],
        ['Unknown', null],
      ]);
      const got = await send(url, 'GET', `/api/v1/jobs/${id}/`);
      expect(got.status, got.text).toBe(200);
      expect(got.body.result.summary[0].items.map((i: any) => i.label)).toEqual(['Barack Obama', 'Unknown #2', 'Unknown']);

      // Naming Biden now: the same stored results show him too.
      const biden = await send(url, 'PATCH', `/api/v1/identities/${bidenId}/`, { json: { name: 'Joe Biden', model: modelId } });
      expect(biden.status, biden.text).toBe(200);
      const again = await send(url, 'GET', `/api/v1/jobs/${id}/detailed-results/?limit=2&offset=1`);
      expect(again.body.data.map((i: any) => i.meta.person)).toEqual(['Joe Biden', 'Unknown']);
      expect((await send(url, 'GET', `/api/v1/jobs/${id}`)).body.result.summary[0].items.map((i: any) => i.label)).toEqual(['Barack Obama', 'Joe Biden', 'Unknown']);
    });
  });
});

// SPEC §1's validation of job requests, through real HTTP against the whole product: every bad
// value → 400 {"error": {"code": "invalid_request", "field": <dotted path>, …}}, never a 500 and
// never a clamped value; the list and detailed-results routes check their query; unknown jobs
// are 404 with the same error body; paths answer with and without the trailing slash.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, waitForJob, type RunningProduct } from '../support/product.js';
import { expectError, expectInvalid, plainPng, send, upload } from './helpers.js';

const F = 'modules.face_recognition';

let product: RunningProduct;
let url: string;
/** A real upload (a plain PNG: a quick job with no face). */
let stored: string;
/** A finished job, for the per-job routes. */
let jobId: string;
let celebritiesId: string;

type Body = Record<string, unknown>;
/** Called inside tests (not in it.each tables, which are built before beforeAll has uploaded). */
const job = (fr: unknown = {}, extra: Body = {}): Body => ({ sources: [stored], modules: { face_recognition: fr }, ...extra });
/** For tables: a well-formed URL (never downloaded, since these bodies are refused). */
const URL_A = 'https://media.example.com/a.jpg';
const urlJob = (extra: Body): Body => ({ sources: [URL_A], modules: { face_recognition: {} }, ...extra });
const postJob = (body: unknown, path = '/api/v1/jobs/') => send(url, 'POST', path, { json: body });

beforeAll(async () => {
  product = await startEmbedded();
  url = product.url;
  stored = await upload(url, await plainPng(), 'plain.png', 'image/png');
  const created = await postJob(job());
  expect(created.status, created.text).toBe(201);
  jobId = created.body.id;
  expect((await waitForJob(url, jobId)).state).toBe('completed');
  const models = await send(url, 'GET', '/api/v1/models/');
  celebritiesId = models.body.data.find((m: { name: string }) => m.name === 'celebrities').id;
});

afterAll(async () => {
  await product?.stop();
});

describe('POST /api/v1/jobs/: module parameters', () => {
  it.each<[string, Body, string]>([
    ['max_distance -0.1', { max_distance: -0.1 }, `${F}.max_distance`],
    ['max_distance 2.1', { max_distance: 2.1 }, `${F}.max_distance`],
    ['max_distance "1"', { max_distance: '1' }, `${F}.max_distance`],
    ['max_distance true', { max_distance: true }, `${F}.max_distance`],
    ['face_detection_scale 99', { face_detection_scale: 99 }, `${F}.face_detection_scale`],
    ['face_detection_scale 2001', { face_detection_scale: 2001 }, `${F}.face_detection_scale`],
    ['face_detection_scale 600.5', { face_detection_scale: 600.5 }, `${F}.face_detection_scale`],
    ['face_detection_scale "600"', { face_detection_scale: '600' }, `${F}.face_detection_scale`],
    ['top_k 0', { top_k: 0 }, `${F}.top_k`],
    ['top_k 11', { top_k: 11 }, `${F}.top_k`],
    ['top_k 2.5', { top_k: 2.5 }, `${F}.top_k`],
    ['top_k "3"', { top_k: '3' }, `${F}.top_k`],
    ['cluster_unknowns "true"', { cluster_unknowns: 'true' }, `${F}.cluster_unknowns`],
    ['cluster_unknowns 1', { cluster_unknowns: 1 }, `${F}.cluster_unknowns`],
    ['index_unknowns "true"', { index_unknowns: 'true' }, `${F}.index_unknowns`],
    ['index_unknowns 1', { index_unknowns: 1 }, `${F}.index_unknowns`],
    ['enable_top_k "true"', { enable_top_k: 'true' }, `${F}.enable_top_k`],
    ['enable_top_k 1', { enable_top_k: 1 }, `${F}.enable_top_k`],
    ['model ""', { model: '' }, `${F}.model`],
    ['model a number', { model: 5 }, `${F}.model`],
    ['models []', { models: [] }, `${F}.models`],
    ['models a string', { models: 'celebrities' }, `${F}.models`],
    ['models ["a","a"]', { models: ['a', 'a'] }, `${F}.models[1]`],
    ['models [1]', { models: [1] }, `${F}.models[0]`],
    ['an unknown key', { topk: 3 }, `${F}.topk`],
    ['a key in another case', { Model: 'celebrities' }, `${F}.Model`],
  ])('refuses %s', async (_what, fr, field) => {
    expectInvalid(await postJob(job(fr)), field);
  });

  it('says what it expected and what came, without clamping', async () => {
    expect(expectInvalid(await postJob(job({ top_k: 11 })), `${F}.top_k`).message).toBe('must be an integer from 1 to 10, got 11');
    expect(expectInvalid(await postJob(job({ cluster_unknowns: 'true' })), `${F}.cluster_unknowns`).message).toBe(
      'must be a boolean (true or false), got "true"',
    );
  });
});

describe('POST /api/v1/jobs/: body, modules and sources', () => {
  it.each<[string, Body, string]>([
    ['an unknown top-level key', urlJob({ callback: 'https://hooks.example.com/x' }), 'callback'],
    ['a callback_url where FACEREC_WEBHOOK_SECRET is not set', urlJob({ callback_url: 'https://hooks.example.com/x' }), 'callback_url'],
    ['modules missing', { sources: [URL_A] }, 'modules'],
    ['modules null', { sources: [URL_A], modules: null }, 'modules'],
    ['modules without face_recognition', { sources: [URL_A], modules: {} }, F],
    ['an unknown module', { sources: [URL_A], modules: { face_recognition: {}, object_detection: {} } }, 'modules.object_detection'],
    ['face_recognition a string', { sources: [URL_A], modules: { face_recognition: 'celebrities' } }, F],
    ['sources missing', { modules: { face_recognition: {} } }, 'sources'],
    ['sources empty', urlJob({ sources: [] }), 'sources'],
    ['sources a string', urlJob({ sources: URL_A }), 'sources'],
    ['sources an object', urlJob({ sources: { 0: URL_A } }), 'sources'],
    ['more sources than the limit (100)', urlJob({ sources: Array(101).fill(URL_A) }), 'sources'],
    ['a source that is a number', urlJob({ sources: [5] }), 'sources[0]'],
    ['a source that is null', urlJob({ sources: [URL_A, null] }), 'sources[1]'],
    ['an ftp:// source', urlJob({ sources: ['ftp://media.example.com/a.jpg'] }), 'sources[0]'],
    ['a file:// source', urlJob({ sources: [URL_A, 'file:///etc/passwd'] }), 'sources[1]'],
    ['a relative path', urlJob({ sources: ['images/a.jpg'] }), 'sources[0]'],
    ['an absolute path', urlJob({ sources: ['/etc/passwd'] }), 'sources[0]'],
    ['storage://../x', urlJob({ sources: ['storage://../x'] }), 'sources[0]'],
    ['an empty source', urlJob({ sources: [''] }), 'sources[0]'],
    ['a tag that is a number', urlJob({ tag: 5 }), 'tag'],
  ])('refuses %s', async (_what, body, field) => {
    expectInvalid(await postJob(body), field);
  });

  it('refuses a storage:// id that was never uploaded, naming its index', async () => {
    const e = expectInvalid(await postJob(job({}, { sources: ['storage://NeverUploaded1'] })), 'sources[0]');
    expect(e.message).toContain('storage://NeverUploaded1');
    expectInvalid(await postJob(job({}, { sources: [stored, 'storage://NeverUploaded2'] })), 'sources[1]');
  });

  it('refuses an unknown model name, in model or in models', async () => {
    const e = expectInvalid(await postJob(job({ model: 'no-such-gallery' })), `${F}.model`);
    expect(e.message).toContain('no-such-gallery');
    expectInvalid(await postJob(job({ models: ['celebrities', 'no-such-gallery'] })), `${F}.models[1]`);
    expectInvalid(await postJob(job({ models: [randomUUID()] })), `${F}.models[0]`);
  });

  it.each<[string, string]>([
    ['not JSON', '{"sources": ['],
    ['a JSON array', JSON.stringify([{ sources: ['https://media.example.com/a.jpg'], modules: { face_recognition: {} } }])],
    ['a JSON string', '"sources"'],
    ['a JSON number', '1'],
    ['JSON null', 'null'],
  ])('refuses a body that is %s, with field null', async (_what, raw) => {
    expectInvalid(await send(url, 'POST', '/api/v1/jobs/', { raw, contentType: 'application/json' }), null);
  });

  it('reads an empty body as {}: sources are then missing', async () => {
    expectInvalid(await send(url, 'POST', '/api/v1/jobs/', { raw: '', contentType: 'application/json' }), 'sources');
  });

  it('refuses a body sent without a JSON content type just the same', async () => {
    expectInvalid(await send(url, 'POST', '/api/v1/jobs/', { raw: 'sources=x', contentType: 'application/x-www-form-urlencoded' }), null);
  });

  it('answers without the trailing slash too', async () => {
    expectInvalid(await postJob(job({ top_k: 0 }), '/api/v1/jobs'), `${F}.top_k`);
    const ok = await postJob(job(), '/api/v1/jobs');
    expect(ok.status, ok.text).toBe(201);
  });
});

describe('POST /api/v1/jobs/: what is valid is accepted as sent', () => {
  it('accepts the edges of every range and echoes them unclamped', async () => {
    for (const fr of [
      { max_distance: 0, face_detection_scale: 100, top_k: 1, enable_top_k: true },
      { max_distance: 2, face_detection_scale: 2000, top_k: 10, cluster_unknowns: true, index_unknowns: false },
    ]) {
      const r = await postJob(job(fr, { tag: 'edges' }));
      expect(r.status, r.text).toBe(201);
      expect(r.body.modules.face_recognition).toMatchObject(fr);
      expect(r.body.tag).toBe('edges');
      expect(r.body.sources).toEqual([stored]);
      const done = await waitForJob(url, r.body.id);
      expect(done.state).toBe('completed');
      expect(done.modules.face_recognition).toMatchObject(fr);
    }
  });

  it('takes a model by id as well as by name, and null parameters as not given', async () => {
    const byId = await postJob(job({ model: celebritiesId }));
    expect(byId.status, byId.text).toBe(201);
    const nulls = await postJob(job({ model: null, models: null, top_k: null }));
    expect(nulls.status, nulls.text).toBe(201);
  });
});

describe('GET /api/v1/jobs/: query', () => {
  it.each<[string, string]>([
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=x', 'offset'],
    ['state=bogus', 'state'],
    ['state=COMPLETED', 'state'],
    ['tag=a&tag=b', 'tag'],
  ])('refuses ?%s naming %s', async (query, field) => {
    expectInvalid(await send(url, 'GET', `/api/v1/jobs/?${query}`), field);
    expectInvalid(await send(url, 'GET', `/api/v1/jobs?${query}`), field);
  });

  it('lists with good values, with and without the trailing slash', async () => {
    for (const path of ['/api/v1/jobs/?limit=1&offset=0&state=completed', '/api/v1/jobs?limit=1&offset=0&state=completed']) {
      const r = await send(url, 'GET', path);
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ offset: 0, limit: 1 });
      expect(r.body.total).toBeGreaterThanOrEqual(1);
      expect(r.body.data).toHaveLength(1);
      expect(r.body.data[0].state).toBe('completed');
    }
  });
});

describe('per-job routes', () => {
  it.each<[string, string]>([
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1001', 'limit'],
    ['offset=-1', 'offset'],
  ])('detailed-results refuses ?%s naming %s', async (query, field) => {
    expectInvalid(await send(url, 'GET', `/api/v1/jobs/${jobId}/detailed-results/?${query}`), field);
    expectInvalid(await send(url, 'GET', `/api/v1/jobs/${jobId}/detailed-results?${query}`), field);
  });

  it('answers a job and its detailed results with and without the trailing slash', async () => {
    for (const path of [`/api/v1/jobs/${jobId}/`, `/api/v1/jobs/${jobId}`]) {
      const r = await send(url, 'GET', path);
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ id: jobId, state: 'completed' });
    }
    for (const path of [`/api/v1/jobs/${jobId}/detailed-results/?limit=5`, `/api/v1/jobs/${jobId}/detailed-results?limit=5`]) {
      const r = await send(url, 'GET', path);
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ total: 0, offset: 0, limit: 5, next: null, prev: null, data: [] });
    }
  });

  const unknownIds: [string, string][] = [
    ['an unknown UUID', randomUUID()],
    ['a non-UUID id', 'not-a-job'],
    ['a UUID-shaped id that is not hex', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz'],
  ];

  it.each(unknownIds)('answers 404 with the error body for %s', async (_what, id) => {
    for (const path of [`/api/v1/jobs/${id}/`, `/api/v1/jobs/${id}`, `/api/v1/jobs/${id}/detailed-results/`]) {
      const e = expectError(await send(url, 'GET', path), 404, 'not_found', null);
      expect(e.message).toBe(`job ${id} not found`);
    }
    expectError(await send(url, 'DELETE', `/api/v1/jobs/${id}/`), 404, 'not_found', null);
  });
});

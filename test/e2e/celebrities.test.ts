// The pre-trained celebrities gallery on a fresh embedded product: loaded from the committed
// artefact at the first start (no photos needed), read-only details, a job with no `model` names a
// public figure from an LFW photo and nobody on photos of people outside LFW, and a job over
// celebrities plus an own gallery names people of both.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELEBRITIES_ARTEFACT } from '../../models/catalog.js';
import { readGalleryArtefact } from '../../libs/gallery/artefact.js';
import { api, startEmbedded, type RunningProduct } from '../support/product.js';
import { sharedDataFile } from '../support/shared-data.js';
import { addPeople, runJob, upload } from './photo-scenario.js';

const faces = sharedDataFile('faces');
const lfw = sharedDataFile('lfw-dev/images');

const names = (results: any[], source: string) => results.filter((r) => r.source === source).map((r) => r.meta.person).filter(Boolean).sort();

describe.skipIf(!faces || !lfw)('celebrities gallery (embedded, from the committed artefact)', () => {
  let running: RunningProduct;
  let started: number;
  beforeAll(async () => {
    const t = performance.now();
    running = await startEmbedded();
    started = performance.now() - t;
  });
  afterAll(async () => {
    await running?.stop();
  });

  it('is filled at the first start and tells its source, people, vectors and embedder', async () => {
    const artefact = readGalleryArtefact(CELEBRITIES_ARTEFACT);
    const model = (await api(running.url, 'GET', '/api/v1/models/celebrities/')).body;
    expect(model.identity_count ?? model.identities ?? model.people).toBe(artefact.header.people.length);
    expect(JSON.stringify(model)).toContain('LFW');
    console.log(`celebrities: ${artefact.header.people.length} people, ${artefact.vectors.flat().length} vectors; embedded start with the load ${(started / 1000).toFixed(1)} s`);
  });

  it('names a public figure from an LFW photo in a job with no model, and nobody else', async () => {
    const photo = await upload(running.url, join(lfw!, 'Angelina_Jolie/Angelina_Jolie_0003.jpg'));
    const { job, results } = await runJob(running.url, [photo], {});
    expect(job.state).toBe('completed');
    expect(names(results, photo)).toEqual(['Angelina Jolie']);
  });

  it('names nobody outside LFW on the people probes and the hamilton clip (Joseph Biden is in LFW)', async () => {
    const probes = ['obama1.jpg', 'kit_with_rose.jpg', 'alex_lacamoire1.jpg', 'johnsnow_test1.jpg', 'obama_and_biden.jpg'];
    const sources = await Promise.all(probes.map((p) => upload(running.url, join(faces!, 'people/probes', p))));
    const clip = await upload(running.url, join(faces!, 'video/short_hamilton_clip.mp4'));
    const { results } = await runJob(running.url, [...sources, clip], {});
    const named = new Set(results.map((r: any) => r.meta.person).filter(Boolean));
    for (const n of named) expect(['Joseph Biden'], `named ${n}`).toContain(n);
  });

  it('names people of celebrities and of an own gallery in one job', async () => {
    expect((await api(running.url, 'POST', '/api/v1/models/', { name: 'people' })).status).toBe(201);
    await addPeople(running.url, 'people', join(faces!, 'people/gallery'), ['obama']);
    const jolie = await upload(running.url, join(lfw!, 'Angelina_Jolie/Angelina_Jolie_0003.jpg'));
    const obama = await upload(running.url, join(faces!, 'people/probes/obama3.jpg'));
    const { results } = await runJob(running.url, [jolie, obama], { models: ['celebrities', 'people'] });
    expect(names(results, jolie)).toEqual(['Angelina Jolie']);
    expect(names(results, obama)).toEqual(['obama']);
  });
});

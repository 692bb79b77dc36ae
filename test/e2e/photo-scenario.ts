// The photo end-to-end scenario, run against a product already started (embedded in-process, or
// every service in its own process over NATS): build galleries through the REST API from
// ../shared/data/faces/people/gallery, run jobs on the probes, check what comes back.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect } from 'vitest';
import { decodeImage } from '../../libs/image/image.js';
import { iou } from '../../libs/geometry/box.js';
import type { FaceEngine } from '../../libs/engine/engine.js';
import { api, waitForJob } from '../support/product.js';

export interface ScenarioData {
  gallery: string;
  probes: string;
}

/** Adds each person folder of `gallery` (those of `only`, when given) to `model` through multipart uploads, named as the folder or as `names` says. */
export async function addPeople(url: string, model: string, gallery: string, only?: readonly string[], names: Readonly<Record<string, string>> = {}): Promise<void> {
  for (const person of readdirSync(gallery).sort()) {
    if (only && !only.includes(person)) continue;
    const form = new FormData();
    form.set('name', names[person] ?? person);
    for (const file of readdirSync(join(gallery, person)).sort()) {
      form.append('images', new Blob([readFileSync(join(gallery, person, file))]), file);
    }
    const res = await fetch(`${url}/api/v1/models/${model}/identities/`, { method: 'POST', body: form });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.added).toBeGreaterThan(0);
  }
}

export async function upload(url: string, file: string): Promise<string> {
  const form = new FormData();
  form.set('file', new Blob([readFileSync(file)]), file.split('/').pop());
  const res = await fetch(`${url}/api/v1/storage/`, { method: 'POST', body: form });
  const body = await res.json();
  expect(res.status).toBe(201);
  expect(body.size).toBe(readFileSync(file).length);
  return body.source as string;
}

export async function runJob(url: string, sources: string[], module: Record<string, unknown>): Promise<{ job: any; results: any[] }> {
  const submitted = await api(url, 'POST', '/api/v1/jobs/', { sources, modules: { face_recognition: module } });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const job = await waitForJob(url, submitted.body.id);
  const results = await api(url, 'GET', `/api/v1/jobs/${job.id}/detailed-results/?limit=1000`);
  return { job, results: results.body.data };
}

const persons = (results: any[], source: string) => results.filter((r) => r.source === source).map((r) => r.meta.person);

/** Everyone a source's results give, unknown faces as `(unknown)`, sorted: compared whole, so an extra or missing face fails. */
export const who = (results: any[], source?: string): string[] =>
  results
    .filter((r) => source === undefined || r.source === source)
    .map((r) => r.meta.person ?? '(unknown)')
    .sort();

/** Runs the whole scenario; `engine` gives the reference boxes. */
export async function photoScenario(url: string, data: ScenarioData, engine: FaceEngine): Promise<void> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const people = `people-${suffix}`;
  const bidenOnly = `biden-${suffix}`;
  const withoutBiden = `no-biden-${suffix}`;
  for (const name of [people, bidenOnly, withoutBiden]) expect((await api(url, 'POST', '/api/v1/models/', { name })).status).toBe(201);
  await addPeople(url, people, data.gallery);
  await addPeople(url, bidenOnly, data.gallery, ['biden']);
  await addPeople(url, withoutBiden, data.gallery, ['alex_lacamoire', 'kit_harington', 'lin_manuel_miranda', 'obama', 'rose_leslie']);
  const model = (await api(url, 'GET', `/api/v1/models/${people}/`)).body;
  expect(model.identity_count).toBe(6);

  const probe = (f: string) => join(data.probes, f);
  const files = ['obama_and_biden.jpg', 'two_people.jpg', 'kit_with_rose.jpg', 'obama1.jpg', 'alex_lacamoire1.jpg', '32bit.png'];
  const sources = await Promise.all(files.map((f) => upload(url, probe(f))));
  const [obamaBiden, twoPeople, kitRose, obama1, alex, rgba] = sources as [string, string, string, string, string, string];

  // 1. One gallery, top-k on.
  const { job, results } = await runJob(url, sources, { model: people, enable_top_k: true, top_k: 3 });
  expect(job.state).toBe('completed');
  expect(job.errors).toEqual([]);
  expect(job.progress).toBe(1);
  expect(job.media_type).toBe('image');
  expect(job.result.summary).toHaveLength(files.length);
  // obama_and_biden.jpg also shows a third person, in no gallery.
  expect(who(results, obamaBiden)).toEqual(['(unknown)', 'biden', 'obama']);
  expect(who(results, kitRose)).toEqual(['kit_harington', 'rose_leslie']);
  expect(who(results, obama1)).toEqual(['obama']);
  expect(who(results, alex)).toEqual(['alex_lacamoire']);
  expect(who(results, rgba)).toEqual(['obama']);
  // two_people.jpg shows Obama and Biden side by side, and gallery/biden/biden1.jpg is a crop of
  // this very photo: a correct recogniser names both (the data README's "both unknown" is wrong).
  expect(persons(results, twoPeople).sort()).toEqual(['biden', 'obama']);
  for (const source of sources) {
    const named = persons(results, source).filter((p: string | null) => p !== null);
    expect(new Set(named).size, `a person given twice in ${source}`).toBe(named.length);
  }

  // Summary: distinct labels per source, info with the resolution.
  const summary = job.result.summary.find((s: any) => s.source === obamaBiden);
  expect(summary.info.resolution).toEqual([2000, 1428]);
  expect(summary.items.map((i: any) => i.label).sort()).toEqual(['Unknown', 'biden', 'obama']);

  for (const r of results) {
    // Thumbnails are JPEG face crops.
    const meta = await sharp(Buffer.from(r.thumbnail.image, 'base64')).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(160);
    // Top-k: k distinct persons, most similar first, consistent with the decision.
    const k = r.meta.closest_k_persons;
    expect(k).toHaveLength(3);
    expect(new Set(k.map((c: any) => c.person)).size).toBe(3);
    for (let i = 1; i < k.length; i++) expect(k[i].similarity).toBeLessThanOrEqual(k[i - 1].similarity);
    expect(r.meta.mean_similarity).toBeCloseTo(1 - r.meta.mean_distance ** 2 / 2, 3);
    if (r.meta.person) expect(r.meta.mean_distance).toBeLessThanOrEqual(1);
    expect(r.frame_start).toBe(0);
    expect(r.tc_start).toBe('00:00:00:00');
  }

  // Boxes lie on the faces: each named face's box matches the engine's own detection.
  for (const [file, source] of [['obama_and_biden.jpg', obamaBiden], ['kit_with_rose.jpg', kitRose]] as const) {
    const img = await decodeImage(probe(file));
    const reference = (await engine.locate(img)).map((f) => f.box);
    for (const r of results.filter((x) => x.source === source && x.meta.person)) {
      const d = r.detections[0].data;
      const box = { x: d.x * img.width, y: d.y * img.height, w: d.w * img.width, h: d.h * img.height };
      const best = Math.max(...reference.map((b) => iou(b, box)));
      expect(best, `${file}: ${r.meta.person}`).toBeGreaterThanOrEqual(0.9);
    }
  }

  // Pagination: the links walk every result exactly once.
  const seen: string[] = [];
  let next: string | null = `${url}/api/v1/jobs/${job.id}/detailed-results/?limit=2`;
  let pages = 0;
  while (next) {
    const page: any = await (await fetch(next)).json();
    expect(page.limit).toBe(2);
    seen.push(...page.data.map((r: any) => r.id));
    next = page.next;
    if (page.next) expect(new URL(page.next).host).toBe(new URL(url).host);
    pages++;
  }
  expect(seen).toHaveLength(results.length);
  expect(new Set(seen).size).toBe(results.length);
  expect(pages).toBe(Math.ceil(results.length / 2));

  // 2. Two galleries combined: biden comes only from the second.
  const combined = await runJob(url, [obamaBiden], { models: [withoutBiden, bidenOnly] });
  expect(who(combined.results, obamaBiden)).toEqual(['(unknown)', 'biden', 'obama']);
  const single = await runJob(url, [obamaBiden], { model: withoutBiden });
  expect(who(single.results, obamaBiden)).toEqual(['(unknown)', '(unknown)', 'obama']);

  // 3. Nobody known: two faces, both unknown, clustered as two persons.
  const strangers = `strangers-${suffix}`;
  expect((await api(url, 'POST', '/api/v1/models/', { name: strangers })).status).toBe(201);
  await addPeople(url, strangers, data.gallery, ['kit_harington', 'rose_leslie']);
  const unknown = await runJob(url, [twoPeople], { model: strangers, cluster_unknowns: true });
  const labels = unknown.results.map((r) => r.meta.person).sort();
  expect(labels).toEqual(['Unknown #1', 'Unknown #2']);
  for (const r of unknown.results) expect(['kit_harington', 'rose_leslie']).toContain(r.meta.closest_person);
  expect(unknown.job.result.summary[0].items.map((i: any) => i.label).sort()).toEqual(['Unknown #1', 'Unknown #2']);
}

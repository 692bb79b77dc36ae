// The gallery artefact format (int8 vectors with a scale), the covering choice of a person's
// embeddings, and the celebrities loader's decisions: load, keep, or refuse another embedder's file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { coveringSubset, displayName, readGalleryArtefact, writeGalleryArtefact, type GalleryArtefactHeader } from '../../libs/gallery/artefact.js';
import { SqliteGalleryStore } from '../../libs/gallery/sqlite-gallery-store.js';
import { moduleLogger } from '../../libs/log/logger.js';
import { EmbeddedVectorIndex } from '../../libs/vector/embedded-vector-index.js';
import { loadCelebrities } from '../../services/matcher/celebrities.js';
import { Galleries } from '../../services/matcher/galleries.js';
import { mulberry32 } from '../support/random.js';

const DIM = 64;
const EMBEDDER = { model: 'faceplugin-fr512', sha256: 'a'.repeat(64), dimension: DIM };
const draw = mulberry32(7);
/** Uniform in [0, 1). */
const next = () => draw() / 2 ** 32;

function unitVector(): Float32Array {
  const v = Float32Array.from({ length: DIM }, () => next() - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function header(people: { name: string; vectors: number }[], embedder = EMBEDDER): GalleryArtefactHeader {
  return {
    format: 'facerec-gallery',
    version: 1,
    name: 'celebrities',
    embedder,
    source: { dataset: 'test people', people: people.length, photos: 10, embedded: 9, noFace: 1 },
    perPerson: 3,
    quantisation: 'int8, one float32 scale per vector',
    built: '2026-01-01T00:00:00.000Z',
    people,
  };
}

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('gallery artefact', () => {
  it('round-trips names and vectors within int8 precision (unit vectors, distance error < 0.01)', () => {
    dir = mkdtempSync(join(tmpdir(), 'facerec-artefact-'));
    const vectors = [[unitVector(), unitVector()], [unitVector()]];
    const path = join(dir, 'g.fgal');
    const sha = writeGalleryArtefact(path, header([{ name: 'Ann Lee', vectors: 2 }, { name: 'Bo Ek', vectors: 1 }]), vectors);
    const read = readGalleryArtefact(path);
    expect(read.sha256).toBe(sha);
    expect(read.header.people.map((p) => p.name)).toEqual(['Ann Lee', 'Bo Ek']);
    vectors.flat().forEach((v, i) => {
      const back = read.vectors.flat()[i]!;
      expect(Math.hypot(...back.map((x, d) => x - v[d]!))).toBeLessThan(0.01);
      expect(Math.hypot(...back)).toBeCloseTo(1, 5);
    });
  });

  it('refuses a truncated file and a file that is not an artefact', () => {
    dir = mkdtempSync(join(tmpdir(), 'facerec-artefact-'));
    const path = join(dir, 'g.fgal');
    writeGalleryArtefact(path, header([{ name: 'Ann', vectors: 1 }]), [[unitVector()]]);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    expect(() => readGalleryArtefact(path)).toThrow(/truncated or corrupt/);
    writeFileSync(path, 'hello');
    expect(() => readGalleryArtefact(path)).toThrow(/not a gallery artefact/);
  });

  it('names people as shown to users and keeps the embeddings that cover a person', () => {
    expect(displayName('Angelina_Jolie')).toBe('Angelina Jolie');
    // Three tight clusters: the covering choice of 3 takes one from each, the mean's nearest first.
    const around = (c: number) => Float32Array.from({ length: 4 }, (_, d) => (d === c ? 1 : 0) + (next() - 0.5) * 0.01);
    const all = [around(0), around(0), around(0), around(1), around(1), around(2)];
    const chosen = coveringSubset(all, 3);
    expect(chosen).toHaveLength(3);
    expect(new Set(chosen.map((v) => v.indexOf(Math.max(...v))))).toEqual(new Set([0, 1, 2]));
    expect(coveringSubset(all, 0)).toHaveLength(6);
    expect(coveringSubset(all.slice(0, 2), 3)).toHaveLength(2);
  });
});

describe('celebrities loader', () => {
  async function open() {
    const store = new SqliteGalleryStore(join(dir, 'galleries.db'));
    const index = await EmbeddedVectorIndex.open(join(dir, 'vectors.db'));
    const galleries = new Galleries(store, index, { name: EMBEDDER.model, sha256: EMBEDDER.sha256, dimension: DIM, toContract: (r) => r });
    await galleries.init();
    return { store, index, galleries, close: async () => Promise.all([store.close(), index.close()]) };
  }
  const log = moduleLogger('celebrities-test');

  it('loads the artefact in bulk once, keeps it across restarts, and matches against it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'facerec-celebrities-'));
    const people = Array.from({ length: 50 }, (_, i) => ({ name: `Person ${i}`, vectors: 1 + (i % 3) }));
    const vectors = people.map((p) => Array.from({ length: p.vectors }, unitVector));
    const path = join(dir, 'c.fgal');
    writeGalleryArtefact(path, header(people), vectors);
    let g = await open();
    expect(await loadCelebrities(g.store, g.index, g.galleries, path, log)).toMatchObject({ state: 'loaded', people: 50, vectors: 99 });
    const model = (await g.store.findModel('celebrities'))!;
    expect(model.description).toMatch(/50 public figures from test people/);
    const best = (await g.galleries.match([vectors[7]![0]!], [model.id], 1))[0]![0];
    expect(best).toMatchObject({ person: 'Person 7' });
    expect(best!.distance).toBeLessThan(0.01);
    await g.close();
    g = await open();
    expect(await loadCelebrities(g.store, g.index, g.galleries, path, log)).toMatchObject({ state: 'current', people: 50, vectors: 99 });
    await g.close();
  });

  it('refuses an artefact made by another embedder, naming both, and keeps the gallery out of matching', async () => {
    dir = mkdtempSync(join(tmpdir(), 'facerec-celebrities-'));
    const path = join(dir, 'c.fgal');
    writeGalleryArtefact(path, header([{ name: 'Ann', vectors: 1 }], { model: 'dlib-resnet', sha256: 'b'.repeat(64), dimension: DIM }), [[unitVector()]]);
    const g = await open();
    const model = (await g.store.findModel('celebrities'))!;
    // A gallery already holding vectors of another embedder is never matched.
    await g.store.replaceModelContents(model.id, { description: 'old', embedder: { model: 'dlib-resnet', sha256: 'b'.repeat(64) }, identities: [], samples: [] });
    expect(await loadCelebrities(g.store, g.index, g.galleries, path, log)).toEqual({ state: 'refused' });
    await expect(g.galleries.match([unitVector()], [model.id], 1)).rejects.toThrow(/made by dlib-resnet .* this installation runs faceplugin-fr512/);
    await g.close();
  });

  it('format 2 carries aliases, category, country and sources per person and the sources; format 2 of another embedder is refused too; an unknown format is refused', async () => {
    dir = mkdtempSync(join(tmpdir(), 'facerec-artefact-'));
    const path = join(dir, 'v2.fgal');
    const people = [{ name: 'Angela Merkel', vectors: 1, aliases: ['Merkel, Angela'], category: 'politics', country: 'DE', sources: ['lfw', 'cfp'] }];
    const sources = [{ id: 'lfw', title: 'LFW', licence: 'research', people: 1, photos: 1 }];
    writeGalleryArtefact(path, { ...header(people), version: 2, sources }, [[unitVector()]]);
    const read = readGalleryArtefact(path);
    expect(read.header).toMatchObject({ version: 2, people, sources });
    const g = await open();
    expect(await loadCelebrities(g.store, g.index, g.galleries, path, log)).toMatchObject({ state: 'loaded', people: 1 });
    const model = (await g.store.findModel('celebrities'))!;
    expect((await g.store.listIdentities(model.id, { limit: 10, offset: 0 }, { category: 'politics', country: 'DE' })).items).toMatchObject([{ name: 'Angela Merkel', aliases: ['Merkel, Angela'], sources: ['lfw', 'cfp'] }]);
    expect(g.galleries.sourcesOf(model.id)).toEqual(sources);
    await g.close();
    const other = join(dir, 'other.fgal');
    writeGalleryArtefact(other, { ...header(people, { model: 'dlib-resnet', sha256: 'b'.repeat(64), dimension: DIM }), version: 2, sources }, [[unitVector()]]);
    const g2 = await open();
    expect(await loadCelebrities(g2.store, g2.index, g2.galleries, other, log)).toEqual({ state: 'refused' });
    await g2.close();
    const future = join(dir, 'v3.fgal');
    writeGalleryArtefact(future, { ...header(people), version: 3 as 2 }, [[unitVector()]]);
    expect(() => readGalleryArtefact(future)).toThrow(/unsupported artefact format facerec-gallery 3/);
  });
});

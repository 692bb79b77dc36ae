// The identity index (index_unknowns) at the domain level: the IdentityIndex class over real
// stores — a SQLite gallery file (gallery store + index store on one file), and PostgreSQL (the real
// server, test/support/postgres.ts: skipped with the reason printed where none answers, failing
// under CI=true) — and the embedded vector index.
// Embeddings are synthetic but shaped like the model's: persons are random directions, looks of a
// person are small perturbations of it (raw distance ~0.2 → contract ~0.5; persons ~1.4 → ~1.4).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractDistanceFor } from '../../libs/engine/calibration.js';
import { euclidean } from '../../libs/engine/distance.js';
import { INDEX_MODEL_ID } from '../../libs/gallery/identity-index.js';
import type { GalleryStore } from '../../libs/gallery/gallery-store.js';
import type { IdentityIndexStore } from '../../libs/gallery/identity-index.js';
import { PostgresGalleryStore } from '../../libs/gallery/postgres-gallery-store.js';
import { PostgresIdentityIndex } from '../../libs/gallery/postgres-identity-index.js';
import { SqliteGalleryStore } from '../../libs/gallery/sqlite-gallery-store.js';
import { SqliteIdentityIndex } from '../../libs/gallery/sqlite-identity-index.js';
import { EmbeddedVectorIndex } from '../../libs/vector/embedded-vector-index.js';
import { Galleries, InvalidArgumentError, NotFoundError } from '../../services/matcher/galleries.js';
import { AlreadyNamedError, IdentityIndex, type UnknownPerson } from '../../services/matcher/identity-index.js';
import { mostDiverse } from '../../services/aggregator/identity-index.js';
import { availablePostgres, freshSchema, postgresTitle } from '../support/postgres.js';
import { mulberry32 } from '../support/random.js';

const postgresUrl = await availablePostgres();

/** Where the stores keep their data for one test: opened (again, after a close) on it, removed after. */
interface Backend {
  name: string;
  skipped: boolean;
  place(dir: string): Promise<{ open(): Promise<[GalleryStore, IdentityIndexStore]>; remove(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'SQLite',
    skipped: false,
    place: async (dir) => ({
      open: async () => [new SqliteGalleryStore(join(dir, 'galleries.db')), new SqliteIdentityIndex(join(dir, 'galleries.db'))],
      remove: async () => undefined,
    }),
  },
  {
    name: postgresTitle('PostgreSQL', postgresUrl),
    skipped: !postgresUrl,
    place: async () => {
      const schema = await freshSchema(postgresUrl!);
      return { open: () => Promise.all([PostgresGalleryStore.open(schema.url), PostgresIdentityIndex.open(schema.url)]), remove: schema.drop };
    },
  },
];

const DIM = 128;
const EMBEDDING = { name: 'dlib-resnet', sha256: 'test', dimension: DIM, toContract: contractDistanceFor({ threshold: 0.5657 }) };

/** Seeded normal-ish numbers (mulberry32 + Box–Muller): the same every run. */
function rng(seed: number): () => number {
  const next = mulberry32(seed);
  const uniform = () => (next() + 1) / 4294967297; // in (0, 1): log() stays finite
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function scaled(v: number[], norm: number): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => (x / n) * norm);
}

/** A person: a direction; `looks(n)` are its faces, each about 0.2 (raw) from the direction. */
function person(seed: number) {
  const next = rng(seed);
  const centre = scaled(Array.from({ length: DIM }, next), 1);
  let look = 0;
  return {
    centre,
    looks(n: number): Float32Array[] {
      return Array.from({ length: n }, () => {
        const noise = scaled(Array.from({ length: DIM }, rng(seed * 1000 + ++look)), 0.12);
        return Float32Array.from(centre.map((x, i) => x + noise[i]!));
      });
    },
  };
}

/** Indexes one person; its id and whether it is new. */
let indexOne: (p: UnknownPerson) => Promise<{ id: string; created: boolean }>;

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);

function unknown(embeddings: Float32Array[], jobId: string, extra: Partial<UnknownPerson['appearance']> = {}): UnknownPerson {
  return { embeddings, thumbnail: JPEG, appearance: { jobId, source: 'storage://clip', resultIds: [`${jobId}-r1`], frameStart: 10, frameEnd: 50, ...extra } };
}

describe.each(BACKENDS)('IdentityIndex over $name', (backend) => {
  let dir: string;
  let place: Awaited<ReturnType<Backend['place']>>;
  let galleryStore: GalleryStore;
  let indexStore: IdentityIndexStore;
  let vectors: EmbeddedVectorIndex;
  let galleries: Galleries;
  let index: IdentityIndex;

  async function open(): Promise<void> {
    [galleryStore, indexStore] = await place.open();
    vectors = await EmbeddedVectorIndex.open(join(dir, 'vectors.db'));
    galleries = new Galleries(galleryStore, vectors, EMBEDDING);
    await galleries.init();
    index = new IdentityIndex(indexStore, vectors, galleries);
    await index.init();
    indexOne = async (p) => (await index.indexPersons([p]))[0]!;
  }

  async function close(): Promise<void> {
    await indexStore.close();
    await galleryStore.close();
    await vectors.close();
  }

  beforeEach(async ({ skip }) => {
    if (backend.skipped) return skip('no PostgreSQL server (FACEREC_TEST_DATABASE_URL)');
    dir = await mkdtemp(join(tmpdir(), 'facerec-index-'));
    place = await backend.place(dir);
    await open();
  });

  afterEach(async () => {
    if (backend.skipped) return;
    await close();
    await place.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('the synthetic persons are shaped as the test assumes', () => {
    const [a1, a2] = person(1).looks(2);
    const [b1] = person(2).looks(1);
    const same = EMBEDDING.toContract(euclidean(a1!, a2!));
    const other = EMBEDDING.toContract(euclidean(a1!, b1!));
    expect(same).toBeGreaterThan(0.3); // not near-copies: they are kept as samples
    expect(same).toBeLessThan(0.8);
    expect(other).toBeGreaterThan(1.2);
  });

  it('gives the same person the same id across jobs, and a different person a new id', async () => {
    const ann = person(1);
    const bob = person(2);
    const [first] = await index.indexPersons([unknown(ann.looks(3), 'job-1')]);
    expect(first!.created).toBe(true);
    const [again, other] = await index.indexPersons([unknown(ann.looks(2), 'job-2'), unknown(bob.looks(3), 'job-2')]);
    expect(again).toEqual({ id: first!.id, created: false });
    expect(other!.created).toBe(true);
    expect(other!.id).not.toBe(first!.id);
    expect((await index.list({ limit: 10, offset: 0 })).total).toBe(2);
  });

  it('indexes two looks of one new person in one call as one identity', async () => {
    const ann = person(3);
    const ids = await index.indexPersons([unknown(ann.looks(2), 'job-1', { source: 'a' }), unknown(ann.looks(2), 'job-1', { source: 'b' })]);
    expect(ids[1]!.id).toBe(ids[0]!.id);
    expect((await index.get(ids[0]!.id)).appearances.map((a) => a.source).sort()).toEqual(['a', 'b']);
  });

  it('keeps the thumbnail, a few diverse samples (capped), and their vectors under the reserved model id', async () => {
    const ann = person(4);
    const looks = ann.looks(12);
    const { id } = await indexOne(unknown([looks[0]!, looks[0]!, ...looks.slice(1)], 'job-1'));
    const identity = await index.get(id);
    expect(identity.thumbnail).toEqual(JPEG);
    expect(identity.sampleCount).toBe(8); // the copy of look 0 adds nothing; then capped at 8
    expect(await vectors.count([INDEX_MODEL_ID])).toBe(8);
    // A redelivered job: same embeddings, nothing new.
    await index.indexPersons([unknown(looks.slice(0, 4), 'job-1')]);
    expect((await index.get(id)).sampleCount).toBe(8);
    // A later job adds at most two more.
    await index.indexPersons([unknown(ann.looks(5), 'job-2')]);
    expect((await index.get(id)).sampleCount).toBe(10);
  });

  it('accumulates appearances, merging a repeated job and source', async () => {
    const ann = person(5);
    const { id } = await indexOne(unknown(ann.looks(2), 'job-1', { resultIds: ['r1'], frameStart: 10, frameEnd: 20 }));
    await index.indexPersons([unknown(ann.looks(2), 'job-2', { source: 'storage://other', resultIds: ['r7', 'r8'], frameStart: 0, frameEnd: 0 })]);
    await index.indexPersons([unknown(ann.looks(2), 'job-1', { resultIds: ['r1', 'r2'], frameStart: 5, frameEnd: 15 })]);
    const identity = await index.get(id);
    expect(identity.appearanceCount).toBe(2);
    const byJob = Object.fromEntries(identity.appearances.map((a) => [a.jobId, a]));
    expect(byJob['job-1']).toMatchObject({ source: 'storage://clip', resultIds: ['r1', 'r2'], frameStart: 5, frameEnd: 20 });
    expect(byJob['job-2']).toMatchObject({ source: 'storage://other', resultIds: ['r7', 'r8'], frameStart: 0, frameEnd: 0 });
  });

  it('naming moves the samples into the model; the model then recognises the person', async () => {
    const ann = person(6);
    const staff = await galleries.createModel('staff', '');
    const { id } = await indexOne(unknown(ann.looks(4), 'job-1'));
    const held = (await index.get(id)).sampleCount;

    const named = await index.name(id, 'Ann Example', 'staff');
    expect(named.named).toMatchObject({ name: 'Ann Example', modelId: staff.id, modelName: 'staff' });
    expect(named.sampleCount).toBe(held);
    const identity = await galleries.getIdentity('staff', named.named!.identityId);
    expect(identity).toMatchObject({ name: 'Ann Example', sampleCount: held });
    expect((await galleryStore.listSamples({ identityId: identity.id }))[0]!.crop).toEqual(JPEG);
    expect(await vectors.count([INDEX_MODEL_ID])).toBe(0);

    const [candidates] = await galleries.match(ann.looks(1), [staff.id], 3);
    expect(candidates![0]).toMatchObject({ person: 'Ann Example', identityId: identity.id });
    expect(candidates![0]!.distance).toBeLessThan(1);
  });

  it('never returns a named identity again; the person gets a new id if seen unmatched', async () => {
    const ann = person(7);
    await galleries.createModel('staff', '');
    const { id } = await indexOne(unknown(ann.looks(3), 'job-1'));
    await index.name(id, 'Ann', 'staff');
    const [later] = await index.indexPersons([unknown(ann.looks(2), 'job-2')]);
    expect(later!.id).not.toBe(id);
    expect(later!.created).toBe(true);
  });

  it('extends an existing identity of that name, and can name into the model by id', async () => {
    const ann = person(8);
    const staff = await galleries.createModel('staff', '');
    const existing = await galleries.addSamples('staff', 'Ann', [{ embedding: ann.looks(1)[0]!, crop: JPEG, origin: 'photo.jpg' }]);
    const { id } = await indexOne(unknown(ann.looks(3), 'job-1'));
    const named = await index.name(id, 'Ann', staff.id);
    expect(named.named!.identityId).toBe(existing.id);
    expect((await galleries.getIdentity('staff', existing.id)).sampleCount).toBe(1 + named.sampleCount);
  });

  it('refuses to name twice, an unknown id, or into a missing model', async () => {
    await galleries.createModel('staff', '');
    const { id } = await indexOne(unknown(person(9).looks(2), 'job-1'));
    await expect(index.name(id, 'X', 'no-such-model')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect((await index.get(id)).named).toBeNull();
    await index.name(id, 'X', 'staff');
    await expect(index.name(id, 'Y', 'staff')).rejects.toBeInstanceOf(AlreadyNamedError);
    await expect(index.name('00000000-0000-4000-8000-000000000000', 'X', 'staff')).rejects.toBeInstanceOf(NotFoundError);
    await expect(index.get('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('resolves ids to names in order, following a rename of the gallery identity', async () => {
    await galleries.createModel('staff', '');
    const a = await indexOne(unknown(person(10).looks(2), 'j'));
    const b = await indexOne(unknown(person(11).looks(2), 'j'));
    const named = await index.name(a.id, 'Ann', 'staff');
    expect(await index.resolve([b.id, a.id, 'unknown-id', a.id])).toEqual([
      { id: b.id, name: '' },
      { id: a.id, name: 'Ann' },
      { id: 'unknown-id', name: '' },
      { id: a.id, name: 'Ann' },
    ]);
    await galleries.renameIdentity('staff', named.named!.identityId, 'Ann Example');
    expect(await index.resolve([a.id])).toEqual([{ id: a.id, name: 'Ann Example' }]);
    expect((await index.get(a.id)).named!.name).toBe('Ann Example');
    // The gallery identity deleted: the name it was given remains.
    await galleries.deleteIdentity('staff', named.named!.identityId);
    expect(await index.resolve([a.id])).toEqual([{ id: a.id, name: 'Ann' }]);
  });

  it('lists newest first, filtered by named, and pages', async () => {
    await galleries.createModel('staff', '');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const [r] = await index.indexPersons([unknown(person(20 + i).looks(2), `job-${i}`)]);
      ids.push(r!.id);
      await new Promise((r) => setTimeout(r, 3)); // distinct creation times
    }
    await index.name(ids[1]!, 'Named', 'staff');
    const all = await index.list({ limit: 10, offset: 0 });
    expect(all.items.map((i) => i.id)).toEqual([...ids].reverse());
    expect((await index.list({ limit: 10, offset: 0, named: true })).items.map((i) => i.id)).toEqual([ids[1]]);
    const unnamed = await index.list({ limit: 2, offset: 1, named: false });
    expect(unnamed.total).toBe(3);
    expect(unnamed.items.map((i) => i.id)).toEqual([ids[2], ids[0]]);
  });

  it('survives a restart: ids, samples and vectors persist', async () => {
    const ann = person(12);
    const { id } = await indexOne(unknown(ann.looks(3), 'job-1'));
    await close();
    await open();
    const [again] = await index.indexPersons([unknown(ann.looks(2), 'job-2')]);
    expect(again).toEqual({ id, created: false });
  });

  it('erasure: delete removes the identity, its samples, vectors and appearances (even after a restart), and a later sighting is a new person', async () => {
    const ann = person(13);
    const bob = person(14);
    const { id } = await indexOne(unknown(ann.looks(3), 'job-1'));
    const { id: bobId } = await indexOne(unknown(bob.looks(3), 'job-1', { source: 'other' }));
    const before = await index.delete(id);
    expect(before.appearances.map((a) => a.resultIds)).toEqual([['job-1-r1']]);
    expect(before.sampleCount).toBeGreaterThan(0);
    await expect(index.get(id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(index.delete(id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await indexStore.listSamples(id)).toEqual([]);
    expect(await indexStore.listAppearances(id, 100)).toEqual([]);
    expect(await vectors.count([INDEX_MODEL_ID])).toBe((await index.get(bobId)).sampleCount);
    expect(await index.find(ann.looks(2))).toEqual([]);
    await close();
    await open();
    await expect(index.get(id)).rejects.toBeInstanceOf(NotFoundError);
    const [again] = await index.indexPersons([unknown(ann.looks(2), 'job-2')]);
    expect(again!.created).toBe(true);
    expect(again!.id).not.toBe(id);
  });

  it('find: the unnamed identities a face matches, nearest first; none for a stranger; never a named one', async () => {
    const ann = person(15);
    const { id } = await indexOne(unknown(ann.looks(3), 'job-1'));
    const { id: bobId } = await indexOne(unknown(person(16).looks(3), 'job-1'));
    const found = await index.find(ann.looks(1));
    expect(found.map((f) => f.id)).toEqual([id]);
    expect(found[0]!.distance).toBeLessThan(1);
    expect(await index.find(person(17).looks(1))).toEqual([]);
    await galleries.createModel('staff', '');
    await index.name(bobId, 'Bob', 'staff');
    expect(await index.find(person(16).looks(1))).toEqual([]);
    await expect(index.find([new Float32Array(3)])).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('refuses persons without embeddings or with embeddings of another size', async () => {
    await expect(index.indexPersons([unknown([], 'job-1')])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(index.indexPersons([unknown([new Float32Array(3)], 'job-1')])).rejects.toBeInstanceOf(InvalidArgumentError);
    expect((await index.list({ limit: 10, offset: 0 })).total).toBe(0);
  });
});

describe('mostDiverse (aggregator side)', () => {
  it('keeps all when few, else the first and then the farthest ones', () => {
    const e = [[0], [0.1], [5], [0.05], [2.5], [5.01]];
    expect(mostDiverse(e, 8)).toEqual(e);
    expect(mostDiverse(e, 3)).toEqual([[0], [2.5], [5.01]]); // in their order
    expect(mostDiverse([[1], [1], [1]], 2)).toEqual([[1]]);
  });
});

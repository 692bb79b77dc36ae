// One contract for the gallery and identity-index stores, run against each backend: SQLite (the
// embedded mode's file) and PostgreSQL (DATABASE_URL, several matcher replicas). The PostgreSQL
// runs need a real server (test/support/postgres.ts): skipped with a printed reason where none
// answers, failing under CI=true.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityNameTakenError, ModelNameTakenError, type GalleryStore, type SampleRecord } from '../../libs/gallery/gallery-store.js';
import { AlreadyNamedError, type IdentityIndexStore, type IndexSampleRecord } from '../../libs/gallery/identity-index.js';
import { PostgresGalleryStore } from '../../libs/gallery/postgres-gallery-store.js';
import { PostgresIdentityIndex } from '../../libs/gallery/postgres-identity-index.js';
import { SqliteGalleryStore } from '../../libs/gallery/sqlite-gallery-store.js';
import { SqliteIdentityIndex } from '../../libs/gallery/sqlite-identity-index.js';
import { availablePostgres, freshSchema, postgresTitle } from '../support/postgres.js';

const CREATED = '2025-01-01T00:00:00.000Z';

function model(id: string, name: string) {
  return { id, name, description: `${name} gallery`, embeddingModel: 'dlib-resnet', embeddingSha256: '', created: CREATED };
}

let sampleCounter = 0;

function sample(identityId: string, modelId: string, embedding: number[] | Float32Array = [0.1, -0.2, 0.3]): SampleRecord {
  sampleCounter++;
  return {
    id: `sample-${sampleCounter}`,
    identityId,
    modelId,
    embedding: Float32Array.from(embedding),
    crop: Buffer.from([0xff, 0xd8, sampleCounter & 0xff, 0xff, 0xd9]),
    origin: `photo-${sampleCounter}.jpg`,
    created: CREATED,
  };
}

/** Where a backend keeps its data for one test: opening its stores (again, after a close) and removing it. */
interface Place {
  gallery(): Promise<GalleryStore>;
  index(): Promise<IdentityIndexStore>;
  remove(): Promise<void>;
}

interface Backend {
  name: string;
  /** Why it is skipped, or null. */
  skipped: string | null;
  place(): Promise<Place>;
}

const sqlite: Backend = {
  name: 'SQLite',
  skipped: null,
  async place() {
    const dir = await mkdtemp(join(tmpdir(), 'facerec-gallery-'));
    const path = join(dir, 'data', 'galleries.db');
    return {
      gallery: async () => new SqliteGalleryStore(path),
      index: async () => new SqliteIdentityIndex(path),
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

const postgresUrl = await availablePostgres();
const postgres: Backend = {
  name: postgresTitle('PostgreSQL', postgresUrl),
  skipped: postgresUrl ? null : 'no PostgreSQL server (FACEREC_TEST_DATABASE_URL)',
  async place() {
    const schema = await freshSchema(postgresUrl!);
    return {
      gallery: () => PostgresGalleryStore.open(schema.url),
      index: () => PostgresIdentityIndex.open(schema.url),
      remove: schema.drop,
    };
  },
};

describe.each([sqlite, postgres])('GalleryStore on $name', (backend) => {
  let place: Place;
  let store: GalleryStore;

  beforeEach(async ({ skip }) => {
    if (backend.skipped) return skip(backend.skipped);
    place = await backend.place();
    store = await place.gallery();
    await store.createModel(model('m-staff', 'staff'));
    await store.createModel(model('m-guests', 'guests'));
  });

  afterEach(async () => {
    if (backend.skipped) return;
    await store.close();
    await place.remove();
  });

  describe('models', () => {
    it('creates a model, filling in the creation time when not given', async () => {
      const before = new Date().toISOString();
      const created = await store.createModel({ id: 'm-new', name: 'new', description: '', embeddingModel: 'arcface' });
      expect(created.created >= before).toBe(true);
      expect(await store.findModel('m-new')).toEqual(created);
    });

    it('refuses a taken name with ModelNameTakenError, case-sensitively', async () => {
      await expect(store.createModel(model('m-other', 'staff'))).rejects.toBeInstanceOf(ModelNameTakenError);
      expect(await store.findModel('m-other')).toBeUndefined();
      await expect(store.createModel(model('m-upper', 'Staff'))).resolves.toMatchObject({ name: 'Staff' });
    });

    it('finds a model by id first, then by name', async () => {
      expect(await store.findModel('m-staff')).toEqual(model('m-staff', 'staff'));
      expect(await store.findModel('guests')).toEqual(model('m-guests', 'guests'));
      expect(await store.findModel('GUESTS')).toBeUndefined();
      // A model named like another model's id: the id wins.
      await store.createModel(model('m-tricky', 'm-staff'));
      expect((await store.findModel('m-staff'))?.id).toBe('m-staff');
      expect(await store.findModel('nothing')).toBeUndefined();
    });

    it('lists models with their counts', async () => {
      await store.createIdentity({ id: 'i-ann', modelId: 'm-staff', name: 'Ann' });
      await store.createIdentity({ id: 'i-bob', modelId: 'm-staff', name: 'Bob' });
      await store.addSamples([sample('i-ann', 'm-staff'), sample('i-ann', 'm-staff'), sample('i-bob', 'm-staff')]);
      expect(await store.listModels()).toEqual([
        { ...model('m-guests', 'guests'), identityCount: 0, sampleCount: 0 },
        { ...model('m-staff', 'staff'), identityCount: 2, sampleCount: 3 },
      ]);
      expect(await store.modelStats('m-staff')).toEqual({ identityCount: 2, sampleCount: 3 });
      expect(await store.modelStats('missing')).toEqual({ identityCount: 0, sampleCount: 0 });
    });

    it('deletes a model with its identities and samples, leaving other models alone', async () => {
      await store.createIdentity({ id: 'i-ann', modelId: 'm-staff', name: 'Ann' });
      await store.createIdentity({ id: 'i-guest', modelId: 'm-guests', name: 'Ann' });
      await store.addSamples([sample('i-ann', 'm-staff'), sample('i-guest', 'm-guests')]);

      expect(await store.deleteModel('m-staff')).toBe(true);
      expect(await store.findModel('m-staff')).toBeUndefined();
      expect(await store.getIdentity('i-ann')).toBeUndefined();
      expect(await store.listSamples({ modelId: 'm-staff' })).toEqual([]);
      expect(await store.listSamples({ identityId: 'i-ann' })).toEqual([]);
      expect(await store.getIdentity('i-guest')).toMatchObject({ sampleCount: 1 });
      expect(await store.deleteModel('m-staff')).toBe(false);

      // The name is free again.
      await expect(store.createModel(model('m-staff-2', 'staff'))).resolves.toMatchObject({ id: 'm-staff-2' });
    });
  });

  describe('identities', () => {
    it('creates identities and finds them by id and by name (case-sensitively)', async () => {
      const ann = await store.createIdentity({ id: 'i-ann', modelId: 'm-staff', name: 'Ann', created: CREATED });
      expect(ann).toEqual({ id: 'i-ann', modelId: 'm-staff', name: 'Ann', created: CREATED, sampleCount: 0 });
      expect(await store.getIdentity('i-ann')).toEqual(ann);
      expect(await store.findIdentityByName('m-staff', 'Ann')).toEqual(ann);
      expect(await store.findIdentityByName('m-staff', 'ann')).toBeUndefined();
      expect(await store.findIdentityByName('m-guests', 'Ann')).toBeUndefined();
      expect(await store.getIdentity('missing')).toBeUndefined();
    });

    it('refuses a name taken within the model, but not in another model or in another case', async () => {
      await store.createIdentity({ id: 'i-ann', modelId: 'm-staff', name: 'Ann' });
      await expect(store.createIdentity({ id: 'i-ann-2', modelId: 'm-staff', name: 'Ann' })).rejects.toBeInstanceOf(IdentityNameTakenError);
      expect(await store.getIdentity('i-ann-2')).toBeUndefined();
      await expect(store.createIdentity({ id: 'i-ann-3', modelId: 'm-guests', name: 'Ann' })).resolves.toMatchObject({ name: 'Ann' });
      await expect(store.createIdentity({ id: 'i-ann-4', modelId: 'm-staff', name: 'ann' })).resolves.toMatchObject({ name: 'ann' });
    });

    it('refuses an identity of a missing model', async () => {
      await expect(store.createIdentity({ id: 'i-x', modelId: 'missing', name: 'X' })).rejects.toThrow('does not exist');
    });

    it('lists identities by name then id, a page at a time, with sample counts', async () => {
      for (const [id, name] of [
        ['i-4', 'Dan'],
        ['i-2', 'Bob'],
        ['i-1', 'Cat'],
        ['i-3', 'Ann'],
      ] as const) {
        await store.createIdentity({ id, modelId: 'm-staff', name });
      }
      await store.createIdentity({ id: 'i-guest', modelId: 'm-guests', name: 'Abe' });
      await store.addSamples([sample('i-2', 'm-staff'), sample('i-2', 'm-staff')]);

      const first = await store.listIdentities('m-staff', { limit: 3, offset: 0 });
      expect(first.total).toBe(4);
      expect(first.items.map((identity) => identity.name)).toEqual(['Ann', 'Bob', 'Cat']);
      expect(first.items[1]?.sampleCount).toBe(2);
      const second = await store.listIdentities('m-staff', { limit: 3, offset: 3 });
      expect(second).toMatchObject({ total: 4, items: [{ id: 'i-4', name: 'Dan', sampleCount: 0 }] });
      expect(await store.listIdentities('missing', { limit: 3, offset: 0 })).toEqual({ total: 0, items: [] });
    });

    it('sorts names byte-wise (upper case before lower case), as SQLite\'s BINARY does', async () => {
      for (const [id, name] of [['i-1', 'bob'], ['i-2', 'Émile'], ['i-3', 'Zed'], ['i-4', 'ann'], ['i-5', 'Ann']] as const) {
        await store.createIdentity({ id, modelId: 'm-staff', name });
      }
      const { items } = await store.listIdentities('m-staff', { limit: 10, offset: 0 });
      expect(items.map((i) => i.name)).toEqual(['Ann', 'Zed', 'ann', 'bob', 'Émile']);
    });

    it('filters a listing by a part of the name or an alias ignoring case (beyond ASCII), by category and by country', async () => {
      await store.replaceModelContents('m-staff', {
        description: 'staff gallery',
        embedder: { model: 'dlib-resnet', sha256: '' },
        identities: [
          { id: 'i-emile', name: 'Émile Zola', aliases: ['The Novelist'], category: 'entertainment', country: 'FR' },
          { id: 'i-angela', name: 'Angela Merkel', aliases: ['Mutti'], category: 'politics', country: 'DE' },
          { id: 'i-boris', name: 'Boris Becker', category: 'sports', country: 'DE', sources: ['lfw', 'wiki'] },
        ],
        samples: [],
      });
      const names = async (filter: Parameters<GalleryStore['listIdentities']>[2]) =>
        (await store.listIdentities('m-staff', { limit: 10, offset: 0 }, filter)).items.map((i) => i.name);
      expect(await names('émile')).toEqual(['Émile Zola']);
      expect(await names('ÉMILE')).toEqual(['Émile Zola']);
      expect(await names({ query: 'novel' })).toEqual(['Émile Zola']);
      expect(await names({ query: 'MUTTI' })).toEqual(['Angela Merkel']);
      expect(await names({ query: 'er' })).toEqual(['Angela Merkel', 'Boris Becker']);
      expect(await names({ country: 'DE' })).toEqual(['Angela Merkel', 'Boris Becker']);
      expect(await names({ country: 'DE', category: 'sports' })).toEqual(['Boris Becker']);
      expect(await names({ query: 'zola', country: 'DE' })).toEqual([]);
      expect((await store.listIdentities('m-staff', { limit: 1, offset: 0 }, { country: 'DE' })).total).toBe(2);
      expect(await store.getIdentity('i-boris')).toMatchObject({ category: 'sports', country: 'DE', sources: ['lfw', 'wiki'] });
      expect(await store.getIdentity('i-emile')).toMatchObject({ aliases: ['The Novelist'] });
      // A rename is found under its new name only.
      await store.renameIdentity('i-boris', 'Bobbele');
      expect(await names('becker')).toEqual([]);
      expect(await names('BOBB')).toEqual(['Bobbele']);
    });

    it('renames, refusing a clash within the model', async () => {
      await store.createIdentity({ id: 'i-ann', modelId: 'm-staff', name: 'Ann' });
      await store.createIdentity({ id: 'i-bob', modelId: 'm-staff', name: 'Bob' });
      await store.createIdentity({ id: 'i-guest', modelId: 'm-guests', name: 'Anna' });

      await expect(store.renameIdentity('i-ann', 'Bob')).rejects.toBeInstanceOf(IdentityNameTakenError);
      expect((await store.getIdentity('i-ann'))?.name).toBe('Ann');

      expect(await store.renameIdentity('i-ann', 'Anna')).toMatchObject({ id: 'i-ann', name: 'Anna' });
      expect(await store.findIdentityByName('m-staff', 'Anna')).toMatchObject({ id: 'i-ann' });
      expect(await store.findIdentityByName('m-staff', 'Ann')).toBeUndefined();
      // Renaming to its own name is no clash.
      expect(await store.renameIdentity('i-ann', 'Anna')).toMatchObject({ name: 'Anna' });
      expect(await store.renameIdentity('missing', 'Zed')).toBeUndefined();
    });

    it('deletes an identity with its samples only', async () => {
      await store.createIdentity({ id: 'i-ann', modelId: 'm-staff', name: 'Ann' });
      await store.createIdentity({ id: 'i-bob', modelId: 'm-staff', name: 'Bob' });
      const bobSample = sample('i-bob', 'm-staff');
      await store.addSamples([sample('i-ann', 'm-staff'), bobSample]);

      expect(await store.deleteIdentity('i-ann')).toBe(true);
      expect(await store.getIdentity('i-ann')).toBeUndefined();
      expect(await store.listSamples({ modelId: 'm-staff' })).toEqual([bobSample]);
      expect(await store.modelStats('m-staff')).toEqual({ identityCount: 1, sampleCount: 1 });
      expect(await store.deleteIdentity('i-ann')).toBe(false);
    });

    it('maps ids to names, leaving out missing ids', async () => {
      await store.createIdentity({ id: 'i-ann', modelId: 'm-staff', name: 'Ann' });
      await store.createIdentity({ id: 'i-guest', modelId: 'm-guests', name: 'Gus' });
      expect(await store.identityNames(['i-ann', 'missing', 'i-guest'])).toEqual(
        new Map([
          ['i-ann', 'Ann'],
          ['i-guest', 'Gus'],
        ]),
      );
      expect(await store.identityNames([])).toEqual(new Map());
    });
  });

  describe('samples', () => {
    beforeEach(async () => {
      await store.createIdentity({ id: 'i-ann', modelId: 'm-staff', name: 'Ann' });
      await store.createIdentity({ id: 'i-bob', modelId: 'm-staff', name: 'Bob' });
    });

    it('round-trips embeddings bit-exactly, crops and all fields', async () => {
      // Values a float64 round trip or a text encoding would disturb: tiny, huge, negative zero, NaN payload.
      const awkward = new Float32Array([Math.PI, -0, 1e-45, 3.4028234663852886e38, -1.17549435e-38, 0.1]);
      const nanBits = new Uint32Array([0x7fc00001]);
      const embedding = new Float32Array(512).map((_, i) => Math.sin(i) * 1e-3);
      embedding.set(awkward);
      embedding.set(new Float32Array(nanBits.buffer), awkward.length);
      const original = sample('i-ann', 'm-staff', embedding);

      await store.addSamples([original]);
      const [stored] = await store.listSamples({ identityId: 'i-ann' });
      expect(stored).toBeDefined();
      expect(stored!.embedding).toBeInstanceOf(Float32Array);
      expect(Buffer.from(stored!.embedding.buffer, stored!.embedding.byteOffset, stored!.embedding.byteLength)).toEqual(
        Buffer.from(embedding.buffer),
      );
      expect(stored!.crop.equals(original.crop)).toBe(true);
      expect({ ...stored, embedding: null }).toEqual({ ...original, embedding: null });
    });

    it('stores an embedding that is a view into a larger buffer', async () => {
      const backing = new Float32Array([9, 9, 1.5, 2.5, 9]);
      await store.addSamples([sample('i-ann', 'm-staff', backing.subarray(2, 4))]);
      const [stored] = await store.listSamples({ identityId: 'i-ann' });
      expect(Array.from(stored!.embedding)).toEqual([1.5, 2.5]);
    });

    it('lists samples of an identity or a model in creation order', async () => {
      const samples = [sample('i-bob', 'm-staff'), sample('i-ann', 'm-staff'), sample('i-bob', 'm-staff')];
      await store.addSamples(samples.slice(0, 2));
      await store.addSamples(samples.slice(2));
      expect((await store.listSamples({ modelId: 'm-staff' })).map((s) => s.id)).toEqual(samples.map((s) => s.id));
      expect((await store.listSamples({ identityId: 'i-bob' })).map((s) => s.id)).toEqual([samples[0]!.id, samples[2]!.id]);
      expect(await store.listSamples({ modelId: 'm-guests' })).toEqual([]);
    });

    it('replaces a model\'s embeddings (another dimension too) and records the new embedder, leaving other models alone', async () => {
      const [a, b] = [sample('i-ann', 'm-staff'), sample('i-bob', 'm-staff')];
      await store.addSamples([a, b]);
      const wide = new Float32Array(512).fill(0.25);
      await store.replaceEmbeddings('m-staff', { model: 'faceplugin-fr512', sha256: 'abc' }, new Map([[a.id, wide], [b.id, wide]]));
      const stored = await store.listSamples({ modelId: 'm-staff' });
      expect(stored.map((s) => s.embedding.length)).toEqual([512, 512]);
      expect(stored.map((s) => s.crop)).toEqual([a.crop, b.crop]);
      expect(await store.findModel('m-staff')).toMatchObject({ embeddingModel: 'faceplugin-fr512', embeddingSha256: 'abc' });
      expect(await store.findModel('m-guests')).toMatchObject({ embeddingModel: 'dlib-resnet', embeddingSha256: '' });
    });

    it('replaces a model\'s contents in one go: identities, samples, description and embedder; other models keep theirs', async () => {
      await store.createIdentity({ id: 'i-guest', modelId: 'm-guests', name: 'Gus' });
      await store.addSamples([sample('i-ann', 'm-staff'), sample('i-guest', 'm-guests')]);
      const fresh = [sample('i-new', 'ignored'), sample('i-new', 'ignored')];
      await store.replaceModelContents('m-staff', {
        description: 'rebuilt',
        embedder: { model: 'faceplugin-fr512', sha256: 'f00' },
        identities: [{ id: 'i-new', name: 'New' }],
        samples: fresh,
      });
      expect(await store.getIdentity('i-ann')).toBeUndefined();
      expect(await store.findModel('m-staff')).toMatchObject({ description: 'rebuilt', embeddingModel: 'faceplugin-fr512', embeddingSha256: 'f00' });
      expect((await store.listSamples({ identityId: 'i-new' })).map((s) => [s.id, s.modelId])).toEqual(fresh.map((s) => [s.id, 'm-staff']));
      expect(await store.modelStats('m-staff')).toEqual({ identityCount: 1, sampleCount: 2 });
      expect(await store.modelStats('m-guests')).toEqual({ identityCount: 1, sampleCount: 1 });
      await expect(store.replaceModelContents('missing', { description: '', embedder: { model: 'x', sha256: '' }, identities: [], samples: [] })).rejects.toThrow('does not exist');
    });

    it('leaves a model as it was when replacing its contents fails half-way', async () => {
      await store.addSamples([sample('i-ann', 'm-staff')]);
      const clash = [{ id: 'i-x', name: 'Same' }, { id: 'i-y', name: 'Same' }];
      await expect(
        store.replaceModelContents('m-staff', { description: 'broken', embedder: { model: 'x', sha256: '' }, identities: clash, samples: [] }),
      ).rejects.toThrow();
      expect(await store.findModel('m-staff')).toEqual(model('m-staff', 'staff'));
      expect(await store.modelStats('m-staff')).toEqual({ identityCount: 2, sampleCount: 1 });
    });

    it('adds a large batch (more rows than one statement takes) in order, all or nothing', async () => {
      const many = Array.from({ length: 2500 }, (_, i) => sample(i % 2 ? 'i-ann' : 'i-bob', 'm-staff', [i]));
      await store.addSamples(many);
      expect((await store.listSamples({ modelId: 'm-staff' })).map((s) => s.embedding[0])).toEqual(many.map((_, i) => i));
      await expect(store.addSamples([...Array.from({ length: 1500 }, () => sample('i-ann', 'm-staff')), sample('missing', 'm-staff')])).rejects.toThrow();
      expect((await store.modelStats('m-staff')).sampleCount).toBe(2500);
    });

    it('adds a batch all or nothing', async () => {
      const good = sample('i-ann', 'm-staff');
      await expect(store.addSamples([good, sample('missing-identity', 'm-staff')])).rejects.toThrow();
      expect(await store.listSamples({ modelId: 'm-staff' })).toEqual([]);
    });
  });

  it('runs work under one key one at a time, under different keys at once', async () => {
    const log: string[] = [];
    let otherEnded!: () => void;
    const otherDone = new Promise<void>((r) => (otherEnded = r));
    const work = (name: string, until: Promise<unknown>) => async () => {
      log.push(`${name} start`);
      await until;
      log.push(`${name} end`);
      if (name === 'other') otherEnded();
      return name;
    };
    // 'first' holds key k until the work under the other key has ended (not a fixed time, which a
    // busy host's lock round trips can outlast); were the keys not independent, it would wait out
    // the 10 s and end without it.
    const otherOrTimeout = Promise.race([otherDone, new Promise((r) => setTimeout(r, 10_000))]);
    const results = await Promise.all([
      store.exclusive('k', work('first', otherOrTimeout)),
      store.exclusive('k', work('second', Promise.resolve())),
      store.exclusive('other', work('other', Promise.resolve())),
    ]);
    expect(results).toEqual(['first', 'second', 'other']);
    expect(log.indexOf('second start')).toBeGreaterThan(log.indexOf('first end'));
    expect(log.indexOf('other end')).toBeGreaterThanOrEqual(0);
    expect(log.indexOf('other end')).toBeLessThan(log.indexOf('first end'));
    // A failing work lets the next one run.
    await expect(store.exclusive('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(store.exclusive('k', async () => 'after')).resolves.toBe('after');
  });

  it('keeps everything across closing and reopening', async () => {
    await store.createIdentity({ id: 'i-ann', modelId: 'm-staff', name: 'Ann' });
    const original = sample('i-ann', 'm-staff', [1, 2, 3]);
    await store.addSamples([original]);
    await store.close();

    store = await place.gallery();
    expect(await store.findModel('staff')).toEqual(model('m-staff', 'staff'));
    expect(await store.getIdentity('i-ann')).toMatchObject({ name: 'Ann', sampleCount: 1 });
    expect(await store.listSamples({ identityId: 'i-ann' })).toEqual([original]);
  });
});

function indexSample(identityId: string, n: number): IndexSampleRecord {
  return { id: `${identityId}-s${n}`, identityId, embedding: Float32Array.from([n, -n, 0.5]), crop: Buffer.from([0xff, 0xd8, n, 0xff, 0xd9]), created: CREATED };
}

describe.each([sqlite, postgres])('IdentityIndexStore on $name', (backend) => {
  let place: Place;
  let store: IdentityIndexStore;

  beforeEach(async ({ skip }) => {
    if (backend.skipped) return skip(backend.skipped);
    place = await backend.place();
    store = await place.index();
  });

  afterEach(async () => {
    if (backend.skipped) return;
    await store.close();
    await place.remove();
  });

  const named = { name: 'Ann', modelId: 'm-staff', modelName: 'staff', identityId: 'i-ann', at: '2025-02-01T00:00:00.000Z' };

  it('creates, reads and lists newest first (created, then id), filtered by named, a page at a time', async () => {
    const thumb = Buffer.from([1, 2, 3]);
    expect(await store.create({ id: 'x-b', thumbnail: thumb, created: '2025-01-02T00:00:00.000Z' })).toEqual({
      id: 'x-b', created: '2025-01-02T00:00:00.000Z', thumbnail: thumb, sampleCount: 0, appearanceCount: 0, named: null,
    });
    await store.create({ id: 'x-a', thumbnail: Buffer.alloc(0), created: '2025-01-02T00:00:00.000Z' });
    await store.create({ id: 'x-c', thumbnail: Buffer.alloc(0), created: '2025-01-01T00:00:00.000Z' });
    await store.create({ id: 'x-d', thumbnail: Buffer.alloc(0), created: '2025-01-03T00:00:00.000Z' });
    await store.markNamed('x-a', named);

    expect((await store.get('x-b'))?.thumbnail.equals(thumb)).toBe(true);
    expect(await store.get('missing')).toBeUndefined();
    const all = await store.list({ limit: 10, offset: 0 });
    expect([all.total, all.items.map((i) => i.id)]).toEqual([4, ['x-d', 'x-b', 'x-a', 'x-c']]);
    expect((await store.list({ limit: 2, offset: 1 })).items.map((i) => i.id)).toEqual(['x-b', 'x-a']);
    expect(await store.list({ limit: 10, offset: 0, named: true })).toMatchObject({ total: 1, items: [{ id: 'x-a', named }] });
    expect((await store.list({ limit: 10, offset: 0, named: false })).items.map((i) => i.id)).toEqual(['x-d', 'x-b', 'x-c']);

    await store.setThumbnail('x-c', Buffer.from([9]));
    expect((await store.get('x-c'))?.thumbnail).toEqual(Buffer.from([9]));
  });

  it('keeps samples in insertion order, bit-exact, and a batch all or nothing', async () => {
    await store.create({ id: 'x-1', thumbnail: Buffer.alloc(0) });
    const samples = [indexSample('x-1', 3), indexSample('x-1', 1), indexSample('x-1', 2)];
    await store.addSamples(samples.slice(0, 2));
    await store.addSamples(samples.slice(2));
    expect(await store.listSamples('x-1')).toEqual(samples);
    expect((await store.get('x-1'))?.sampleCount).toBe(3);
    await expect(store.addSamples([indexSample('x-1', 7), indexSample('missing', 8)])).rejects.toThrow();
    expect(await store.listSamples('x-1')).toHaveLength(3);
    expect(await store.listSamples('missing')).toEqual([]);
  });

  it('records one appearance per job and source, merging a repeat (result ids united in order, frames widened), most recent first', async () => {
    await store.create({ id: 'x-1', thumbnail: Buffer.alloc(0) });
    await store.addAppearance('x-1', { jobId: 'j1', source: 's1', resultIds: ['r1', 'r2', 'r1'], frameStart: 10, frameEnd: 20 });
    await store.addAppearance('x-1', { jobId: 'j2', source: 's1', resultIds: ['r9'], frameStart: 0, frameEnd: 1 });
    await store.addAppearance('x-1', { jobId: 'j1', source: 's1', resultIds: ['r3', 'r2'], frameStart: 5, frameEnd: 15 });
    await store.addAppearance('x-1', { jobId: 'j1', source: 's2', resultIds: ['r4'], frameStart: 1, frameEnd: 2 });
    const appearances = await store.listAppearances('x-1', 10);
    expect(appearances.map(({ created: _, ...a }) => a)).toEqual([
      { jobId: 'j1', source: 's2', resultIds: ['r4'], frameStart: 1, frameEnd: 2 },
      { jobId: 'j2', source: 's1', resultIds: ['r9'], frameStart: 0, frameEnd: 1 },
      { jobId: 'j1', source: 's1', resultIds: ['r1', 'r2', 'r3'], frameStart: 5, frameEnd: 20 },
    ]);
    expect(appearances).toHaveLength(3);
    expect(await store.listAppearances('x-1', 1)).toHaveLength(1);
    expect((await store.get('x-1'))?.appearanceCount).toBe(3);
  });

  it('merges the same appearance recorded twice at once', async () => {
    await store.create({ id: 'x-1', thumbnail: Buffer.alloc(0) });
    await Promise.all([
      store.addAppearance('x-1', { jobId: 'j1', source: 's1', resultIds: ['r1'], frameStart: 10, frameEnd: 20 }),
      store.addAppearance('x-1', { jobId: 'j1', source: 's1', resultIds: ['r2'], frameStart: 5, frameEnd: 15 }),
    ]);
    const [only, ...rest] = await store.listAppearances('x-1', 10);
    expect(rest).toEqual([]);
    expect([[...only!.resultIds].sort(), only!.frameStart, only!.frameEnd]).toEqual([['r1', 'r2'], 5, 20]);
  });

  it('names once: samples dropped (their count kept), AlreadyNamedError after, undefined for a missing id', async () => {
    await store.create({ id: 'x-1', thumbnail: Buffer.alloc(0) });
    await store.addSamples([indexSample('x-1', 1), indexSample('x-1', 2)]);
    expect(await store.markNamed('x-1', named)).toMatchObject({ id: 'x-1', sampleCount: 2, named });
    expect(await store.listSamples('x-1')).toEqual([]);
    expect(await store.get('x-1')).toMatchObject({ sampleCount: 2, named });
    await expect(store.markNamed('x-1', { ...named, name: 'Bob' })).rejects.toBeInstanceOf(AlreadyNamedError);
    expect((await store.get('x-1'))?.named?.name).toBe('Ann');
    expect(await store.markNamed('missing', named)).toBeUndefined();
  });

  it('deletes an identity with its samples and appearances only', async () => {
    await store.create({ id: 'x-1', thumbnail: Buffer.alloc(0) });
    await store.create({ id: 'x-2', thumbnail: Buffer.alloc(0) });
    await store.addSamples([indexSample('x-1', 1), indexSample('x-2', 2)]);
    await store.addAppearance('x-1', { jobId: 'j1', source: 's', resultIds: [], frameStart: 0, frameEnd: 0 });
    expect(await store.delete('x-1')).toBe(true);
    expect(await store.delete('x-1')).toBe(false);
    expect(await store.get('x-1')).toBeUndefined();
    expect(await store.listSamples('x-1')).toEqual([]);
    expect(await store.listAppearances('x-1', 10)).toEqual([]);
    expect(await store.listSamples('x-2')).toEqual([indexSample('x-2', 2)]);
  });

  it('keeps everything across closing and reopening', async () => {
    await store.create({ id: 'x-1', thumbnail: Buffer.from([7]), created: CREATED });
    await store.addSamples([indexSample('x-1', 1)]);
    await store.close();
    store = await place.index();
    expect(await store.get('x-1')).toMatchObject({ thumbnail: Buffer.from([7]), sampleCount: 1 });
    expect(await store.listSamples('x-1')).toEqual([indexSample('x-1', 1)]);
  });
});

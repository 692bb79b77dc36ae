import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityNameTakenError, ModelNameTakenError, type SampleRecord } from '../../libs/gallery/gallery-store.js';
import { SqliteGalleryStore } from '../../libs/gallery/sqlite-gallery-store.js';

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

describe('SqliteGalleryStore', () => {
  let dir: string;
  let path: string;
  let store: SqliteGalleryStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'facerec-gallery-'));
    path = join(dir, 'data', 'gallery.sqlite');
    store = new SqliteGalleryStore(path);
    await store.createModel(model('m-staff', 'staff'));
    await store.createModel(model('m-guests', 'guests'));
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
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

    it('adds a batch all or nothing', async () => {
      const good = sample('i-ann', 'm-staff');
      await expect(store.addSamples([good, sample('missing-identity', 'm-staff')])).rejects.toThrow();
      expect(await store.listSamples({ modelId: 'm-staff' })).toEqual([]);
    });
  });

  it('keeps everything across closing and reopening the file', async () => {
    await store.createIdentity({ id: 'i-ann', modelId: 'm-staff', name: 'Ann' });
    const original = sample('i-ann', 'm-staff', [1, 2, 3]);
    await store.addSamples([original]);
    await store.close();

    store = new SqliteGalleryStore(path);
    expect(await store.findModel('staff')).toEqual(model('m-staff', 'staff'));
    expect(await store.getIdentity('i-ann')).toMatchObject({ name: 'Ann', sampleCount: 1 });
    expect(await store.listSamples({ identityId: 'i-ann' })).toEqual([original]);
  });
});

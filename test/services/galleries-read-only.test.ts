// The matcher's own guard on the read-only `celebrities` gallery (Galleries): every change through
// it is refused with ReadOnlyModelError (→ gRPC PERMISSION_DENIED), whichever client calls, while
// the loader's way in (the GalleryStore) and reading (listing, export) still work.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contractDistanceFor } from '../../libs/engine/calibration.js';
import { SqliteGalleryStore } from '../../libs/gallery/sqlite-gallery-store.js';
import { SqliteIdentityIndex } from '../../libs/gallery/sqlite-identity-index.js';
import { grpc } from '../../libs/grpc/grpc.js';
import { EmbeddedVectorIndex } from '../../libs/vector/embedded-vector-index.js';
import { DEFAULT_MODEL, Galleries, ReadOnlyModelError } from '../../services/matcher/galleries.js';
import { IdentityIndex } from '../../services/matcher/identity-index.js';
import { statusOf } from '../../services/matcher/matcher-service.js';

const DIM = 16;
const EMBEDDING = { name: 'dlib-resnet', sha256: 'test', dimension: DIM, toContract: contractDistanceFor({ threshold: 0.5657 }) };
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
const vector = (seed: number) => Float32Array.from({ length: DIM }, (_, i) => Math.sin(seed + i));

describe('Galleries: the read-only default gallery', () => {
  let dir: string;
  let store: SqliteGalleryStore;
  let indexStore: SqliteIdentityIndex;
  let vectors: EmbeddedVectorIndex;
  let galleries: Galleries;
  let identityId: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'facerec-read-only-'));
    store = new SqliteGalleryStore(join(dir, 'galleries.db'));
    indexStore = new SqliteIdentityIndex(join(dir, 'galleries.db'));
    vectors = await EmbeddedVectorIndex.open(join(dir, 'vectors.db'));
    galleries = new Galleries(store, vectors, EMBEDDING);
    await galleries.init();
    // As the artefact loader fills it: through the store and the vector index, not through Galleries.
    const model = (await store.findModel(DEFAULT_MODEL))!;
    identityId = (await store.createIdentity({ id: randomUUID(), modelId: model.id, name: 'Ada Lovelace' })).id;
    const sample = { id: randomUUID(), identityId, modelId: model.id, embedding: vector(1), crop: JPEG, origin: 'lfw', created: new Date().toISOString() };
    await store.addSamples([sample]);
    await vectors.upsert([{ id: sample.id, vector: sample.embedding, payload: { modelId: model.id, identityId } }]);
  });

  afterEach(async () => {
    await indexStore.close();
    await store.close();
    await vectors.close();
    await rm(dir, { recursive: true, force: true });
  });

  const refused = async (change: Promise<unknown>) => {
    const err = await change.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReadOnlyModelError);
    expect((err as Error).message).toContain('"models": ["celebrities", "<your gallery>"]');
    expect(statusOf(err)).toBe(grpc.status.PERMISSION_DENIED);
  };

  it('refuses every change, by name or id, and nothing changes', async () => {
    const model = (await store.findModel(DEFAULT_MODEL))!;
    for (const ref of [DEFAULT_MODEL, model.id]) {
      await refused(galleries.addSamples(ref, 'Ada Lovelace', [{ embedding: vector(2), crop: JPEG, origin: 'x' }]));
      await refused(galleries.addSamples(ref, 'Someone New', [{ embedding: vector(3), crop: JPEG, origin: 'x' }]));
      await refused(galleries.renameIdentity(ref, identityId, 'Ada King'));
      await refused(galleries.deleteIdentity(ref, identityId));
      await refused(galleries.deleteModel(ref));
    }
    const file = await galleries.exportModel(DEFAULT_MODEL);
    await refused(galleries.importModel(file));
    await refused(galleries.importModel(await galleries.exportModel(DEFAULT_MODEL), DEFAULT_MODEL));
    expect(await galleries.getModel(DEFAULT_MODEL)).toMatchObject({ identityCount: 1, sampleCount: 1 });
    expect((await galleries.listIdentities(DEFAULT_MODEL, { limit: 10, offset: 0 })).items.map((i) => i.name)).toEqual(['Ada Lovelace']);
    expect(await vectors.count([model.id])).toBe(1);
    expect((await galleries.match([vector(1)], [model.id], 1))[0]).toEqual([expect.objectContaining({ identityId, person: 'Ada Lovelace' })]);
  });

  it('exports it and imports the file as an own, writable gallery under another name', async () => {
    const copy = await galleries.importModel(await galleries.exportModel(DEFAULT_MODEL), 'my-copy');
    expect(copy).toMatchObject({ name: 'my-copy', identityCount: 1, sampleCount: 1 });
    const [ada] = (await galleries.listIdentities('my-copy', { limit: 1, offset: 0 }, 'ADA')).items;
    expect((await galleries.renameIdentity('my-copy', ada!.id, 'Ada King')).name).toBe('Ada King');
  });

  it('refuses to name an indexed person into it; the person stays unnamed', async () => {
    const index = new IdentityIndex(indexStore, vectors, galleries);
    await index.init();
    const [person] = await index.indexPersons([{ embeddings: [vector(50)], thumbnail: JPEG, appearance: { jobId: 'j', source: 's', resultIds: ['r'], frameStart: 0, frameEnd: 1 } }]);
    await refused(index.name(person!.id, 'Ada Lovelace', DEFAULT_MODEL));
    expect((await index.get(person!.id)).named).toBeNull();
    expect(await galleries.getModel(DEFAULT_MODEL)).toMatchObject({ identityCount: 1, sampleCount: 1 });
    await galleries.createModel('staff', '');
    expect((await index.name(person!.id, 'Jane Doe', 'staff')).named).toMatchObject({ name: 'Jane Doe', modelName: 'staff' });
  });
});

// The behaviour every VectorIndex implementation must show (libs/vector/vector-index.ts).
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VectorHit, VectorIndex, VectorPoint } from '../../libs/vector/vector-index.js';
import { randomPixels } from '../support/random.js';

export interface VectorIndexFixture {
  /** A fresh index, not yet initialised. */
  index: VectorIndex;
  cleanup(): Promise<void>;
}

const DIM = 128;
const MODELS = ['model-a', 'model-b', 'model-c'];

/** A seeded vector in [-0.5, 0.5]^DIM. */
const vectorOf = (seed: number) => randomPixels(DIM, seed).map((v) => v / 255 - 0.5);

/** 500 points over three models and 50 identities, the same every run. */
function gallery(): VectorPoint[] {
  return Array.from({ length: 500 }, (_, i) => ({
    id: randomUUID(),
    vector: i % 2 === 0 ? vectorOf(1000 + i) : Array.from(vectorOf(1000 + i)),
    payload: { modelId: MODELS[i % 3]!, identityId: `identity-${i % 50}` },
  }));
}

/** Brute force over the points, in doubles: the reference the index must agree with. */
function nearest(points: readonly VectorPoint[], query: Float32Array, modelIds: readonly string[], limit: number) {
  return points
    .filter((p) => modelIds.includes(p.payload.modelId))
    .map((p) => ({ id: p.id, distance: Math.hypot(...Array.from(p.vector, (v, d) => v - query[d]!)), payload: p.payload }))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, limit);
}

function expectHits(actual: VectorHit[], expected: VectorHit[]): void {
  expect(actual.map((h) => h.id)).toEqual(expected.map((h) => h.id));
  actual.forEach((hit, i) => {
    expect(hit.distance).toBeCloseTo(expected[i]!.distance, 4);
    expect(hit.payload).toEqual(expected[i]!.payload);
  });
}

export function describeVectorIndex(name: string, factory: () => Promise<VectorIndexFixture>): void {
  describe(`VectorIndex contract: ${name}`, () => {
    let fx: VectorIndexFixture;
    let index: VectorIndex;

    beforeEach(async () => {
      fx = await factory();
      index = fx.index;
    });

    afterEach(async () => {
      await fx.cleanup();
    });

    it('initialises idempotently, for one dimension only', async () => {
      await index.init(DIM);
      await index.init(DIM);
      expect(await index.count()).toBe(0);
      await expect(index.init(DIM / 2)).rejects.toThrow();
      await expect(index.upsert([{ id: randomUUID(), vector: vectorOf(1).slice(1), payload: { modelId: 'm', identityId: 'i' } }])).rejects.toThrow();
    });

    it('finds the nearest points of the asked models, nearest first, with Euclidean distances', async () => {
      await index.init(DIM);
      const points = gallery();
      await index.upsert(points);
      const filters = [[MODELS[0]!], [MODELS[0]!, MODELS[2]!], MODELS, [...MODELS, 'model-none']];
      for (let q = 0; q < 8; q++) {
        const query = vectorOf(q);
        for (const modelIds of filters) {
          expectHits(await index.search(q % 2 ? query : Array.from(query), { modelIds, limit: 10 }), nearest(points, query, modelIds, 10));
        }
      }
      // A stored vector is at distance 0 from itself.
      const [self] = await index.search(points[7]!.vector, { modelIds: MODELS, limit: 1 });
      expect(self!.id).toBe(points[7]!.id);
      expect(self!.distance).toBeCloseTo(0, 4);
    });

    it('returns fewer hits than the limit when the models hold fewer points, none for unknown models', async () => {
      await index.init(DIM);
      const points = gallery().slice(0, 6);
      await index.upsert(points);
      expectHits(await index.search(vectorOf(5), { modelIds: [MODELS[1]!], limit: 10 }), nearest(points, vectorOf(5), [MODELS[1]!], 10));
      expect(await index.search(vectorOf(5), { modelIds: ['model-none'], limit: 10 })).toEqual([]);
      expect(await index.search(vectorOf(5), { modelIds: [], limit: 10 })).toEqual([]);
    });

    it('counts the points of all models or of some', async () => {
      await index.init(DIM);
      await index.upsert(gallery());
      expect(await index.count()).toBe(500);
      expect(await index.count([MODELS[0]!])).toBe(167);
      expect(await index.count([MODELS[1]!, MODELS[2]!])).toBe(333);
      expect(await index.count(['model-none'])).toBe(0);
    });

    it('deletes by ids, by identity and by model', async () => {
      await index.init(DIM);
      const points = gallery();
      await index.upsert(points);

      const gone = points.slice(0, 10).map((p) => p.id);
      await index.delete({ ids: gone });
      expect(await index.count()).toBe(490);
      const hits = await index.search(vectorOf(0), { modelIds: MODELS, limit: 500 });
      expect(hits.filter((h) => gone.includes(h.id))).toEqual([]);

      await index.delete({ identityId: 'identity-20' });
      const identity20 = points.slice(10).filter((p) => p.payload.identityId === 'identity-20').length;
      expect(await index.count()).toBe(490 - identity20);
      expect((await index.search(vectorOf(0), { modelIds: MODELS, limit: 500 })).some((h) => h.payload.identityId === 'identity-20')).toBe(false);

      await index.delete({ modelId: MODELS[1]! });
      expect(await index.count([MODELS[1]!])).toBe(0);
      expect(await index.search(vectorOf(0), { modelIds: [MODELS[1]!], limit: 5 })).toEqual([]);
      const left = points.slice(10).filter((p) => p.payload.identityId !== 'identity-20' && p.payload.modelId !== MODELS[1]);
      expect(await index.count()).toBe(left.length);
      expectHits(await index.search(vectorOf(3), { modelIds: MODELS, limit: 10 }), nearest(left, vectorOf(3), MODELS, 10));

      await index.delete({ ids: [] });
      await index.delete({ ids: [randomUUID()] });
      expect(await index.count()).toBe(left.length);
    });

    it('replaces a point upserted again under the same id', async () => {
      await index.init(DIM);
      const id = randomUUID();
      await index.upsert([{ id, vector: vectorOf(1), payload: { modelId: MODELS[0]!, identityId: 'before' } }]);
      await index.upsert([{ id, vector: vectorOf(2), payload: { modelId: MODELS[1]!, identityId: 'after' } }]);
      expect(await index.count()).toBe(1);
      expect(await index.count([MODELS[0]!])).toBe(0);
      expect(await index.search(vectorOf(2), { modelIds: [MODELS[0]!], limit: 5 })).toEqual([]);
      const [hit] = await index.search(vectorOf(2), { modelIds: [MODELS[1]!], limit: 5 });
      expect(hit).toMatchObject({ id, payload: { modelId: MODELS[1], identityId: 'after' } });
      expect(hit!.distance).toBeCloseTo(0, 4);
    });
  });
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EmbeddedVectorIndex, SIMD_SEARCH } from '../../libs/vector/embedded-vector-index.js';
import type { VectorPoint } from '../../libs/vector/vector-index.js';
import { describeVectorIndex } from './vector-index.contract.js';

describeVectorIndex('EmbeddedVectorIndex in memory', async () => {
  const index = await EmbeddedVectorIndex.open(':memory:');
  return { index, cleanup: () => index.close() };
});

describeVectorIndex('EmbeddedVectorIndex on disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facerec-vectors-'));
  const index = await EmbeddedVectorIndex.open(join(dir, 'vectors.db'));
  return {
    index,
    cleanup: async () => {
      await index.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('EmbeddedVectorIndex persistence', () => {
  it('finds on reopening what was written before closing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'facerec-vectors-'));
    const path = join(dir, 'data', 'vectors.db'); // a directory not there yet
    try {
      const points = Array.from({ length: 20 }, (_, i) => ({
        id: randomUUID(),
        vector: Float32Array.from({ length: 16 }, (_, d) => Math.sin(i * 16 + d)),
        payload: { modelId: i < 10 ? 'm1' : 'm2', identityId: `p${i % 4}` },
      }));
      const first = await EmbeddedVectorIndex.open(path);
      await first.init(16);
      await first.upsert(points);
      await first.delete({ ids: [points[0]!.id] });
      await first.delete({ identityId: 'p1' });
      const query = points[6]!.vector;
      const before = await first.search(query, { modelIds: ['m1', 'm2'], limit: 5 });
      await first.close();

      const reopened = await EmbeddedVectorIndex.open(path);
      try {
        await reopened.init(16);
        await expect(reopened.init(32)).rejects.toThrow();
        expect(await reopened.count()).toBe(14);
        expect(await reopened.count(['m1'])).toBe(6);
        expect(await reopened.search(query, { modelIds: ['m1', 'm2'], limit: 5 })).toEqual(before);
        expect(before[0]).toMatchObject({ id: points[6]!.id, distance: 0 });
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Seeded numbers in [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('EmbeddedVectorIndex search over contiguous storage', () => {
  it('runs the WebAssembly SIMD kernel on this Node', () => {
    expect(SIMD_SEARCH).toBe(true);
  });

  // 512-d runs the f32 SIMD screening then the double-precision distances; 130-d (not a multiple of
  // 4) the JavaScript loop. Both must agree with brute force in doubles, near-ties included, after
  // the storage has grown, had slots freed (last moved in) and points moved between models.
  for (const dim of [512, 130]) {
    it(`agrees with brute force at ${dim} dimensions after growth, deletions and moves`, async () => {
      const next = seeded(dim);
      const index = await EmbeddedVectorIndex.open(':memory:');
      try {
        await index.init(dim);
        const base = Float32Array.from({ length: dim }, () => next() - 0.5);
        const points: VectorPoint[] = Array.from({ length: 3000 }, (_, i) => ({
          id: randomUUID(),
          // Every 10th point a hair away from `base`: near-ties that f32 alone could misorder.
          vector: i % 10 === 0 ? base.map((v, d) => v + (d === i % dim ? 1e-6 * (i + 1) : 0)) : Float32Array.from({ length: dim }, () => next() - 0.5),
          payload: { modelId: i % 3 === 0 ? 'other' : 'gallery', identityId: `person-${i % 700}` },
        }));
        await index.upsert(points.slice(0, 1000));
        await index.upsert(points.slice(1000));
        await index.delete({ ids: points.filter((_, i) => i % 7 === 1).map((p) => p.id) });
        await index.delete({ identityId: 'person-5' });
        const moved = points.filter((p, i) => i % 11 === 2 && i % 7 !== 1 && p.payload.identityId !== 'person-5').map((p) => ({ ...p, payload: { ...p.payload, modelId: p.payload.modelId === 'gallery' ? 'other' : 'gallery' } }));
        await index.upsert(moved);
        const live = new Map<string, VectorPoint>();
        for (const [i, p] of points.entries()) if (i % 7 !== 1 && p.payload.identityId !== 'person-5') live.set(p.id, p);
        for (const p of moved) live.set(p.id, p);
        expect(await index.count()).toBe(live.size);

        const queries = [base, ...Array.from({ length: 5 }, () => Float32Array.from({ length: dim }, () => next() - 0.5)), [...live.values()][123]!.vector as Float32Array];
        for (const query of queries) {
          for (const modelIds of [['gallery'], ['gallery', 'other']]) {
            const expected = [...live.values()]
              .filter((p) => modelIds.includes(p.payload.modelId))
              .map((p) => ({ id: p.id, distance: Math.sqrt(Array.from(p.vector).reduce((sum, v, d) => sum + (v - query[d]!) ** 2, 0)) }))
              .sort((a, b) => a.distance - b.distance)
              .slice(0, 20);
            const hits = await index.search(query, { modelIds, limit: 20 });
            expect(hits.map((h) => h.id)).toEqual(expected.map((e) => e.id));
            hits.forEach((h, i) => expect(h.distance).toBeCloseTo(expected[i]!.distance, 9));
            for (const h of hits) expect(h.payload).toEqual(live.get(h.id)!.payload);
          }
        }
      } finally {
        await index.close();
      }
    });
  }
});

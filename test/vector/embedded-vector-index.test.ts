import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EmbeddedVectorIndex } from '../../libs/vector/embedded-vector-index.js';
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

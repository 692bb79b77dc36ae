// What the celebrities build ships per identity, on synthetic faces (a person is a random
// direction, a photo that direction plus noise): the photos that cover the person and, for two or
// more photos, the direction of their mean.
import { describe, expect, it } from 'vitest';
import { buildCelebrities } from '../../libs/celebrities/build.js';
import type { PhotoEmbeddings } from '../../libs/eval/photo-embeddings.js';
import type { SourceRecord } from '../../libs/celebrities/sources.js';
import { syntheticFaces } from '../support/synthetic-faces.js';

const { face, photo } = syntheticFaces(11);
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('celebrities build: vectors per identity', () => {
  it('ships the covering photos plus the mean direction for a person with several photos, the one photo alone otherwise', () => {
    const [ann, bo] = [face(), face()];
    const annPhotos = Array.from({ length: 6 }, () => photo(ann));
    const boPhoto = photo(bo);
    const embeddings: PhotoEmbeddings = new Map([...annPhotos.map((e, i) => [`Ann_Lee/${i}.jpg`, e] as const), ['Bo_Ek/0.jpg', boPhoto]]);
    const records: SourceRecord[] = [
      { source: 'lfw', id: 'Ann_Lee', name: 'Ann_Lee', licences: [], photos: annPhotos.map((_, i) => ({ file: `Ann_Lee/${i}.jpg`, role: 'enrol' as const })) },
      { source: 'lfw', id: 'Bo_Ek', name: 'Bo_Ek', licences: [], photos: [{ file: 'Bo_Ek/0.jpg', role: 'enrol' as const }] },
    ];
    const { identities } = buildCelebrities({ records, embeddings: () => embeddings, perPerson: 3 });
    const annId = identities.find((i) => i.name === 'Ann Lee')!;
    const boId = identities.find((i) => i.name === 'Bo Ek')!;

    // Three covering photos (perPerson) and the mean: a unit vector nearer the person's direction than any photo.
    expect(annId.vectorsOf).toHaveLength(4);
    expect(annId.vectors).toBe(4);
    const mean = annId.vectorsOf[3]!;
    expect(Math.hypot(...mean)).toBeCloseTo(1, 5);
    expect(annPhotos.some((p) => dot(p, mean) > 0.9999)).toBe(false);
    expect(dot(mean, ann)).toBeGreaterThan(Math.max(...annPhotos.map((p) => dot(p, ann))));

    expect(boId.vectorsOf).toEqual([boPhoto]);
  });
});

// clusterFaces: complete-linkage grouping of unknown faces, with cannot-link pairs (same frame).
import { describe, expect, it } from 'vitest';
import { clusterFaces, type ClusterFace } from '../../services/aggregator/cluster.js';

/** 1-D embeddings: the distance is the gap between the two numbers. */
const gap = (a: readonly number[], b: readonly number[]) => Math.abs(a[0]! - b[0]!);

/** Faces at the given positions, each in its own frame unless `key` says otherwise. */
function faces(...points: (number | [number, string])[]): ClusterFace[] {
  return points.map((p, i) => (typeof p === 'number' ? { embedding: [p], cannotLinkKey: `frame-${i}` } : { embedding: [p[0]], cannotLinkKey: p[1] }));
}

describe('clusterFaces', () => {
  it('is empty for no faces', () => {
    expect(clusterFaces([], 1, gap)).toEqual([]);
  });

  it('puts a lone face in cluster 0', () => {
    expect(clusterFaces(faces(3), 1, gap)).toEqual([0]);
  });

  it('merges faces within maxDistance, the boundary included, and keeps farther ones apart', () => {
    expect(clusterFaces(faces(0, 1), 1, gap)).toEqual([0, 0]);
    expect(clusterFaces(faces(0, 1.0001), 1, gap)).toEqual([0, 1]);
    expect(clusterFaces(faces(0, 0.2, 5, 5.3, 10), 1, gap)).toEqual([0, 0, 1, 1, 2]);
  });

  it('does not chain: a–b and b–c close but a–c too far never makes one cluster of three', () => {
    // Single linkage would join all three through b.
    const labels = clusterFaces(faces(0, 0.6, 1.2), 1, gap);
    expect(new Set(labels).size).toBe(2);
    expect(labels).toEqual([0, 0, 1]); // a–b merge first (the first of the tied closest pairs)
    // A longer chain splits into pairs.
    expect(clusterFaces(faces(0, 0.6, 1.2, 1.8), 1, gap)).toEqual([0, 0, 1, 1]);
  });

  it('needs every pair across two groups within maxDistance to merge them', () => {
    // {0, 0.5} and {1.2, 1.4}: nearest pair 0.5–1.2 = 0.7, but 0–1.4 = 1.4 > 1.
    expect(clusterFaces(faces(0, 0.5, 1.2, 1.4), 1, gap)).toEqual([0, 0, 1, 1]);
    // Within 1.5 every pair is close enough: one group.
    expect(clusterFaces(faces(0, 0.5, 1.2, 1.4), 1.5, gap)).toEqual([0, 0, 0, 0]);
  });

  it('never merges two faces of the same frame, however alike', () => {
    expect(clusterFaces(faces([0, 'f1'], [0, 'f1']), 1, gap)).toEqual([0, 1]);
    // c (another frame) is near both a and b (one frame): it joins one of them, never both.
    const labels = clusterFaces(faces([0, 'f1'], [0.1, 'f1'], [0.05, 'f2']), 1, gap);
    expect(labels[0]).not.toBe(labels[1]);
    expect([labels[0], labels[1]]).toContain(labels[2]);
    // Nor through a third face seen elsewhere: the cannot-link holds for whole groups.
    const group = clusterFaces(faces([0, 'f1'], [0.2, 'f2'], [0.3, 'f1'], [0.25, 'f3']), 1, gap);
    expect(group[0]).not.toBe(group[2]);
  });

  it('numbers clusters by first appearance', () => {
    expect(clusterFaces(faces(5, 0, 5.1, 0.1, 9), 1, gap)).toEqual([0, 1, 0, 1, 2]);
    // Whatever merges first, the first face is always in cluster 0.
    expect(clusterFaces(faces(20, 0, 0.01, 20.5, 10), 1, gap)).toEqual([0, 1, 1, 0, 2]);
  });

  it('uses the distance it is given, on any dimension', () => {
    const euclid = (a: readonly number[], b: readonly number[]) => Math.hypot(...a.map((v, i) => v - b[i]!));
    const xs: ClusterFace[] = [
      { embedding: [0, 0], cannotLinkKey: 'a' },
      { embedding: [3, 4], cannotLinkKey: 'b' },
      { embedding: [0.5, 0], cannotLinkKey: 'c' },
    ];
    expect(clusterFaces(xs, 5, euclid)).toEqual([0, 0, 0]);
    expect(clusterFaces(xs, 4.9, euclid)).toEqual([0, 1, 0]);
  });
});

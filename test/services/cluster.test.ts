// clusterFaces: complete-linkage grouping of unknown faces, with cannot-link pairs (same frame).
import { describe, expect, it } from 'vitest';
import { clusterByDistance, clusterBySparseDistance, clusterFaces, type ClusterFace } from '../../services/aggregator/cluster.js';

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

/** The straightforward O(n³) complete linkage (closest pair first, the lowest (i, j) on ties). */
function reference(n: number, maxDistance: number, distance: (i: number, j: number) => number, cannotLink: (i: number, j: number) => boolean): number[] {
  const d = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : cannotLink(Math.min(i, j), Math.max(i, j)) ? Infinity : distance(Math.min(i, j), Math.max(i, j)))));
  const members = Array.from({ length: n }, (_, i) => [i]);
  const live = new Set(members.keys());
  for (;;) {
    let [best, a, b] = [Infinity, -1, -1];
    for (const i of live) for (const j of live) if (j > i && d[i]![j]! < best) [best, a, b] = [d[i]![j]!, i, j];
    if (a < 0 || best > maxDistance) break;
    members[a]!.push(...members[b]!);
    live.delete(b);
    for (const c of live) if (c !== a) d[a]![c] = d[c]![a] = Math.max(d[a]![c]!, d[b]![c]!);
  }
  const out = new Array<number>(n);
  [...live].sort((x, y) => Math.min(...members[x]!) - Math.min(...members[y]!)).forEach((root, k) => members[root]!.forEach((m) => (out[m] = k)));
  return out;
}

describe('clusterByDistance', () => {
  it('takes a cannot-link predicate on top of the distance between members', () => {
    const xs = [0, 0.1, 0.2, 5];
    const d = (i: number, j: number) => Math.abs(xs[i]! - xs[j]!);
    expect(clusterByDistance(4, 1, d)).toEqual([0, 0, 0, 1]);
    // 0 and 2 are different people: 1 goes with 0 (the closer pair merges first), 2 stays apart.
    expect(clusterByDistance(4, 1, d, (i, j) => i === 0 && j === 2)).toEqual([0, 0, 1, 2]);
    expect(clusterByDistance(0, 1, d)).toEqual([]);
  });

  it('calls the distance only for pairs that may link, once each', () => {
    const seen: string[] = [];
    clusterByDistance(4, 1, (i, j) => (seen.push(`${i}-${j}`), 0.5), (i, j) => i === 1 && j === 3);
    expect(seen.sort()).toEqual(['0-1', '0-2', '0-3', '1-2', '2-3']);
  });

  it('clusterFaces passes its predicate on with the frame keys', () => {
    expect(clusterFaces(faces(0, 0.3, 0.1), 1, gap, (i, j) => i === 0 && j === 1)).toEqual([0, 1, 0]);
    expect(clusterFaces(faces([0, 'f1'], [0.1, 'f1'], 0.2), 1, gap, (i, j) => i === 0 && j === 2)).toEqual([0, 1, 1]);
  });

  it('gives the same clusters as the straightforward algorithm, ties and cannot-links included', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rand() * 14);
      // Integer positions on a short line make ties common.
      const xs = Array.from({ length: n }, () => Math.floor(rand() * 8));
      const blocked = new Set(Array.from({ length: Math.floor(rand() * n) }, () => `${Math.floor(rand() * n)}-${Math.floor(rand() * n)}`));
      const d = (i: number, j: number) => Math.abs(xs[i]! - xs[j]!);
      const cannot = (i: number, j: number) => blocked.has(`${i}-${j}`);
      const threshold = Math.floor(rand() * 4);
      expect(clusterByDistance(n, threshold, d, cannot)).toEqual(reference(n, threshold, d, cannot));
    }
  });

  it('gives the same clusters in a lent triangle, reused from a larger run before it, and refuses one too small', () => {
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const triangle = new Float32Array((16 * 15) / 2);
    for (let trial = 0; trial < 100; trial++) {
      // Sizes up and down: a smaller run reads none of a larger one's leftovers.
      const n = 1 + Math.floor(rand() * 16);
      const xs = Array.from({ length: n }, () => Math.floor(rand() * 8));
      const d = (i: number, j: number) => Math.abs(xs[i]! - xs[j]!);
      const cannot = (i: number, j: number) => (i + j) % 5 === 0;
      expect(clusterByDistance(n, 2, d, cannot, triangle)).toEqual(clusterByDistance(n, 2, d, cannot));
    }
    expect(() => clusterByDistance(17, 2, () => 1, undefined, triangle)).toThrow(RangeError);
  });

  it('clusterBySparseDistance, given only the pairs that may link, gives the same clusters, ties and cannot-links included', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rand() * 20);
      const xs = Array.from({ length: n }, () => Math.floor(rand() * 10));
      const blocked = new Set(Array.from({ length: Math.floor(rand() * n) }, () => `${Math.floor(rand() * n)}-${Math.floor(rand() * n)}`));
      const d = (i: number, j: number) => Math.abs(xs[i]! - xs[j]!);
      const cannot = (i: number, j: number) => blocked.has(`${i}-${j}`);
      const threshold = Math.floor(rand() * 4);
      // Pairs beyond the bar or that cannot link are simply not listed (some listed beyond it, in either order).
      const edges: [number, number, number][] = [];
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (!cannot(i, j) && (d(i, j) <= threshold || rand() < 0.2)) edges.push(rand() < 0.5 ? [i, j, d(i, j)] : [j, i, d(i, j)]);
      edges.sort(() => rand() - 0.5);
      expect(clusterBySparseDistance(n, edges, threshold)).toEqual(clusterByDistance(n, threshold, d, cannot));
    }
  });
});

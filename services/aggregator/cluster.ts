// Grouping unknown faces into persons within a job (`cluster_unknowns`).
//
// Complete-linkage agglomerative clustering: two groups merge only when every pair of faces
// across them is within `maxDistance`, so a chain of look-alikes never joins two people the way
// single linkage would. Faces seen together in one frame are two people and never merge.

export interface ClusterFace {
  embedding: readonly number[];
  /** Faces with the same key (same source and frame) are different people. */
  cannotLinkKey: string;
}

/**
 * Cluster number (0-based) of each face, numbered in the order the faces are given: the first
 * face is in cluster 0, the first face not in cluster 0 starts cluster 1, and so on.
 */
export function clusterFaces(faces: readonly ClusterFace[], maxDistance: number, distance: (a: readonly number[], b: readonly number[]) => number): number[] {
  const n = faces.length;
  // d[i][j]: complete-linkage distance between live clusters i and j (Infinity: may not merge).
  const d: Float64Array[] = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const same = faces[i]!.cannotLinkKey === faces[j]!.cannotLinkKey;
      const v = same ? Infinity : distance(faces[i]!.embedding, faces[j]!.embedding);
      d[i]![j] = v;
      d[j]![i] = v;
    }
  }
  const members: number[][] = faces.map((_, i) => [i]);
  const live = new Set(members.keys());
  for (;;) {
    let best = Infinity;
    let a = -1;
    let b = -1;
    for (const i of live) {
      for (const j of live) {
        if (j <= i) continue;
        const v = d[i]![j]!;
        if (v < best) [best, a, b] = [v, i, j];
      }
    }
    if (a < 0 || best > maxDistance) break;
    members[a]!.push(...members[b]!);
    live.delete(b);
    for (const c of live) {
      if (c === a) continue;
      const v = Math.max(d[a]![c]!, d[b]![c]!);
      d[a]![c] = v;
      d[c]![a] = v;
    }
  }
  const clusterOf = new Array<number>(n);
  const order = [...live].sort((x, y) => Math.min(...members[x]!) - Math.min(...members[y]!));
  order.forEach((root, k) => {
    for (const m of members[root]!) clusterOf[m] = k;
  });
  return clusterOf;
}

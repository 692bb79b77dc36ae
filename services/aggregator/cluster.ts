// Grouping unknown faces into persons within a job (`cluster_unknowns`).
//
// Complete-linkage agglomerative clustering: two groups merge only when every pair of members
// across them is within `maxDistance`, so a chain of look-alikes never joins two people the way
// single linkage would. Members that cannot be the same person (two faces seen together in one
// frame, two video tracks on screen at the same time) never merge, nor do the groups holding them.

export interface ClusterFace<E extends ArrayLike<number> = readonly number[]> {
  embedding: E;
  /** Faces with the same key (same source and frame) are different people. */
  cannotLinkKey: string;
}

/**
 * Cluster number (0-based) of each face, numbered in the order the faces are given: the first
 * face is in cluster 0, the first face not in cluster 0 starts cluster 1, and so on.
 * `cannotLink(i, j)`, when given, names further pairs that are different people (on top of equal
 * `cannotLinkKey`s).
 */
export function clusterFaces<E extends ArrayLike<number>>(
  faces: readonly ClusterFace<E>[],
  maxDistance: number,
  distance: (a: E, b: E) => number,
  cannotLink?: (i: number, j: number) => boolean,
): number[] {
  return clusterByDistance(
    faces.length,
    maxDistance,
    (i, j) => distance(faces[i]!.embedding, faces[j]!.embedding),
    (i, j) => faces[i]!.cannotLinkKey === faces[j]!.cannotLinkKey || (cannotLink?.(i, j) ?? false),
  );
}

/**
 * The same clustering over `count` members of any kind: `distance(i, j)` between two members
 * (called once per pair, i < j, and only for pairs that may link), `cannotLink(i, j)` true for
 * pairs that are different people. Clusters are numbered by their first member, as clusterFaces.
 *
 * Merges go closest pair first (ties: the lowest (i, j) pair), each group keeping the index of its
 * lowest member. The closest pair is found from a cached nearest neighbour per row, which only
 * rows that pointed at a merged group have to recompute (complete-linkage distances never
 * shrink), so a typical run is O(n²) rather than O(n³).
 */
export function clusterByDistance(
  count: number,
  maxDistance: number,
  distance: (i: number, j: number) => number,
  cannotLink: (i: number, j: number) => boolean = () => false,
): number[] {
  const n = count;
  // Complete-linkage distance between live clusters i and j (Infinity: may not merge), each pair
  // once: the upper triangle row after row, half of an n×n matrix (n is a long video's tracks), in
  // 32-bit floats (a two-hour film's 4,000 tracks: 32 MB, where 64-bit ones took 64).
  const d = new Float32Array((n * (n - 1)) / 2);
  const rowStart = (i: number) => i * n - (i * (i + 1)) / 2 - i - 1;
  const pair = (i: number, j: number) => (i < j ? rowStart(i) + j : rowStart(j) + i);
  for (let i = 0; i < n; i++) {
    const row = rowStart(i);
    for (let j = i + 1; j < n; j++) d[row + j] = cannotLink(i, j) ? Infinity : distance(i, j);
  }
  // The bar as stored (rounding is monotonic: a distance within the bar stays within it).
  const bar = Math.fround(maxDistance);
  const members: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const live = new Uint8Array(n).fill(1);
  // Per row i: the nearest live j > i (the first on ties) and its distance.
  const nearest = new Int32Array(n).fill(-1);
  const nearestD = new Float32Array(n).fill(Infinity);
  const rescan = (i: number) => {
    let best = Infinity;
    let at = -1;
    const row = rowStart(i);
    for (let j = i + 1; j < n; j++) {
      if (live[j] && d[row + j]! < best) [best, at] = [d[row + j]!, j];
    }
    nearest[i] = at;
    nearestD[i] = best;
  };
  for (let i = 0; i < n; i++) rescan(i);
  for (;;) {
    let best = Infinity;
    let a = -1;
    for (let i = 0; i < n; i++) {
      if (live[i] && nearestD[i]! < best) [best, a] = [nearestD[i]!, i];
    }
    if (a < 0 || best > bar) break;
    const b = nearest[a]!;
    members[a]!.push(...members[b]!);
    live[b] = 0;
    for (let c = 0; c < n; c++) {
      if (!live[c] || c === a) continue;
      const ac = pair(a, c);
      d[ac] = Math.max(d[ac]!, d[pair(b, c)]!);
    }
    rescan(a);
    // Rows before a or b whose nearest was a (now farther) or b (gone) look again; the others keep
    // theirs, since no distance went down.
    for (let c = 0; c < Math.max(a, b); c++) {
      if (live[c] && c !== a && (nearest[c] === a || nearest[c] === b)) rescan(c);
    }
  }
  const clusterOf = new Array<number>(n);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) if (live[i]) roots.push(i);
  // A group keeps its lowest member's index, so roots in index order are groups by first member.
  roots.forEach((root, k) => {
    for (const m of members[root]!) clusterOf[m] = k;
  });
  return clusterOf;
}

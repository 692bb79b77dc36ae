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
  triangle?: Float32Array,
): number[] {
  const n = count;
  // Complete-linkage distance between live clusters i and j (Infinity: may not merge), each pair
  // once: the upper triangle row after row, half of an n×n matrix (n is a long video's tracks), in
  // 32-bit floats (a two-hour film's 4,000 tracks: 32 MB, where 64-bit ones took 64). A caller
  // clustering block after block lends one `triangle` for all (at least n(n−1)/2 long).
  const pairs = (n * (n - 1)) / 2;
  if (triangle && triangle.length < pairs) throw new RangeError(`the triangle lent holds ${triangle.length} pairs, ${pairs} needed`);
  const d = triangle ?? new Float32Array(pairs);
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
  return numbered(members, live);
}

/**
 * Cluster number of each member: a group keeps its lowest member's index, so live groups in index
 * order are the groups by first member.
 */
function numbered(members: readonly number[][], live: Uint8Array): number[] {
  const clusterOf = new Array<number>(members.length);
  let k = 0;
  for (let i = 0; i < members.length; i++) {
    if (!live[i]) continue;
    for (const m of members[i]!) clusterOf[m] = k;
    k++;
  }
  return clusterOf;
}

/**
 * The same clustering as clusterByDistance when only some pairs may link: `edges` lists them, each
 * pair once with its distance (a pair not listed, or listed beyond `maxDistance`, never links, as
 * an Infinity there). Memory and time follow the edges, not count²: for many members of which few
 * pairs are close (a long video's person units). Same merge order (closest pair first, ties: the
 * lowest (i, j)), same numbering.
 */
export function clusterBySparseDistance(count: number, edges: Iterable<readonly [number, number, number]>, maxDistance: number): number[] {
  // Per live cluster (its lowest member): the clusters it may still merge with, at what distance.
  const near = Array.from({ length: count }, () => new Map<number, number>());
  const heap = new PairHeap();
  for (const [i, j, d] of edges) {
    if (i === j || !(d <= maxDistance)) continue;
    const [a, b] = i < j ? [i, j] : [j, i];
    near[a]!.set(b, d);
    near[b]!.set(a, d);
    heap.push(d, a, b);
  }
  const members: number[][] = Array.from({ length: count }, (_, i) => [i]);
  const live = new Uint8Array(count).fill(1);
  for (let top = heap.pop(); top; top = heap.pop()) {
    const [d, a, b] = top;
    // Stale entries (a cluster gone, or its distance since raised) are skipped.
    if (!live[a] || !live[b] || near[a]!.get(b) !== d) continue;
    members[a]!.push(...members[b]!);
    live[b] = 0;
    near[a]!.delete(b);
    near[b]!.delete(a);
    // Complete linkage: the merged cluster is as far from c as the farther of the two, and cannot
    // link with a cluster that one of them could not link with.
    for (const c of new Set([...near[a]!.keys(), ...near[b]!.keys()])) {
      const da = near[a]!.get(c);
      const db = near[b]!.get(c);
      near[c]!.delete(b);
      if (da === undefined || db === undefined) {
        near[a]!.delete(c);
        near[c]!.delete(a);
        continue;
      }
      const merged = Math.max(da, db);
      near[a]!.set(c, merged);
      near[c]!.set(a, merged);
      if (merged !== da) heap.push(merged, Math.min(a, c), Math.max(a, c));
    }
    near[b]!.clear();
  }
  return numbered(members, live);
}

/** A binary min-heap of pairs by (distance, i, j). */
class PairHeap {
  private readonly items: [number, number, number][] = [];

  push(d: number, i: number, j: number): void {
    const items = this.items;
    items.push([d, i, j]);
    for (let at = items.length - 1; at > 0; ) {
      const up = (at - 1) >> 1;
      if (!before(items[at]!, items[up]!)) break;
      [items[at], items[up]] = [items[up]!, items[at]!];
      at = up;
    }
  }

  pop(): [number, number, number] | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      for (let at = 0; ; ) {
        const l = 2 * at + 1;
        const r = l + 1;
        let least = at;
        if (l < items.length && before(items[l]!, items[least]!)) least = l;
        if (r < items.length && before(items[r]!, items[least]!)) least = r;
        if (least === at) break;
        [items[at], items[least]] = [items[least]!, items[at]!];
        at = least;
      }
    }
    return top;
  }
}

function before(x: readonly [number, number, number], y: readonly [number, number, number]): boolean {
  return x[0] < y[0] || (x[0] === y[0] && (x[1] < y[1] || (x[1] === y[1] && x[2] < y[2])));
}

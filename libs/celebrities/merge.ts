// One person, one identity: people of several sources (LFW, Pins, CFP, US Congress, Bundestag)
// merged where their names propose it and their faces confirm it.
//
// 1. Each source person's own photos are checked first: photos are linked when their faces lie
//    within `sameFace`; the largest linked group is the person; a photo outside it is an outlier
//    (a wrong face or a mislabelled photo, left out); two groups of two or more photos each is two
//    people under one name — a conflict, never shipped.
// 2. Names propose merges (libs/celebrities/names.ts): the same normalised name, a known variant
//    (short given names, no middle names, LFW's own aliases), or a near spelling (≤ 2 edits of
//    given name + surname). The faces decide: the median distance between the two people's photos
//    must be within `merge` (exact names and variants) or the stricter `nearMerge` (near
//    spellings, whose names are weaker evidence).
// 3. Accepted pairs are joined nearest first; a join is refused when it would put two people of
//    one source together (a source lists each person once, except LFW's known aliases) or when
//    the joined groups' faces disagree. Same name, faces apart: kept as two people, reported.
import { euclidean } from '../engine/distance.js';
import { editDistance, exactKey, shortKey, variantKeys, nearKeyPairs } from './names.js';

export interface SourcePerson {
  /** Source name ('lfw', 'pins', 'cfp', 'congress', 'bundestag', or a folder's name). */
  source: string;
  /** The person's id in the source (folder name or member id). */
  id: string;
  /** The name as the source writes it. */
  name: string;
  category?: string;
  country?: string;
  /** Born, when the source says (for telling apart two people of one name). */
  born?: number;
  /** Enrolment photos with a face: file and embedding (unit vectors). */
  photos: { file: string; embedding: Float32Array }[];
}

export interface MergeThresholds {
  /** Two photos of one person lie within this (Euclidean between unit vectors). */
  sameFace: number;
  /** Median cross distance under which an exact or variant name is the same person. */
  merge: number;
  /** Median cross distance under which a near spelling is the same person. */
  nearMerge: number;
}

export type MergeKind = 'exact' | 'variant' | 'alias' | 'near';

export interface MergeRecord {
  kind: MergeKind;
  a: string;
  b: string;
  distance: number;
}

export interface Conflict {
  kind: 'photos-disagree' | 'same-name-different-faces' | 'same-source' | 'group-disagrees';
  people: string[];
  detail: string;
}

export interface MergedIdentity {
  /** Members: the source people it joins. */
  members: SourcePerson[];
  /** Their enrolment embeddings (outliers left out). */
  embeddings: Float32Array[];
}

export interface MergeResult {
  identities: MergedIdentity[];
  merges: MergeRecord[];
  conflicts: Conflict[];
  /** Photos left out of a person as outliers. */
  outliers: { person: string; file: string; distance: number }[];
  /** Source people not shipped (their photos disagree). */
  dropped: SourcePerson[];
  /** Candidate pairs the faces refused, by kind, with their distances (for the report). */
  refused: MergeRecord[];
}

export const label = (p: SourcePerson): string => `${p.source}:${p.name}`;

/** Median of the distances between every photo of `a` and every photo of `b`. */
export function crossDistance(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  const d: number[] = [];
  for (const x of a) for (const y of b) d.push(euclidean(x, y));
  return median(d);
}

export function median(values: number[]): number {
  if (values.length === 0) return Infinity;
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A person's photos checked against each other: the linked group kept, outliers, or a conflict (two groups). */
export function checkOwnPhotos(
  person: SourcePerson,
  sameFace: number,
): { kept: SourcePerson['photos']; outliers: { file: string; distance: number }[]; conflict?: Conflict } {
  const n = person.photos.length;
  if (n < 2) return { kept: person.photos, outliers: [] };
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const d = (i: number, j: number) => euclidean(person.photos[i]!.embedding, person.photos[j]!.embedding);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (d(i, j) <= sameFace) parent[find(i)] = find(j);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) groups.set(find(i), [...(groups.get(find(i)) ?? []), i]);
  const sorted = [...groups.values()].sort((a, b) => b.length - a.length);
  const [largest, second] = sorted;
  const nearestOther = (i: number, group: number[]) => Math.min(...group.filter((j) => j !== i).map((j) => d(i, j)));
  if (largest!.length === 1) {
    // No two photos agree: nothing tells which is the person.
    return { kept: [], outliers: [], conflict: { kind: 'photos-disagree', people: [label(person)], detail: `none of its ${n} photos agree with another (nearest pair ${Math.min(...person.photos.flatMap((_, i) => person.photos.map((__, j) => (i < j ? d(i, j) : Infinity)))).toFixed(3)})` } };
  }
  if (second && second.length >= 2) {
    return {
      kept: [],
      outliers: [],
      conflict: { kind: 'photos-disagree', people: [label(person)], detail: `its photos form ${sorted.filter((g) => g.length >= 2).length} groups of ${sorted.map((g) => g.length).join(' + ')} photos: two people under one name?` },
    };
  }
  const keep = new Set(largest);
  return {
    kept: person.photos.filter((_, i) => keep.has(i)),
    outliers: person.photos.flatMap((p, i) => (keep.has(i) ? [] : [{ file: p.file, distance: nearestOther(i, [...keep, i]) }])),
  };
}

/** Name pairs proposed for a merge: indices into `people`, the kind of evidence. */
export function proposePairs(people: readonly SourcePerson[], aliases: readonly (readonly [string, string])[] = []): { i: number; j: number; kind: MergeKind }[] {
  const pairs = new Map<string, { i: number; j: number; kind: MergeKind }>();
  const rank: Record<MergeKind, number> = { exact: 0, alias: 1, variant: 2, near: 3 };
  const add = (i: number, j: number, kind: MergeKind) => {
    // A source lists each person once: two of its people are never proposed (LFW's known aliases apart).
    if (i === j || (people[i]!.source === people[j]!.source && kind !== 'alias')) return;
    const [a, b] = i < j ? [i, j] : [j, i];
    const id = `${a},${b}`;
    const had = pairs.get(id);
    if (!had || rank[kind] < rank[had.kind]) pairs.set(id, { i: a, j: b, kind });
  };
  const byKey = (keyOf: (p: SourcePerson) => string[], kind: MergeKind) => {
    const index = new Map<string, number[]>();
    people.forEach((p, i) => {
      for (const k of new Set(keyOf(p))) if (k) index.set(k, [...(index.get(k) ?? []), i]);
    });
    for (const list of index.values()) for (let x = 0; x < list.length; x++) for (let y = x + 1; y < list.length; y++) add(list[x]!, list[y]!, kind);
  };
  byKey((p) => [exactKey(p.name)], 'exact');
  byKey((p) => variantKeys(p.name), 'variant');
  const bySourceName = new Map(people.map((p, i) => [`${p.source}:${p.id}`, i]));
  for (const [x, y] of aliases) {
    const i = bySourceName.get(x);
    const j = bySourceName.get(y);
    if (i !== undefined && j !== undefined) add(i, j, 'alias');
  }
  // Near spellings of given name + surname (and of the whole name).
  const shortKeys = people.map((p) => shortKey(p.name));
  const distinct = [...new Set(shortKeys)];
  const holders = new Map<string, number[]>();
  shortKeys.forEach((k, i) => holders.set(k, [...(holders.get(k) ?? []), i]));
  for (const [x, y] of nearKeyPairs(distinct, 2)) {
    if (!sameInitialsOrSurnameClose(distinct[x]!, distinct[y]!)) continue;
    for (const i of holders.get(distinct[x]!)!) for (const j of holders.get(distinct[y]!)!) add(i, j, 'near');
  }
  return [...pairs.values()];
}

/** Near spellings count only when each word is itself near (≤ 2 edits, and the words are of similar length): "jevin kostner" ~ "kevin costner", not "ann smith" ~ "anne smithe jr". */
function sameInitialsOrSurnameClose(a: string, b: string): boolean {
  const wa = a.split(' ');
  const wb = b.split(' ');
  if (wa.length !== wb.length) return false;
  return wa.every((w, i) => editDistance(w, wb[i]!, 2) <= (Math.min(w.length, wb[i]!.length) >= 5 ? 2 : 1));
}

export function mergePeople(people: readonly SourcePerson[], t: MergeThresholds, aliases: readonly (readonly [string, string])[] = []): MergeResult {
  const conflicts: Conflict[] = [];
  const outliers: MergeResult['outliers'] = [];
  const dropped: SourcePerson[] = [];
  // 1. Each person's own photos.
  const checked: SourcePerson[] = [];
  for (const p of people) {
    const c = checkOwnPhotos(p, t.sameFace);
    if (c.conflict) {
      conflicts.push(c.conflict);
      dropped.push(p);
      continue;
    }
    for (const o of c.outliers) outliers.push({ person: label(p), ...o });
    if (c.kept.length > 0) checked.push({ ...p, photos: c.kept });
  }
  // 2. Pairs proposed by names, decided by faces.
  const proposals = proposePairs(checked, aliases);
  const accepted: (MergeRecord & { i: number; j: number })[] = [];
  const refused: MergeRecord[] = [];
  const emb = checked.map((p) => p.photos.map((x) => x.embedding));
  for (const { i, j, kind } of proposals) {
    const distance = crossDistance(emb[i]!, emb[j]!);
    const record = { kind, a: label(checked[i]!), b: label(checked[j]!), distance: round(distance) };
    if (distance <= (kind === 'near' ? t.nearMerge : t.merge)) accepted.push({ ...record, i, j });
    else {
      refused.push(record);
      if (kind === 'exact' && checked[i]!.source !== checked[j]!.source)
        conflicts.push({ kind: 'same-name-different-faces', people: [record.a, record.b], detail: `the same name, faces ${record.distance} apart (merge within ${t.merge}): kept as two people` });
    }
  }
  // 3. Join nearest first, checking the groups.
  accepted.sort((a, b) => a.distance - b.distance);
  const group = checked.map((_, i) => [i]);
  const of = checked.map((_, i) => i);
  const merges: MergeRecord[] = [];
  const aliasSet = new Set(aliases.map(([x, y]) => `${x}|${y}`));
  const isAlias = (x: SourcePerson, y: SourcePerson) => aliasSet.has(`${x.source}:${x.id}|${y.source}:${y.id}`) || aliasSet.has(`${y.source}:${y.id}|${x.source}:${x.id}`);
  for (const pair of accepted) {
    const gi = of[pair.i]!;
    const gj = of[pair.j]!;
    if (gi === gj) continue;
    const A = group[gi]!;
    const B = group[gj]!;
    const clash = A.some((x) => B.some((y) => checked[x]!.source === checked[y]!.source && !isAlias(checked[x]!, checked[y]!)));
    if (clash) {
      conflicts.push({ kind: 'same-source', people: [pair.a, pair.b], detail: `${pair.kind} names at ${pair.distance}, but joining them would put two people of one source together: kept apart` });
      continue;
    }
    const d = crossDistance(A.flatMap((x) => emb[x]!), B.flatMap((y) => emb[y]!));
    if (d > t.merge) {
      conflicts.push({ kind: 'group-disagrees', people: [pair.a, pair.b], detail: `${pair.kind} names at ${pair.distance}, but their merged groups lie ${round(d)} apart: kept apart` });
      continue;
    }
    merges.push({ kind: pair.kind, a: pair.a, b: pair.b, distance: pair.distance });
    for (const y of B) of[y] = gi;
    group[gi] = [...A, ...B];
    group[gj] = [];
  }
  const identities = group.filter((g) => g.length > 0).map((g) => ({ members: g.map((i) => checked[i]!), embeddings: g.flatMap((i) => emb[i]!) }));
  return { identities, merges, conflicts, outliers, dropped, refused };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

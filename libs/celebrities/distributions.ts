// The distances the merge thresholds are read from (libs/celebrities/build.ts DEFAULT_THRESHOLDS):
// photos of one person (pairs of one source person's enrolment photos, by source) against photos
// of two people (a fixed pseudo-random sample of pairs of different source people across all
// sources), as percentiles and as the share beyond each threshold. Printed by the build and kept
// in its report.
import { euclidean } from '../engine/distance.js';
import type { PhotoEmbeddings } from '../eval/photo-embeddings.js';
import type { MergeThresholds } from './merge.js';
import type { SourceId, SourceRecord } from './sources.js';

export interface DistanceSummary {
  pairs: number;
  percentiles: Record<string, number>;
  /** Share of pairs at or under each threshold (for one person: above, i.e. split apart). */
  at: Record<string, number>;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

function summarise(d: number[], thresholds: number[], above: boolean, ps: number[]): DistanceSummary {
  d.sort((a, b) => a - b);
  const q = (p: number) => d[Math.min(d.length - 1, Math.floor((p / 100) * d.length))] ?? NaN;
  return {
    pairs: d.length,
    percentiles: Object.fromEntries(ps.map((p) => [`p${p}`, round(q(p), 3)])),
    at: Object.fromEntries(thresholds.map((t) => [t.toFixed(2), round((above ? d.filter((x) => x > t) : d.filter((x) => x <= t)).length / Math.max(1, d.length))])),
  };
}

export function measureDistances(
  records: readonly SourceRecord[],
  embeddings: (s: SourceId) => PhotoEmbeddings,
  t: MergeThresholds,
  samplePairs = 300_000,
): { same_person: Record<string, DistanceSummary & { note: string }>; different_people: DistanceSummary & { note: string } } {
  const thresholds = [...new Set([t.nearMerge, t.merge, t.sameFace, 1.0, 1.1, 1.4])].sort();
  const people = records.map((r) => ({ source: r.source, e: r.photos.filter((p) => p.role === 'enrol').flatMap((p) => embeddings(r.source).get(p.file) ?? []) }));
  const same: Record<string, DistanceSummary & { note: string }> = {};
  for (const source of [...new Set(records.map((r) => r.source))]) {
    const d: number[] = [];
    for (const p of people.filter((x) => x.source === source)) for (let i = 0; i < p.e.length; i++) for (let j = i + 1; j < p.e.length; j++) d.push(euclidean(p.e[i]!, p.e[j]!));
    if (d.length > 0) same[source] = { ...summarise(d, thresholds, true, [50, 90, 99, 99.9]), note: 'pairs of one source person\'s enrolment photos; "at": share above each threshold (label noise included)' };
  }
  const flat = people.flatMap((p, person) => p.e.map((e) => ({ person, e })));
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const d: number[] = [];
  for (let n = 0; n < samplePairs && flat.length > 1; n++) {
    const a = flat[Math.floor(rand() * flat.length)]!;
    const b = flat[Math.floor(rand() * flat.length)]!;
    if (a.person !== b.person) d.push(euclidean(a.e, b.e));
  }
  return { same_person: same, different_people: { ...summarise(d, thresholds, false, [0.01, 0.1, 1, 50]), note: 'random pairs of photos of two different source people (a person in two sources counts as two: a few pairs are one person); "at": share at or under each threshold' } };
}

// Conventions shared by the image and video result builders (SPEC §2): candidate shape, rounding,
// normalised boxes, top-k lists, result ordering, stable result ids and per-source summaries.
import { createHash } from 'node:crypto';
import { similarityOf } from '../../libs/engine/calibration.js';
import type { NormalisedBox, ResultItem, SourceSummary, SummaryItem } from '../../libs/jobs/types.js';
import type { ObservedSource } from './observations.js';

/** One nearest identity of a face, as the matcher answers it. */
export interface Candidate {
  person: string;
  identityId: string;
  /** Contract scale, 0..2. */
  distance: number;
}

/**
 * The first k distinct persons of a list ranked nearest first, with their similarity (a name in
 * two galleries counts once, at its nearest).
 */
export function topK(ranked: readonly { person: string; distance: number }[], k: number): { person: string; similarity: number }[] {
  const seen = new Set<string>();
  const out: { person: string; similarity: number }[] = [];
  for (const c of ranked) {
    if (out.length >= k) break;
    if (seen.has(c.person)) continue;
    seen.add(c.person);
    out.push({ person: c.person, similarity: round(similarityOf(c.distance)) });
  }
  return out;
}

/** SPEC §2 order of persons: named ones by name, then `Unknown #n` by n, then unknown (null). */
export function comparePersons(a: string | null, b: string | null): number {
  const rank = (p: string | null) => (p === null ? 2 : p.startsWith('Unknown #') ? 1 : 0);
  return rank(a) - rank(b) || (a ?? '').localeCompare(b ?? '', 'en', { numeric: true });
}

/** A pixel box as 0..1 of the frame, clamped to it. */
export function normaliseBox(box: { x: number; y: number; w: number; h: number }, width: number, height: number): NormalisedBox {
  const x = clamp01(box.x / width);
  const y = clamp01(box.y / height);
  return { x: round(x), y: round(y), w: round(clamp01((box.x + box.w) / width) - x), h: round(clamp01((box.y + box.h) / height) - y) };
}

export function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

/** Four decimals, as every number of the results is reported. */
export function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}

/** Stable per (job, source, key): a redelivered job writes the same ids. UUID-shaped (version 5 bits). */
export function resultId(jobId: string, sourceIndex: number, key: number | string): string {
  const h = createHash('sha256').update(`${jobId}/${sourceIndex}/${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The summary of one source: its distinct labels in result order (`Unknown` for person null), from its items' `meta.person`. */
export function sourceSummary(source: ObservedSource, persons: Iterable<string | null>): SourceSummary {
  const labels = new Set<string>();
  for (const person of persons) labels.add(person ?? 'Unknown');
  return {
    source: source.source,
    media_type: source.mediaType,
    info: source.info,
    items: [...labels].map((label): SummaryItem => ({ type: 'face', label, module: 'face_recognition' })),
  };
}

/**
 * Result items in order, each made when it is read: a long video's ten thousand items, with their
 * boxes, would otherwise all be held at once while they are written one by one. Reading twice
 * makes them twice (the same items). An array of items is one too.
 */
export interface ResultItems extends Iterable<ResultItem> {
  readonly length: number;
}

/** Items made by `make` from `records`, in their order, when read. */
export function lazyItems<T>(records: readonly T[], make: (record: T) => ResultItem): ResultItems {
  return {
    length: records.length,
    *[Symbol.iterator]() {
      for (const r of records) yield make(r);
    },
  };
}

/** Each item of `items` as `change` leaves it, when read. */
export function mapItems(items: ResultItems, change: (item: ResultItem) => ResultItem): ResultItems {
  return {
    length: items.length,
    *[Symbol.iterator]() {
      for (const item of items) yield change(item);
    },
  };
}

/** Several lists of items read one after the other. */
export function concatItems(lists: readonly ResultItems[]): ResultItems {
  return {
    length: lists.reduce((n, l) => n + l.length, 0),
    *[Symbol.iterator]() {
      for (const l of lists) yield* l;
    },
  };
}

/**
 * `meta.unidentified_reason` of a track none of whose faces reached the embedding quality floor
 * (EmbedSelector: small, blurred, profile or cut by the frame edge). Such a track has no identity
 * to compare: `person` null (labelled `Unknown`, never `Unknown #n`, even with `cluster_unknowns`:
 * clusterUnknownTracks cannot place it), `closest_person` and distances null, `closest_k_persons`
 * empty. It still has its thumbnail (the decoder sends one for every track).
 */
export const UNIDENTIFIED_TOO_POOR = 'too small or too blurred to recognise';

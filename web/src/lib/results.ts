// What the job page makes of detailed results: one timeline row per person, the faces to draw at a
// moment of the video, and exports (JSON, CSV, WebVTT). No DOM here: unit-tested in Node.
import type { components } from '../api/schema.js';

type ResultItem = components['schemas']['ResultItem'];

/**
 * The fields of a result item the page uses: a subset of the API's ResultItem, taken from the types
 * generated from its OpenAPI document so that the two cannot drift.
 */
export type Item = Pick<ResultItem, 'id' | 'source' | 'media_type' | 'frame_start' | 'frame_end' | 'time_start' | 'time_end' | 'tc_start' | 'tc_end'> & {
  meta: Pick<ResultItem['meta'], 'person' | 'closest_person' | 'closest_k_persons' | 'mean_distance' | 'mean_similarity' | 'indexed_identity' | 'unidentified_reason'>;
  thumbnail: Pick<ResultItem['thumbnail'], 'image'>;
  detections: Pick<ResultItem['detections'][number], 'frame_index' | 'data'>[];
};

export interface Row {
  /** What the row is called: the name, `Unknown #n`, or `Unknown`. */
  label: string;
  named: boolean;
  /** The persistent id when the person is in the identity index. */
  indexed: string | null;
  segments: Item[];
}

/** The person an item shows, as people read it. */
export function labelOf(item: Item): string {
  return item.meta.person ?? 'Unknown';
}

function isNamed(label: string): boolean {
  return label !== 'Unknown' && !/^Unknown #\d+$/.test(label);
}

/**
 * One row per person of one source: named ones by name, then `Unknown #n` by n, then the rest;
 * an unclustered unknown (`Unknown`) gets a row per indexed id, or one shared row.
 */
export function timelineRows(items: readonly Item[]): Row[] {
  const rows = new Map<string, Row>();
  for (const item of items) {
    const label = labelOf(item);
    const key = label === 'Unknown' && item.meta.indexed_identity ? `indexed:${item.meta.indexed_identity}` : label;
    let row = rows.get(key);
    if (!row) {
      row = { label, named: isNamed(label), indexed: item.meta.indexed_identity, segments: [] };
      rows.set(key, row);
    }
    row.segments.push(item);
  }
  const rank = (r: Row) => (r.named ? 0 : /^Unknown #/.test(r.label) ? 1 : 2);
  return [...rows.values()]
    .map((r) => ({ ...r, segments: [...r.segments].sort((a, b) => a.time_start - b.time_start) }))
    .sort((a, b) => rank(a) - rank(b) || a.label.localeCompare(b.label, 'en', { numeric: true }));
}

export interface Box {
  itemId: string;
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * The faces on screen at `frame`: for each item whose span holds it, the detection nearest in
 * time within `tolerance` frames (detections exist only for sampled frames).
 */
export function boxesAt(items: readonly Item[], frame: number, tolerance: number): Box[] {
  const out: Box[] = [];
  for (const item of items) {
    if (frame < item.frame_start - tolerance || frame > item.frame_end + tolerance) continue;
    let best: Item['detections'][number] | undefined;
    for (const d of item.detections) {
      if (Math.abs(d.frame_index - frame) <= tolerance && (!best || Math.abs(d.frame_index - frame) < Math.abs(best.frame_index - frame))) best = d;
    }
    if (best) out.push({ itemId: item.id, label: labelOf(item), ...best.data });
  }
  return out;
}

/** Seconds as WebVTT's `HH:MM:SS.mmm`. */
export function vttTime(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/**
 * WebVTT captions of who is on screen: one cue per stretch of time with the same people, each cue
 * naming them all (`Anna, Unknown #2`).
 */
export function toWebVtt(items: readonly Item[], minCue = 0.04): string {
  const edges = [...new Set(items.flatMap((i) => [i.time_start, i.time_end]))].sort((a, b) => a - b);
  const cues: { start: number; end: number; text: string }[] = [];
  for (let k = 0; k + 1 < edges.length; k++) {
    const start = edges[k]!;
    const end = edges[k + 1]!;
    const mid = (start + end) / 2;
    const names = [...new Set(items.filter((i) => i.time_start <= mid && mid <= i.time_end).map(labelOf))].sort();
    if (names.length === 0) continue;
    const text = names.join(', ');
    const last = cues[cues.length - 1];
    if (last && last.text === text && Math.abs(last.end - start) < 1e-9) last.end = end;
    else cues.push({ start, end, text });
  }
  const body = cues.filter((c) => c.end - c.start >= minCue).map((c, n) => `${n + 1}\n${vttTime(c.start)} --> ${vttTime(c.end)}\n${c.text}\n`);
  return ['WEBVTT', '', ...body].join('\n');
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // A leading = + - @ would be a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_COLUMNS = [
  'source',
  'person',
  'indexed_identity',
  'closest_person',
  'mean_distance',
  'mean_similarity',
  'frame_start',
  'frame_end',
  'time_start',
  'time_end',
  'tc_start',
  'tc_end',
  'id',
] as const;

/** One line per result item (no thumbnails, no boxes). */
export function toCsv(items: readonly Item[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const i of items) {
    const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
      source: i.source,
      person: labelOf(i),
      indexed_identity: i.meta.indexed_identity,
      closest_person: i.meta.closest_person,
      mean_distance: i.meta.mean_distance,
      mean_similarity: i.meta.mean_similarity,
      frame_start: i.frame_start,
      frame_end: i.frame_end,
      time_start: i.time_start,
      time_end: i.time_end,
      tc_start: i.tc_start,
      tc_end: i.tc_end,
      id: i.id,
    };
    lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Groups files dropped or picked as a folder laid out `<person>/<image>` by person. */
export function peopleFromPaths<T extends { path: string }>(files: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const f of files) {
    const parts = f.path.split('/').filter(Boolean);
    if (parts.length < 2) continue;
    const person = parts[parts.length - 2]!;
    if (!/\.(jpe?g|png|webp|gif|bmp|tiff?)$/i.test(parts[parts.length - 1]!)) continue;
    out.set(person, [...(out.get(person) ?? []), f]);
  }
  return out;
}

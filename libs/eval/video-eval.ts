// Scoring a video job's results against who is on screen when (`facerec eval video`).
//
// The truth of a clip lists people (gallery names, or `stranger:<id>` for people in no gallery)
// with the seconds they are on screen and, where several people share the screen, the horizontal
// band their face is in. The results are read at the job's sampled frames: at each one, each
// truth entry that is on screen takes the largest face whose centre lies in its band; faces no
// entry takes are "others" (background people, passers-by). Seconds are sampled frames times the
// sampling interval, so a person is judged over the whole time they are on screen, including
// frames where no face was found for them. Seconds within `tolerance` of an interval's ends are
// not judged (the truth was written from frames a second or half a second apart).
import type { ResultItem } from '../jobs/types.js';

export interface TruthEntry {
  person: string;
  /** [start, end] seconds. */
  intervals: [number, number][];
  /** Band of the face's centre, 0..1 of the frame's width. */
  x?: [number, number];
  /** May stay unnamed without counting against recall (a wrong name still counts). */
  optional?: boolean;
}

export interface TruthClip {
  /** Path under the data directory. */
  file: string;
  /** Gallery to run the clip against (default: the command's). */
  model?: string;
  /** A folder of person folders (under the data directory) that makes `model`. */
  gallery_folder?: string;
  /** What a face outside the entries is: a name there is wrong ('strangers') or only reported ('unverified'). */
  others: 'strangers' | 'unverified';
  people: TruthEntry[];
}

export interface TruthFile {
  clips: TruthClip[];
}

export interface PersonScore {
  person: string;
  stranger: boolean;
  /** Seconds on screen that are judged (optional entries left out). */
  on_screen_s: number;
  /** Of those, seconds named right. */
  named_s: number;
  /** named_s / on_screen_s (null when nothing is judged). */
  recall: number | null;
  /** Seconds this person's face carried another gallery name (for a stranger: any name). */
  wrong_s: number;
  wrong_names: string[];
  /** Distinct labels their faces carried: names, `Unknown #n`, `Unknown` (person null). */
  labels: string[];
  /** Their items' distances (the unit template's, to the person named or the closest one): least and greatest; null without any. */
  distances: [number, number] | null;
  /** Closest persons their unnamed items report. */
  closest: string[];
}

export interface ClipScore {
  file: string;
  people: PersonScore[];
  /** Seconds of faces outside the entries that carried a gallery name, with the names. */
  others_named_s: number;
  others_names: string[];
  /** Whether those count as wrong (others: strangers) or are only reported (unverified). */
  others_wrong: boolean;
  /** Result items with person null (neither a name nor an Unknown label). */
  items_without_label: number;
  /** Of those, items without an unidentified_reason either. */
  items_without_label_or_reason: number;
  /**
   * Unnamed items whose closest person lies within the job's max_distance (given in the options)
   * or up to NEAR_MISS above it, nearest first, with whom the truth says they are ('others' for a
   * face outside the entries) and the margin to their next person (from closest_k_persons): those
   * within were held back by the decision (seen only in profile or blurred, or the person already
   * on screen); those above are what a looser rule would name.
   */
  unnamed_near: { person: string; closest: string; distance: number; within: boolean; margin: number | null }[];
  items: number;
}

export interface VideoInfo {
  fps: number;
  total_frames: number;
}

const UNKNOWN_LABEL = /^Unknown #\d+$/;

/** Names compared as people write them apart: case, accents, punctuation and underscores ignored. */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  return norm(a) === norm(b);
}

/** Whether a result's person is a gallery name (not an Unknown label, not null). */
export function isName(person: string | null): person is string {
  return person !== null && !UNKNOWN_LABEL.test(person);
}

export function scoreClip(truth: TruthClip, items: readonly ResultItem[], info: VideoInfo, opts: { tolerance: number; maxDistance?: number }): ClipScore {
  const { fps } = info;
  // Faces per sampled frame, with the item they belong to.
  const faces = new Map<number, { item: ResultItem; cx: number; area: number }[]>();
  for (const item of items) {
    for (const d of item.detections) {
      const list = faces.get(d.frame_index) ?? [];
      list.push({ item, cx: d.data.x + d.data.w / 2, area: d.data.w * d.data.h });
      faces.set(d.frame_index, list);
    }
  }
  const stepFrames = samplingStepOf([...faces.keys()]);
  const stepSeconds = stepFrames / fps;
  const judged = (t: number, [s, e]: [number, number]) => t >= s + opts.tolerance && t <= e - opts.tolerance;

  const byPerson = new Map<string, PersonScore>();
  const scoreOf = (person: string) => {
    let s = byPerson.get(person);
    if (!s) byPerson.set(person, (s = { person, stranger: person.startsWith('stranger:'), on_screen_s: 0, named_s: 0, recall: null, wrong_s: 0, wrong_names: [], labels: [], distances: null, closest: [] }));
    return s;
  };
  const itemsOf = new Map<string, Set<ResultItem>>();
  const whoseItem = new Map<ResultItem, string>();
  for (const e of truth.people) scoreOf(e.person);
  let othersSamples = 0;
  const othersNames = new Set<string>();

  for (let f = 0; f < info.total_frames; f += stepFrames) {
    const t = f / fps;
    const here = [...(faces.get(f) ?? [])].sort((a, b) => b.area - a.area);
    const takes = takeFaces(truth, t, here);
    const taken = new Set(takes.map((x) => x.at));
    for (const { entry, at } of takes) {
      const isJudged = entry.intervals.some((iv) => judged(t, iv));
      if (at >= 0 && !whoseItem.has(here[at]!.item)) whoseItem.set(here[at]!.item, entry.person);
      const score = scoreOf(entry.person);
      const person = at >= 0 ? here[at]!.item.meta.person : undefined;
      if (!isJudged) continue;
      if (at >= 0) {
        addOnce(score.labels, person ?? 'Unknown');
        itemsOf.set(entry.person, (itemsOf.get(entry.person) ?? new Set()).add(here[at]!.item));
      }
      if (!entry.optional) score.on_screen_s += stepSeconds;
      if (person === undefined || !isName(person)) continue;
      if (!score.stranger && sameName(person, entry.person)) {
        if (!entry.optional) score.named_s += stepSeconds;
      } else {
        score.wrong_s += stepSeconds;
        addOnce(score.wrong_names, person);
      }
    }
    here.forEach((face, i) => {
      if (taken.has(i) || !isName(face.item.meta.person)) return;
      othersSamples++;
      othersNames.add(face.item.meta.person);
    });
  }

  for (const [person, its] of itemsOf) {
    const score = byPerson.get(person)!;
    const ds = [...its].flatMap((i) => (i.meta.mean_distance === null ? [] : [i.meta.mean_distance]));
    if (ds.length > 0) score.distances = [Math.min(...ds), Math.max(...ds)];
    for (const i of its) if (!isName(i.meta.person) && i.meta.closest_person) addOnce(score.closest, i.meta.closest_person);
  }
  const people = [...byPerson.values()].map((s) => ({
    ...s,
    on_screen_s: round(s.on_screen_s),
    named_s: round(s.named_s),
    wrong_s: round(s.wrong_s),
    recall: s.stranger || s.on_screen_s === 0 ? null : round(s.named_s / s.on_screen_s),
  }));
  const unlabelled = items.filter((i) => i.meta.person === null);
  const near = new Map<string, ClipScore['unnamed_near'][number]>();
  for (const i of items) {
    const { closest_person: closest, mean_distance: distance, closest_k_persons: k } = i.meta;
    if (opts.maxDistance === undefined || isName(i.meta.person) || !closest || distance === null || distance > opts.maxDistance + NEAR_MISS) continue;
    const person = whoseItem.get(i) ?? 'others';
    const margin = k && k.length >= 2 ? round(distanceOf(k[1]!.similarity) - distanceOf(k[0]!.similarity)) : null;
    near.set(`${person}/${closest}/${distance}`, { person, closest, distance, within: distance <= opts.maxDistance, margin });
  }
  return {
    file: truth.file,
    people,
    others_named_s: round(othersSamples * stepSeconds),
    others_names: [...othersNames].sort(),
    others_wrong: truth.others === 'strangers',
    items_without_label: unlabelled.length,
    items_without_label_or_reason: unlabelled.filter((i) => !i.meta.unidentified_reason).length,
    unnamed_near: [...near.values()].sort((a, b) => a.distance - b.distance),
    items: items.length,
  };
}

/**
 * Who the faces at time `t` are (`faces` largest first): each truth entry on screen then takes the
 * largest face in its band that no earlier entry took (`at` its index, -1 when none is left).
 */
function takeFaces(truth: TruthClip, t: number, faces: readonly { cx: number }[]): { entry: TruthEntry; at: number }[] {
  const taken = new Set<number>();
  const out: { entry: TruthEntry; at: number }[] = [];
  for (const entry of truth.people) {
    if (!entry.intervals.some(([s, e]) => t >= s && t <= e)) continue;
    const at = faces.findIndex((face, i) => !taken.has(i) && (!entry.x || (face.cx >= entry.x[0] && face.cx <= entry.x[1])));
    if (at >= 0) taken.add(at);
    out.push({ entry, at });
  }
  return out;
}

/** How far above max_distance an unnamed item is still listed in unnamed_near. */
export const NEAR_MISS = 0.1;

/** The contract distance of a similarity (similarity = 1 − d²/2). */
function distanceOf(similarity: number): number {
  return Math.sqrt(Math.max(0, 2 * (1 - similarity)));
}

/** The job's sampling step in frames: the smallest gap between frames that have faces (1 when it cannot tell). */
function samplingStepOf(frames: number[]): number {
  const sorted = [...new Set(frames)].sort((a, b) => a - b);
  let step = Infinity;
  for (let i = 1; i < sorted.length; i++) step = Math.min(step, sorted[i]! - sorted[i - 1]!);
  return Number.isFinite(step) ? step : 1;
}

function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Totals over clips: what the acceptance reads. */
export interface VideoEvalTotals {
  /** Named-seconds recall per known person (clip/person), and their mean. */
  known: { file: string; person: string; recall: number }[];
  mean_recall: number | null;
  /** Known people named over at least 60 % of their time. */
  known_at_60pct: number;
  /** Seconds of wrong names on known people, on strangers, and on others where they count. */
  wrong_s: number;
  strangers_named_s: number;
  /** Strangers (per clip) and how many labels each got. */
  stranger_labels: { file: string; person: string; labels: number }[];
  items_without_label_or_reason: number;
}

export function totals(clips: readonly ClipScore[]): VideoEvalTotals {
  const known = clips.flatMap((c) => c.people.filter((p) => !p.stranger && p.recall !== null).map((p) => ({ file: c.file, person: p.person, recall: p.recall! })));
  const strangers = clips.flatMap((c) => c.people.filter((p) => p.stranger).map((p) => ({ file: c.file, person: p.person, labels: p.labels.length, named: p.wrong_s })));
  return {
    known,
    mean_recall: known.length ? round(known.reduce((s, k) => s + k.recall, 0) / known.length) : null,
    known_at_60pct: known.filter((k) => k.recall >= 0.6).length,
    wrong_s: round(clips.reduce((s, c) => s + c.people.filter((p) => !p.stranger).reduce((n, p) => n + p.wrong_s, 0) + (c.others_wrong ? c.others_named_s : 0), 0)),
    strangers_named_s: round(strangers.reduce((s, p) => s + p.named, 0)),
    stranger_labels: strangers.map(({ file, person, labels }) => ({ file, person, labels })),
    items_without_label_or_reason: clips.reduce((s, c) => s + c.items_without_label_or_reason, 0),
  };
}

/** A track as linking sees it: its faces (frame, centre, size as 0..1 of the frame), shot and template. */
export interface TrackForLinking {
  faces: { frame: number; cx: number; area: number }[];
  frameStart: number;
  frameEnd: number;
  shot: number;
  /** Null for a track with no embedded face (it still counts when deciding who the largest face is). */
  template: ArrayLike<number> | null;
}

/** Template distances between tracks that are never on screen together: one person or two, within a shot or across a cut. */
export interface LinkingDistances {
  withinShot: { same: number[]; different: number[] };
  acrossCuts: { same: number[]; different: number[] };
}

/**
 * Who each track is, by the truth (the person most of its faces are, as scoreClip attributes
 * faces; null when most are nobody's), and the template distances between pairs of tracks of
 * which at least one is somebody's: what the linking bars of person units rest on.
 */
export function linkingDistances(truth: TruthClip, tracks: readonly TrackForLinking[], fps: number, distance: (a: ArrayLike<number>, b: ArrayLike<number>) => number): LinkingDistances {
  const byFrame = new Map<number, { track: number; cx: number; area: number }[]>();
  tracks.forEach((t, track) => t.faces.forEach((f) => byFrame.set(f.frame, [...(byFrame.get(f.frame) ?? []), { track, ...f }])));
  const votes = tracks.map(() => new Map<string, number>());
  for (const [frame, faces] of byFrame) {
    const here = [...faces].sort((a, b) => b.area - a.area);
    for (const { entry, at } of takeFaces(truth, frame / fps, here)) {
      if (at < 0) continue;
      const v = votes[here[at]!.track]!;
      v.set(entry.person, (v.get(entry.person) ?? 0) + 1);
    }
  }
  const who = tracks.map((t, i) => {
    let best: string | null = null;
    let most = 0;
    for (const [person, n] of votes[i]!) if (n > most) [best, most] = [person, n];
    return most * 2 > t.faces.length ? best : null;
  });
  const out: LinkingDistances = { withinShot: { same: [], different: [] }, acrossCuts: { same: [], different: [] } };
  for (let i = 0; i < tracks.length; i++) {
    for (let j = i + 1; j < tracks.length; j++) {
      const a = tracks[i]!;
      const b = tracks[j]!;
      if (!a.template || !b.template || (who[i] === null && who[j] === null)) continue;
      if (a.frameStart <= b.frameEnd && b.frameStart <= a.frameEnd) continue;
      const group = a.shot === b.shot ? out.withinShot : out.acrossCuts;
      (who[i] === who[j] ? group.same : group.different).push(distance(a.template, b.template));
    }
  }
  return out;
}

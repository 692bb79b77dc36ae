// A whole job's results from its observed sources: image faces and video tracks matched, unknown
// persons numbered job-wide (`cluster_unknowns`), per-source summaries.
//
// A video's faces are decided per person unit (person-units.ts): the caller forms each video's
// units (videoPersonUnits), matches their templates against the galleries, and hands both in.
//
// Clustering spans every source of the job, so it takes two passes: each source is decided once
// to learn who is unknown, the unknown image faces and video units are clustered together, and
// the sources are built again with their labels.
import type { FaceRecognitionParams, ResultItem, SourceSummary } from '../../libs/jobs/types.js';
import { assignPersons, buildImageResults, listFaces, type ObservedFace } from './image-results.js';
import type { Embedding, HeldFace, ObservedSource } from './observations.js';
import { concatItems, sourceSummary, type Candidate, type ResultItems } from './result-format.js';
import { personUnits, sourceTracks, type PersonUnit } from './person-units.js';
import { thumbnailText } from './thumbnail-spill.js';
import { buildVideoResults, clusterUnknownTracks, unknownVideoUnits, type TrackSummary, type UnknownTrack, type VideoUnits } from './video-results.js';

type EmbeddingDistance = (a: ArrayLike<number>, b: ArrayLike<number>) => number;

/** An unknown person of the job: what the identity index needs. */
export interface UnknownPerson {
  label: string;
  source: ObservedSource;
  embeddings: Embedding[];
  thumbnail: string | null;
  resultIds: string[];
  frameStart: number;
  frameEnd: number;
}

export interface JobResults {
  /** In SPEC §2 order, source after source; a video's made when read (ResultItems). */
  items: ResultItems;
  summary: SourceSummary[];
  /** Unknown persons per (label, source), when cluster_unknowns. */
  unknownPersons: UnknownPerson[];
}

/**
 * The faces whose embeddings need gallery candidates, with the embedding model of their source:
 * every embedded face of the job's images (video faces are decided by their unit's template).
 */
export function embeddedFaces(sources: readonly ObservedSource[]): { face: HeldFace; model: string }[] {
  return sources.filter((s) => s.mediaType !== 'video').flatMap((s) => [...s.frames.values()].flat().flatMap((face) => (face.embedding !== null ? [{ face, model: s.embeddingModel }] : [])));
}

/**
 * The person units of each video source, by source index. Past this point a track's template is
 * read no more: those that a unit pooled into its own are let go (a two-hour film: ~7,000 of them,
 * 14 MB).
 */
export function videoPersonUnits(sources: readonly ObservedSource[], distance: EmbeddingDistance): Map<number, PersonUnit[]> {
  const out = new Map<number, PersonUnit[]>();
  for (const s of sources) {
    if (s.mediaType !== 'video') continue;
    const [width, height] = s.info.resolution;
    const units = personUnits(sourceTracks(s), { fps: s.info.fps ?? 1, width, height }, distance);
    for (const unit of units) for (const track of unit.tracks) if (track.template !== unit.template) track.template = null;
    out.set(s.index, units);
  }
  return out;
}

export function buildJobResults(
  jobId: string,
  params: FaceRecognitionParams,
  sources: readonly ObservedSource[],
  candidates: ReadonlyMap<HeldFace, readonly Candidate[]>,
  distance: EmbeddingDistance,
  videoUnits: ReadonlyMap<number, VideoUnits>,
): JobResults {
  const unitsOf = (s: ObservedSource): VideoUnits => videoUnits.get(s.index) ?? { units: [], candidates: new Map() };
  const imageFaces = new Map<number, ObservedFace[]>();
  for (const s of sources) if (s.mediaType === 'image') imageFaces.set(s.index, listFaces([s]));
  const candidatesOf = (faces: readonly ObservedFace[]) => faces.map((f) => candidates.get(f.face) ?? []);

  // Pass 1 (clustering only): who is unknown, in order of appearance.
  const imageLabels = new Map<number, Map<number, string>>();
  const videoLabels = new Map<number, Map<number, string>>();
  if (params.cluster_unknowns) {
    const units: (UnknownTrack & { ref: { source: number; key: number } })[] = [];
    for (const s of sources) {
      if (s.mediaType === 'image') {
        const faces = imageFaces.get(s.index)!;
        const assigned = assignPersons(faces, candidatesOf(faces), params.max_distance);
        faces.forEach((f, i) => {
          if (!assigned[i] && f.face.embedding) units.push({ sourceIndex: s.index, frameStart: 0, frameEnd: 0, embeddings: [f.face.embedding], ref: { source: s.index, key: i } });
        });
      } else {
        for (const u of unknownVideoUnits(s, unitsOf(s), params.max_distance)) units.push({ ...u, ref: { source: s.index, key: u.unitId } });
      }
    }
    units.sort((a, b) => a.sourceIndex - b.sourceIndex || a.frameStart - b.frameStart);
    const labels = clusterUnknownTracks(units, params.max_distance, distance);
    units.forEach((u, i) => {
      const label = labels[i];
      if (!label) return;
      const into = sources.find((s) => s.index === u.ref.source)!.mediaType === 'image' ? imageLabels : videoLabels;
      if (!into.has(u.ref.source)) into.set(u.ref.source, new Map());
      into.get(u.ref.source)!.set(u.ref.key, label);
    });
  }

  // Pass 2: the results.
  const items: ResultItems[] = [];
  const summary: SourceSummary[] = [];
  const unknownPersons: UnknownPerson[] = [];
  for (const s of sources) {
    if (s.mediaType === 'image') {
      const faces = imageFaces.get(s.index)!;
      const labels = params.cluster_unknowns ? (imageLabels.get(s.index) ?? new Map<number, string>()) : undefined;
      const sourceItems = buildImageResults(jobId, params, [s], faces, candidatesOf(faces), distance, labels).items;
      if (labels) unknownPersons.push(...imageUnknowns(s, faces, labels, sourceItems));
      items.push(sourceItems);
      summary.push(sourceSummary(s, sourceItems.map((item) => item.meta.person)));
    } else {
      const labels = params.cluster_unknowns ? (videoLabels.get(s.index) ?? new Map<number, string>()) : undefined;
      const built = buildVideoResults(jobId, params, s, unitsOf(s), distance, labels);
      if (labels) unknownPersons.push(...videoUnknowns(s, built.tracks));
      items.push(built.items);
      summary.push(sourceSummary(s, built.persons));
    }
  }
  return { items: concatItems(items), summary, unknownPersons };
}

function imageUnknowns(source: ObservedSource, faces: readonly ObservedFace[], labels: ReadonlyMap<number, string>, items: readonly ResultItem[]): UnknownPerson[] {
  const byLabel = new Map<string, UnknownPerson>();
  for (const [i, label] of labels) {
    const face = faces[i]!.face;
    const person = byLabel.get(label) ?? { label, source, embeddings: [], thumbnail: null, resultIds: [], frameStart: 0, frameEnd: 0 };
    if (face.embedding) person.embeddings.push(face.embedding);
    person.thumbnail ??= face.thumbnail;
    byLabel.set(label, person);
  }
  for (const item of items) if (item.meta.person && byLabel.has(item.meta.person)) byLabel.get(item.meta.person)!.resultIds.push(item.id);
  return [...byLabel.values()];
}

function videoUnknowns(source: ObservedSource, tracks: readonly TrackSummary[]): UnknownPerson[] {
  const byLabel = new Map<string, UnknownPerson>();
  for (const t of tracks) {
    if (!t.unknownLabel) continue;
    const person = byLabel.get(t.unknownLabel) ?? { label: t.unknownLabel, source, embeddings: [], thumbnail: null, resultIds: [], frameStart: t.frameStart, frameEnd: t.frameEnd };
    person.embeddings.push(...t.embeddings);
    if (person.thumbnail === null && t.bestThumbnail !== null) person.thumbnail = thumbnailText(t.bestThumbnail);
    person.resultIds.push(t.resultId);
    person.frameStart = Math.min(person.frameStart, t.frameStart);
    person.frameEnd = Math.max(person.frameEnd, t.frameEnd);
    byLabel.set(t.unknownLabel, person);
  }
  return [...byLabel.values()];
}

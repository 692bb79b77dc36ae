// From a video source's tracked faces and their gallery matches to SPEC §2 results: one item per
// face track (one person on screen without interruption), its identity decided over the whole
// track, not per frame.
//
// A track's identity is the person nearest on average over the track's embedded faces (the best
// ones the decoder chose, DESIGN "Faces"), accepted only within max_distance. A person is on
// screen once at a time: two tracks that overlap in time never get the same person; pairs
// (track, person) are taken nearest first, so the nearer track gets the person and the other
// falls to its runner-up or stays unknown. Tracks that do not overlap may be the same person.
//
// Unknown persons are numbered job-wide (`cluster_unknowns`), across image and video sources, by
// clusterUnknownTracks: the caller builds each video source once without labels, clusters the
// unknown tracks of the whole job (with the unknown image faces), then builds again with labels.
import { similarityOf } from '../../libs/engine/calibration.js';
import type { FaceObservation, FaceRecognitionParams, ResultItem } from '../../libs/jobs/types.js';
import { frameTime, timecode } from '../../libs/media/timecode.js';
import { qualityOf } from '../../libs/tracking/face-tracker.js';
import { clusterByDistance } from './cluster.js';
import type { ObservedSource } from './observations.js';
import { comparePersons, normaliseBox, resultId, round, topK, UNIDENTIFIED_TOO_POOR, type Candidate } from './result-format.js';

/** What later stages (the identity index) need of a track. */
export interface TrackSummary {
  sourceIndex: number;
  /** The decoder's track id (unique within the source). */
  trackId: number;
  /** The accepted gallery identity, or null when the track is unknown (whatever its cluster label). */
  person: string | null;
  /** The `Unknown #n` label the track got (cluster_unknowns), else null. */
  unknownLabel: string | null;
  /** Frame indices of the track's faces, ascending. */
  frames: number[];
  frameStart: number;
  frameEnd: number;
  /** Raw embeddings of the track's embedded faces, in frame order. */
  embeddings: number[][];
  /** Element-wise mean of `embeddings` (not re-normalised), or null when none was embedded. */
  meanEmbedding: number[] | null;
  /** Thumbnail of the track's best-quality face that has one. */
  bestThumbnail: string | null;
  /** Id of the track's result item. */
  resultId: string;
}

/** A unit to cluster: a video track, or an image face (frameStart = frameEnd = 0). */
export interface UnknownTrack {
  sourceIndex: number;
  /** First and last frame: two units of one source whose spans overlap are different people. */
  frameStart: number;
  frameEnd: number;
  /** Raw embeddings of its embedded faces; a unit without any is not clustered. */
  embeddings: readonly (readonly number[])[];
}

type EmbeddingDistance = (a: readonly number[], b: readonly number[]) => number;

interface TrackFace {
  frameIndex: number;
  face: FaceObservation;
}

interface Ranked {
  person: string;
  /** Mean over the track's informative faces (see rankPersons). */
  distance: number;
}

interface Track {
  trackId: number;
  faces: TrackFace[];
  frameStart: number;
  frameEnd: number;
  /** Persons by mean distance over the track, nearest first. */
  ranked: Ranked[];
  assigned: Ranked | undefined;
}

/**
 * Results of one video source (`source.info.fps` set). `candidates` holds the nearest identities of
 * each embedded face, nearest first (k ≥ 5: enough for top-k and runners-up); `embeddingDistance`
 * is the contract distance between two raw embeddings.
 *
 * With `cluster_unknowns`, unknown tracks get the label `unknownLabels` gives their track id (from
 * clusterUnknownTracks over the whole job; a track it leaves out has person null); without
 * `unknownLabels` the source's unknown tracks are clustered among themselves, which is the whole
 * job's clustering when the job has this one source.
 *
 * Items come in SPEC §2 order: by time_start, then person (named by name, then `Unknown #n`, then
 * null), then left to right. `tracks` lists every track in order of first appearance (frame, then
 * left to right), ready for clusterUnknownTracks (those with person null) and the identity index.
 */
export function buildVideoResults(
  jobId: string,
  params: FaceRecognitionParams,
  source: ObservedSource,
  candidates: ReadonlyMap<FaceObservation, readonly Candidate[]>,
  embeddingDistance: EmbeddingDistance,
  unknownLabels?: ReadonlyMap<number, string>,
): { items: ResultItem[]; tracks: TrackSummary[] } {
  const fps = source.info.fps;
  if (fps === undefined || !(fps > 0)) throw new RangeError(`video source ${source.index} has no frame rate`);
  const [width, height] = source.info.resolution;

  const assignedTracks = groupTracks(source).map((t): Track => ({ ...t, ranked: rankPersons(t.faces, candidates), assigned: undefined }));
  assignPersons(assignedTracks, params.max_distance);
  const tracks = joinBrokenTracks(assignedTracks, Math.round(MAX_JOIN_GAP_SECONDS * fps), candidates);

  let labels = unknownLabels;
  if (params.cluster_unknowns && !labels) {
    const unknown = tracks.filter((t) => !t.assigned).map((t) => ({ trackId: t.trackId, sourceIndex: source.index, frameStart: t.frameStart, frameEnd: t.frameEnd, embeddings: embeddingsOf(t.faces) }));
    const found = clusterUnknownTracks(unknown, params.max_distance, embeddingDistance);
    labels = new Map(unknown.flatMap((t, i) => (found[i] ? [[t.trackId, found[i]]] : [])));
  }

  const out = tracks.map((track) => {
    const id = resultId(jobId, source.index, `track-${track.trackId}`);
    const nearest = track.ranked[0];
    const match = track.assigned ?? nearest;
    const distance = match ? round(match.distance) : null;
    const unknownLabel = track.assigned || !params.cluster_unknowns ? null : (labels?.get(track.trackId) ?? null);
    const best = bestThumbnailFace(track.faces, width, height);
    const embeddings = embeddingsOf(track.faces);
    const item: ResultItem = {
      id,
      media_type: 'video',
      source: source.source,
      module: 'face_recognition',
      frame_start: track.frameStart,
      frame_end: track.frameEnd,
      time_start: frameTime(track.frameStart, fps),
      time_end: frameTime(track.frameEnd, fps),
      tc_start: timecode(track.frameStart, fps),
      tc_end: timecode(track.frameEnd, fps),
      meta: {
        person: track.assigned?.person ?? unknownLabel,
        class_id: null,
        closest_person: track.assigned ? null : (nearest?.person ?? null),
        mean_distance: distance,
        mean_similarity: distance === null ? null : round(similarityOf(distance)),
        indexed_identity: null,
        unidentified_reason: embeddings.length === 0 ? UNIDENTIFIED_TOO_POOR : null,
      },
      thumbnail: { image: best?.face.thumbnail ?? '', meta: {} },
      detections: track.faces.map((f) => ({ frame_index: f.frameIndex, type: 'face_bbox' as const, data: normaliseBox(f.face.box, width, height) })),
    };
    if (params.enable_top_k) item.meta.closest_k_persons = topK(track.ranked, params.top_k);
    const summary: TrackSummary = {
      sourceIndex: source.index,
      trackId: track.trackId,
      person: track.assigned?.person ?? null,
      unknownLabel,
      frames: track.faces.map((f) => f.frameIndex),
      frameStart: track.frameStart,
      frameEnd: track.frameEnd,
      embeddings,
      meanEmbedding: meanOf(embeddings),
      bestThumbnail: best?.face.thumbnail ?? null,
      resultId: id,
    };
    return { item, summary, x: track.faces[0]!.face.box.x };
  });

  const items = [...out]
    .sort(
      (a, b) =>
        a.item.time_start - b.item.time_start ||
        comparePersons(a.item.meta.person, b.item.meta.person) ||
        a.x - b.x ||
        a.summary.trackId - b.summary.trackId,
    )
    .map((o) => o.item);
  return { items, tracks: out.map((o) => o.summary) };
}

/**
 * `Unknown #n` labels for the unknown persons of a whole job: one entry per unit given (a video
 * track, or an image face as a unit at frame 0), null for a unit without embeddings.
 *
 * Units are clustered by complete linkage over the mean distance between their embedded faces
 * (every pair across two units), within `maxDistance`; units of one source that overlap in time
 * (two tracks on screen together, two faces of one image) are different people and never share a
 * label. Labels are numbered by first appearance: source index, then first frame, then the order
 * given.
 *
 * A unit without embeddings gets no label (its result says person null, "Unknown"): nothing says
 * whether it is someone already numbered, and numbering every unembeddable track (small, blurred,
 * profile faces, DESIGN "Faces") as a new person would invent people and shift the numbers of
 * real ones with every change of the detector. A person seen once, embedded, is a person.
 */
export function clusterUnknownTracks(units: readonly UnknownTrack[], maxDistance: number, embeddingDistance: EmbeddingDistance): (string | null)[] {
  const order = units
    .map((_, i) => i)
    .filter((i) => units[i]!.embeddings.length > 0)
    .sort((i, j) => units[i]!.sourceIndex - units[j]!.sourceIndex || units[i]!.frameStart - units[j]!.frameStart || i - j);
  const at = (k: number) => units[order[k]!]!;
  const clusters = clusterByDistance(
    order.length,
    maxDistance,
    (i, j) => meanPairDistance(at(i).embeddings, at(j).embeddings, embeddingDistance),
    (i, j) => {
      const a = at(i);
      const b = at(j);
      return a.sourceIndex === b.sourceIndex && a.frameStart <= b.frameEnd && b.frameStart <= a.frameEnd;
    },
  );
  const labels = new Array<string | null>(units.length).fill(null);
  order.forEach((unit, k) => {
    labels[unit] = `Unknown #${clusters[k]! + 1}`;
  });
  return labels;
}

function meanPairDistance(a: readonly (readonly number[])[], b: readonly (readonly number[])[], distance: EmbeddingDistance): number {
  let sum = 0;
  for (const x of a) for (const y of b) sum += distance(x, y);
  return sum / (a.length * b.length);
}

/**
 * The source's faces grouped by track id, faces in frame order (then left to right), tracks in
 * order of first appearance. A face without a track id is a track of its own (ids -1, -2, … in
 * frame order), so an untracked decoder still yields one item per face.
 */
function groupTracks(source: ObservedSource): { trackId: number; faces: TrackFace[]; frameStart: number; frameEnd: number }[] {
  const byId = new Map<number, TrackFace[]>();
  let untracked = 0;
  const frames = [...source.frames].sort((a, b) => a[0] - b[0]);
  for (const [frameIndex, faces] of frames) {
    for (const face of [...faces].sort((a, b) => a.box.x - b.box.x)) {
      const id = face.trackId ?? -++untracked;
      let list = byId.get(id);
      if (!list) byId.set(id, (list = []));
      list.push({ frameIndex, face });
    }
  }
  return [...byId]
    .map(([trackId, faces]) => ({ trackId, faces, frameStart: faces[0]!.frameIndex, frameEnd: faces[faces.length - 1]!.frameIndex }))
    .sort((a, b) => a.frameStart - b.frameStart || a.faces[0]!.face.box.x - b.faces[0]!.face.box.x || a.trackId - b.trackId);
}

/**
 * Persons by their mean distance over the track's embedded faces that have candidates, nearest
 * first (ties by name). A face whose list lacks a person counts that person at the face's farthest
 * listed distance: a lower bound (the person is at least that far), so one missing entry neither
 * drops a person nor makes it look nearer than it could be.
 */
function rankPersons(faces: readonly TrackFace[], candidates: ReadonlyMap<FaceObservation, readonly Candidate[]>): Ranked[] {
  const lists: Map<string, number>[] = [];
  const farthest: number[] = [];
  for (const { face } of faces) {
    if (!face.embedding) continue;
    const list = candidates.get(face) ?? [];
    if (list.length === 0) continue;
    const nearestOf = new Map<string, number>();
    let far = -Infinity;
    for (const c of list) {
      nearestOf.set(c.person, Math.min(c.distance, nearestOf.get(c.person) ?? Infinity));
      far = Math.max(far, c.distance);
    }
    lists.push(nearestOf);
    farthest.push(far);
  }
  const persons = new Set(lists.flatMap((l) => [...l.keys()]));
  return [...persons]
    .map((person) => ({ person, distance: lists.reduce((sum, l, i) => sum + (l.get(person) ?? farthest[i]!), 0) / lists.length }))
    .sort((a, b) => a.distance - b.distance || a.person.localeCompare(b.person, 'en'));
}

/**
 * Gives each track the nearest acceptable person, pairs (track, person) nearest first, never the
 * same person to two tracks that overlap in time.
 */
/**
 * A person on screen is one result even when the tracker lost them for a moment (fast motion
 * between samples ~0.5 s apart breaks the box overlap): consecutive tracks given the same person,
 * at most `maxGap` frames apart, are joined. Only named tracks are joined; an unknown track's
 * continuation is not known.
 */
function joinBrokenTracks(tracks: readonly Track[], maxGap: number, candidates: ReadonlyMap<FaceObservation, readonly Candidate[]>): Track[] {
  const out: Track[] = [];
  const open = new Map<string, Track>();
  for (const track of [...tracks].sort((a, b) => a.frameStart - b.frameStart)) {
    const person = track.assigned?.person;
    const previous = person ? open.get(person) : undefined;
    if (person && previous && track.frameStart > previous.frameEnd && track.frameStart - previous.frameEnd <= maxGap) {
      const faces = [...previous.faces, ...track.faces];
      const ranked = rankPersons(faces, candidates);
      Object.assign(previous, { faces, frameEnd: track.frameEnd, ranked, assigned: ranked.find((r) => r.person === person) ?? previous.assigned });
      continue;
    }
    out.push(track);
    if (person) open.set(person, track);
  }
  return out;
}

/** Longest gap (s) over which two tracks of one named person are one appearance. */
const MAX_JOIN_GAP_SECONDS = 1.5;

function assignPersons(tracks: Track[], maxDistance: number): void {
  const pairs = tracks.flatMap((track, t) => track.ranked.filter((r) => r.distance <= maxDistance).map((r) => ({ t, r })));
  pairs.sort((a, b) => a.r.distance - b.r.distance || a.t - b.t);
  const holders = new Map<string, Track[]>();
  for (const { t, r } of pairs) {
    const track = tracks[t]!;
    if (track.assigned) continue;
    const held = holders.get(r.person) ?? [];
    if (held.some((other) => other.frameStart <= track.frameEnd && track.frameStart <= other.frameEnd)) continue;
    track.assigned = r;
    held.push(track);
    holders.set(r.person, held);
  }
}

/** The face with the best quality among those with a thumbnail (the first on ties). */
function bestThumbnailFace(faces: readonly TrackFace[], width: number, height: number): TrackFace | undefined {
  let best: TrackFace | undefined;
  let bestQuality = -Infinity;
  for (const f of faces) {
    if (!f.face.thumbnail) continue;
    const q = qualityOf(f.face, width, height);
    if (q > bestQuality) [best, bestQuality] = [f, q];
  }
  return best;
}

function embeddingsOf(faces: readonly TrackFace[]): number[][] {
  return faces.flatMap((f) => (f.face.embedding ? [f.face.embedding] : []));
}

function meanOf(vectors: readonly (readonly number[])[]): number[] | null {
  const first = vectors[0];
  if (!first) return null;
  const mean = new Array<number>(first.length).fill(0);
  for (const v of vectors) for (let i = 0; i < mean.length; i++) mean[i] = mean[i]! + (v[i] ?? 0) / vectors.length;
  return mean;
}

// From a video source's person units and their gallery matches to SPEC §2 results: one item per
// continuous appearance (a face track, or tracks of one unit the tracker lost for a moment),
// its identity decided on the person unit it belongs to (person-units.ts), never per frame.
//
// A unit's identity is the gallery person nearest to the unit's template, accepted only within
// max_distance; the distance reported is the template's own distance to that person. A person is
// on screen once at a time: two units that are on screen together never get the same person;
// pairs (unit, person) are taken nearest first, so the nearer unit gets the person and the other
// falls to its runner-up or stays unknown.
//
// Unknown persons are numbered job-wide (`cluster_unknowns`), across image and video sources, by
// clusterUnknownTracks: the caller builds each video source once without labels, clusters the
// unknown units of the whole job (with the unknown image faces), then builds again with labels.
import { similarityOf } from '../../libs/engine/calibration.js';
import type { FaceRecognitionParams, ResultItem } from '../../libs/jobs/types.js';
import { frameTime, timecode } from '../../libs/media/timecode.js';
import { clusterBySparseDistance } from './cluster.js';
import type { Embedding, ObservedSource } from './observations.js';
import { showsFace, type PersonUnit, type SourceTrack, type TrackFace } from './person-units.js';
import { itemThumbnail, type ThumbnailImage } from './thumbnail-spill.js';
import { comparePersons, lazyItems, normaliseBox, resultId, round, topK, UNIDENTIFIED_TOO_POOR, type Candidate, type ResultItems } from './result-format.js';

/** What later stages (the identity index) need of a result item's appearance. */
export interface TrackSummary {
  sourceIndex: number;
  /** The decoder's id of the appearance's first track (unique within the source). */
  trackId: number;
  /** The person unit the appearance belongs to. */
  unitId: number;
  /** The accepted gallery identity, or null when the unit is unknown (whatever its cluster label). */
  person: string | null;
  /** The `Unknown #n` label the unit got (cluster_unknowns), else null. */
  unknownLabel: string | null;
  frameStart: number;
  frameEnd: number;
  /** Raw embeddings of the appearance's embedded faces as its tracks kept them (a bounded, diverse sample of each), in track order. */
  embeddings: Embedding[];
  /** Thumbnail of the appearance's best-quality face that has one (spilled to disk, perhaps: thumbnailText reads it). */
  bestThumbnail: ThumbnailImage | null;
  /** Id of the appearance's result item. */
  resultId: string;
}

/** A unit to cluster: a video person unit, or an image face (frameStart = frameEnd = 0). */
export interface UnknownTrack {
  sourceIndex: number;
  frameStart: number;
  frameEnd: number;
  /** Its embeddings (a video unit: its template); a unit without any is not clustered. */
  embeddings: readonly Embedding[];
}

/** A video source's person units and the gallery identities nearest to each unit's template. */
export interface VideoUnits {
  units: readonly PersonUnit[];
  /** By unit id: nearest identities of the unit's template, nearest first (none for a unit without one). */
  candidates: ReadonlyMap<number, readonly Candidate[]>;
}

type EmbeddingDistance = (a: ArrayLike<number>, b: ArrayLike<number>) => number;

interface Ranked {
  person: string;
  /** The template's distance to the person's nearest sample. */
  distance: number;
}

interface UnitDecision {
  unit: PersonUnit;
  /** Persons nearest first, each once. */
  ranked: Ranked[];
  assigned: Ranked | undefined;
}

/** One result item: a track, or consecutive tracks of one unit joined over a short gap. */
interface Appearance {
  unit: UnitDecision;
  tracks: SourceTrack[];
  faces: TrackFace[];
  frameStart: number;
  frameEnd: number;
}

/** Longest gap (s) over which two tracks of one person unit are one appearance. */
const MAX_JOIN_GAP_SECONDS = 1.5;

/**
 * Results of one video source (`source.info.fps` set) from its person units and their template
 * matches (`video.candidates`, k ≥ 5: enough for top-k and runners-up).
 *
 * With `cluster_unknowns`, unknown units get the label `unknownLabels` gives their unit id (from
 * clusterUnknownTracks over the whole job; a unit it leaves out has person null); without
 * `unknownLabels` the source's unknown units are clustered among themselves, which is the whole
 * job's clustering when the job has this one source.
 *
 * Items come in SPEC §2 order: by time_start, then person (named by name, then `Unknown #n`, then
 * null), then left to right; each is made when it is read (ResultItems), `persons` are their
 * `meta.person` in the same order. `tracks` lists every appearance in order of first appearance (frame,
 * then left to right), ready for the identity index.
 */
export function buildVideoResults(
  jobId: string,
  params: FaceRecognitionParams,
  source: ObservedSource,
  video: VideoUnits,
  embeddingDistance: EmbeddingDistance,
  unknownLabels?: ReadonlyMap<number, string>,
): { items: ResultItems; persons: (string | null)[]; tracks: TrackSummary[] } {
  const fps = source.info.fps;
  if (fps === undefined || !(fps > 0)) throw new RangeError(`video source ${source.index} has no frame rate`);
  const [width, height] = source.info.resolution;

  const decisions = decideUnits(video, params.max_distance);
  let labels = unknownLabels;
  if (params.cluster_unknowns && !labels) {
    const unknown = unknownUnits(source.index, decisions);
    const found = clusterUnknownTracks(unknown, params.max_distance, embeddingDistance);
    labels = new Map(unknown.flatMap((u, i) => (found[i] ? [[u.unitId, found[i]]] : [])));
  }

  // Each appearance's decision now, its item (boxes, timecodes, strings: most of a result's
  // bytes) only when the item is read: a long video's items are written one at a time.
  const out = appearances(decisions, Math.round(MAX_JOIN_GAP_SECONDS * fps)).map((a): DecidedAppearance => {
    const { unit } = a;
    const first = a.tracks[0]!;
    const unknownLabel = unit.assigned || !params.cluster_unknowns ? null : (labels?.get(unit.unit.id) ?? null);
    const summary: TrackSummary = {
      sourceIndex: source.index,
      trackId: first.trackId,
      unitId: unit.unit.id,
      person: unit.assigned?.person ?? null,
      unknownLabel,
      frameStart: a.frameStart,
      frameEnd: a.frameEnd,
      embeddings: a.tracks.flatMap((t) => t.samples),
      bestThumbnail: bestThumbnail(a.tracks),
      resultId: resultId(jobId, source.index, `track-${first.trackId}`),
    };
    return { appearance: a, summary, person: unit.assigned?.person ?? unknownLabel };
  });
  const ordered = [...out].sort(
    (a, b) =>
      frameTime(a.appearance.frameStart, fps) - frameTime(b.appearance.frameStart, fps) ||
      comparePersons(a.person, b.person) ||
      a.appearance.faces[0]!.face.box.x - b.appearance.faces[0]!.face.box.x ||
      a.summary.trackId - b.summary.trackId,
  );
  const makeItem = ({ appearance: a, summary, person }: DecidedAppearance): ResultItem => {
    const { unit } = a;
    const nearest = unit.ranked[0];
    const match = unit.assigned ?? nearest;
    const distance = match ? round(match.distance) : null;
    const item: ResultItem = {
      id: summary.resultId,
      media_type: 'video',
      source: source.source,
      module: 'face_recognition',
      frame_start: a.frameStart,
      frame_end: a.frameEnd,
      time_start: frameTime(a.frameStart, fps),
      time_end: frameTime(a.frameEnd, fps),
      tc_start: timecode(a.frameStart, fps),
      tc_end: timecode(a.frameEnd, fps),
      meta: {
        person,
        class_id: null,
        closest_person: unit.assigned ? null : (nearest?.person ?? null),
        mean_distance: distance,
        mean_similarity: distance === null ? null : round(similarityOf(distance)),
        indexed_identity: null,
        // A track with no embedded face of its own takes its unit's decision; alone it has none.
        unidentified_reason: unit.unit.template === null ? UNIDENTIFIED_TOO_POOR : null,
      },
      thumbnail: itemThumbnail(summary.bestThumbnail),
      detections: a.faces.map((f) => ({ frame_index: f.frameIndex, type: 'face_bbox' as const, data: normaliseBox(f.face.box, width, height) })),
    };
    if (params.enable_top_k) item.meta.closest_k_persons = topK(unit.ranked, params.top_k);
    return item;
  };
  return { items: lazyItems(ordered, makeItem), persons: ordered.map((o) => o.person), tracks: out.map((o) => o.summary) };
}

/** An appearance decided: what its result item is made from when it is read. */
interface DecidedAppearance {
  appearance: Appearance;
  summary: TrackSummary;
  /** The item's `meta.person`. */
  person: string | null;
}

/**
 * The unknown units of a source as clusterUnknownTracks takes them (a unit without a template
 * left out: nothing says who it is), each with its unit id.
 */
export function unknownVideoUnits(source: ObservedSource, video: VideoUnits, maxDistance: number): (UnknownTrack & { unitId: number })[] {
  return unknownUnits(source.index, decideUnits(video, maxDistance));
}

function unknownUnits(sourceIndex: number, decisions: readonly UnitDecision[]): (UnknownTrack & { unitId: number })[] {
  return decisions
    .filter((d) => !d.assigned && d.unit.template)
    .map((d) => ({ sourceIndex, unitId: d.unit.id, frameStart: d.unit.frameStart, frameEnd: d.unit.frameEnd, embeddings: [d.unit.template!] }));
}

/**
 * `Unknown #n` labels for the unknown persons of a whole job: one entry per unit given (a video
 * person unit, or an image face as a unit at frame 0), null for a unit without embeddings.
 *
 * Units are clustered by complete linkage over the mean distance between their embeddings
 * (every pair across two units), within `maxDistance`. Two units of one source are never one
 * person: faces of one image are different people, and a video's units were already linked as
 * far as its tracks allow (person-units.ts). Labels are numbered by first appearance: source
 * index, then first frame, then the order given.
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
  // Only pairs across sources may link: the pairs of a long video's units (thousands, each against
  // each) are never computed nor held.
  const edges: [number, number, number][] = [];
  let nextSource = 0; // the first unit (in `order`, sorted by source) of the source after i's
  for (let i = 0; i < order.length; i++) {
    while (nextSource < order.length && at(nextSource).sourceIndex === at(i).sourceIndex) nextSource++;
    for (let j = Math.max(i + 1, nextSource); j < order.length; j++) {
      const d = meanPairDistance(at(i).embeddings, at(j).embeddings, embeddingDistance);
      if (d <= maxDistance) edges.push([i, j, d]);
    }
  }
  const clusters = clusterBySparseDistance(order.length, edges, maxDistance);
  const labels = new Array<string | null>(units.length).fill(null);
  order.forEach((unit, k) => {
    labels[unit] = `Unknown #${clusters[k]! + 1}`;
  });
  return labels;
}

function meanPairDistance(a: readonly Embedding[], b: readonly Embedding[], distance: EmbeddingDistance): number {
  let sum = 0;
  for (const x of a) for (const y of b) sum += distance(x, y);
  return sum / (a.length * b.length);
}

/**
 * Each unit's persons nearest first (a name in two galleries once, at its nearest), then the
 * nearest acceptable person of each unit, pairs (unit, person) nearest first, never the same
 * person to two units on screen at the same time.
 */
function decideUnits(video: VideoUnits, maxDistance: number): UnitDecision[] {
  const decisions = video.units.map((unit): UnitDecision => ({ unit, ranked: rankPersons(video.candidates.get(unit.id) ?? []), assigned: undefined }));
  // A unit seen only in profile or blurred is not named: at the size of the `celebrities` gallery
  // someone is always close to such faces (models/README.md); it stays unknown, its closest person reported.
  const pairs = decisions.flatMap((d, u) => (showsFace(...d.unit.tracks) ? d.ranked.filter((r) => r.distance <= maxDistance).map((r) => ({ u, r })) : []));
  pairs.sort((a, b) => a.r.distance - b.r.distance || a.u - b.u);
  const holders = new Map<string, UnitDecision[]>();
  for (const { u, r } of pairs) {
    const d = decisions[u]!;
    if (d.assigned) continue;
    const held = holders.get(r.person) ?? [];
    if (held.some((other) => onScreenTogether(other.unit, d.unit))) continue;
    d.assigned = r;
    held.push(d);
    holders.set(r.person, held);
  }
  return decisions;
}

function rankPersons(candidates: readonly Candidate[]): Ranked[] {
  const nearest = new Map<string, number>();
  for (const c of candidates) nearest.set(c.person, Math.min(c.distance, nearest.get(c.person) ?? Infinity));
  return [...nearest].map(([person, distance]) => ({ person, distance })).sort((a, b) => a.distance - b.distance || a.person.localeCompare(b.person, 'en'));
}

function onScreenTogether(a: PersonUnit, b: PersonUnit): boolean {
  return a.tracks.some((x) => b.tracks.some((y) => x.frameStart <= y.frameEnd && y.frameStart <= x.frameEnd));
}

/**
 * The result items: each track, except that consecutive tracks of one person at most `maxGap`
 * frames apart are one appearance (the tracker lost the face for a moment: fast motion between
 * samples ~0.5 s apart breaks the box overlap). One person is a named person, whichever units
 * carry the name (a person's units are never on screen together), or else one unit; a joined
 * appearance reports the decision of its unit nearest to the person. Tracks of a unit without a
 * template are never joined: such a unit is a single track.
 */
function appearances(decisions: readonly UnitDecision[], maxGap: number): Appearance[] {
  const byPerson = new Map<string, { track: SourceTrack; unit: UnitDecision }[]>();
  for (const unit of decisions) {
    const key = unit.assigned ? `person:${unit.assigned.person}` : `unit:${unit.unit.id}`;
    const list = byPerson.get(key) ?? [];
    for (const track of unit.unit.tracks) list.push({ track, unit });
    byPerson.set(key, list);
  }
  const out: Appearance[] = [];
  for (const list of byPerson.values()) {
    let open: Appearance | undefined;
    for (const { track, unit } of list.sort((a, b) => a.track.frameStart - b.track.frameStart || a.track.trackId - b.track.trackId)) {
      if (open && track.frameStart > open.frameEnd && track.frameStart - open.frameEnd <= maxGap) {
        open.tracks.push(track);
        open.faces.push(...track.faces);
        open.frameEnd = track.frameEnd;
        if (unit.assigned && open.unit.assigned && unit.assigned.distance < open.unit.assigned.distance) open.unit = unit;
        continue;
      }
      open = { unit, tracks: [track], faces: [...track.faces], frameStart: track.frameStart, frameEnd: track.frameEnd };
      out.push(open);
    }
  }
  return out.sort((a, b) => a.frameStart - b.frameStart || a.faces[0]!.face.box.x - b.faces[0]!.face.box.x || a.tracks[0]!.trackId - b.tracks[0]!.trackId);
}

/** The best of the tracks' thumbnails (the first on ties: tracks in frame order). */
function bestThumbnail(tracks: readonly SourceTrack[]): ThumbnailImage | null {
  let best: SourceTrack['thumbnail'] = null;
  for (const t of tracks) if (t.thumbnail && (!best || t.thumbnail.quality > best.quality)) best = t.thumbnail;
  return best?.image ?? null;
}

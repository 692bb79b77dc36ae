// Person units of a video source (DESIGN "Faces"): the tracks of one person, linked across shot
// cuts, occlusions, pose changes and detector gaps, so that a person's identity is decided once on
// everything the video shows of them rather than on each track's few faces.
//
// A track's template is the quality-weighted mean of its embedded faces' unit vectors,
// re-normalised (the template protocol of IJB-B/C); a unit's template is the same mean over all
// of its tracks' embedded faces. Tracks are linked by complete linkage over their templates: two
// groups join only when every pair of tracks across them is within the bar, so a chain of
// look-alikes never joins two people. Tracks on screen at the same time are different people and
// never join. The bar is stricter across a shot cut (a new shot may show anyone) than within a
// shot (the tracker lost a face that is still there). Tracks with no embedded face (small,
// blurred, profile) join the unit whose track they continue: same shot, a short gap, the face
// where the other left off.
import type { FaceObservation } from '../../libs/jobs/types.js';
import { clusterByDistance, clusterBySparseDistance } from './cluster.js';
import { MAX_EMBEDDINGS_PER_PERSON } from './identity-index.js';
import type { ObservedSource } from './observations.js';
import { TemplateSums, templateWeight, TrackFold, type SourceTrack, type TrackFace } from './track-fold.js';

export { SHOWS_FACE_LANDMARK_SCORE, type SourceTrack, type TrackFace } from './track-fold.js';

type EmbeddingDistance = (a: ArrayLike<number>, b: ArrayLike<number>) => number;

export interface PersonUnit {
  /** 0-based, in order of first appearance. */
  id: number;
  /** In order of first appearance. */
  tracks: SourceTrack[];
  /** Over every embedded face of the unit; null when the unit has none (a lone unembeddable track). */
  template: Float32Array | null;
  frameStart: number;
  frameEnd: number;
}

export interface UnitLinking {
  /** Largest template distance at which two tracks of one shot are one person. */
  withinShot: number;
  /** The same across a shot cut. */
  acrossCuts: number;
  /** Longest gap (s) over which a track without embeddings continues another. */
  continueSeconds: number;
}

/** Measured on the shared clips (models/README.md, "Video: templates and person units"). */
export const UNIT_LINKING: UnitLinking = { withinShot: 0.9, acrossCuts: 0.85, continueSeconds: 1.5 };

/**
 * The source's tracks in order of first appearance: folded as the aggregator read them
 * (collectObservations), or else folded now from its frames.
 */
export function sourceTracks(source: ObservedSource): SourceTrack[] {
  if (source.tracks) return source.tracks;
  const [width, height] = source.info.resolution;
  const fold = new TrackFold({ width, height, fps: source.info.fps ?? 1, samplesPerTrack: MAX_EMBEDDINGS_PER_PERSON });
  for (const cut of source.cuts ?? []) fold.cut(cut);
  for (const [frameIndex, faces] of [...source.frames].sort((a, b) => a[0] - b[0])) fold.add(frameIndex, faces);
  return fold.finish();
}

/**
 * Quality-weighted mean of the unit vectors of the faces' embeddings, re-normalised; null when no
 * face has one. The weight is the tracker's quality (size, detector and landmark confidence, how
 * much of the face is in the frame), at least a small floor so that a face embedded at all counts
 * (track-fold.ts keeps the same sums face by face).
 */
export function templateOf(faces: readonly TrackFace[], width: number, height: number): Float32Array | null {
  const sums = new TemplateSums();
  for (const { face } of faces) if (face.embedding) sums.add(face.embedding, templateWeight(face, width, height));
  return sums.template();
}

/**
 * The person units of a source's tracks (from sourceTracks), in order of first appearance.
 * `distance` is the contract distance between two embeddings (or templates).
 */
export function personUnits(
  tracks: readonly SourceTrack[],
  video: { fps: number; width: number; height: number },
  distance: EmbeddingDistance,
  linking: UnitLinking = UNIT_LINKING,
  blockTracks = LINK_BLOCK_TRACKS,
): PersonUnit[] {
  const { fps } = video;
  const embedded = tracks.filter((t) => t.template);
  const members = linkTracks(embedded, distance, linking, blockTracks);

  // A track without embeddings continues the unit whose track it follows or precedes most closely.
  const maxGap = linking.continueSeconds * fps;
  const unitOf = new Map<SourceTrack, number>();
  members.forEach((m, u) => m.forEach((t) => unitOf.set(t, u)));
  const byShot = new Map<number, SourceTrack[]>();
  for (const t of embedded) {
    const inShot = byShot.get(t.shot);
    if (inShot) inShot.push(t);
    else byShot.set(t.shot, [t]);
  }
  const lone: SourceTrack[][] = [];
  for (const t of tracks) {
    if (t.template) continue;
    let best: { unit: number; gap: number } | undefined;
    for (const other of byShot.get(t.shot) ?? []) {
      const unit = unitOf.get(other)!;
      const gap = t.frameStart > other.frameEnd ? t.frameStart - other.frameEnd : other.frameStart > t.frameEnd ? other.frameStart - t.frameEnd : -1;
      if (gap <= 0 || gap > maxGap || (best && best.gap <= gap)) continue;
      const [from, to] = t.frameStart > other.frameEnd ? [other.faces[other.faces.length - 1]!.face.box, t.faces[0]!.face.box] : [t.faces[t.faces.length - 1]!.face.box, other.faces[0]!.face.box];
      if (!continues(from, to)) continue;
      if (members[unit]!.some((m) => overlap(m, t))) continue;
      best = { unit, gap };
    }
    if (best) members[best.unit]!.push(t);
    else lone.push([t]);
  }

  return [...members, ...lone]
    .map((m) => m.sort((a, b) => a.frameStart - b.frameStart || a.trackId - b.trackId))
    .sort((a, b) => a[0]!.frameStart - b[0]!.frameStart || a[0]!.trackId - b[0]!.trackId)
    .map((m, id) => ({
      id,
      tracks: m,
      template: unitTemplate(m),
      frameStart: Math.min(...m.map((t) => t.frameStart)),
      frameEnd: Math.max(...m.map((t) => t.frameEnd)),
    }));
}

/** Whether two tracks are on screen at the same time (then they are two people). */
function overlap(a: SourceTrack, b: SourceTrack): boolean {
  return a.frameStart <= b.frameEnd && b.frameStart <= a.frameEnd;
}

/** Tracks with a template linked in one complete-linkage pass at most (its distances: 4.5 MB). */
export const LINK_BLOCK_TRACKS = 1500;

/**
 * Groups of the tracks (all with a template, in order of first appearance) that are one person:
 * complete linkage over their template distances, each scaled by the bar of its pair (within a
 * shot, across a cut) so that one pass applies both; tracks on screen together never link, nor,
 * across a cut, tracks of which one never shows a face (profile and blurred faces embed close
 * together whoever they are).
 *
 * Up to `blockTracks` tracks this is one pass over every pair. A long video's tracks (a two-hour
 * film has thousands: their pairs would take hundreds of MB) are first linked in blocks of about
 * `blockTracks` that end at a shot cut, then the blocks' groups across blocks, by the same complete
 * linkage over the pairs of tracks (distance: the farthest pair) — only pairs that may link are
 * kept, so memory follows the close pairs, not the square of the tracks. Across blocks every pair
 * is across a cut, so only groups whose tracks all show a face can link there.
 */
function linkTracks(embedded: readonly SourceTrack[], distance: EmbeddingDistance, linking: UnitLinking, blockTracks: number): SourceTrack[][] {
  const scaled = (a: SourceTrack, b: SourceTrack) => distance(a.template!, b.template!) / (a.shot === b.shot ? linking.withinShot : linking.acrossCuts);
  const cannotLink = (a: SourceTrack, b: SourceTrack) => overlap(a, b) || (a.shot !== b.shot && !(a.showsFace && b.showsFace));

  const blocks: SourceTrack[][] = [[]];
  for (const t of embedded) {
    const block = blocks[blocks.length - 1]!;
    if (block.length >= blockTracks && t.shot !== block[block.length - 1]!.shot) blocks.push([t]);
    else block.push(t);
  }
  // One triangle of pair distances for every block (a block's would be garbage after it: 4.5 MB each).
  const largest = Math.max(...blocks.map((b) => b.length));
  const triangle = new Float32Array((largest * (largest - 1)) / 2);
  const groups = blocks.flatMap((block, b) => {
    const clusterOf = clusterByDistance(block.length, 1, (i, j) => scaled(block[i]!, block[j]!), (i, j) => cannotLink(block[i]!, block[j]!), triangle);
    const out: { tracks: SourceTrack[]; block: number }[] = [];
    block.forEach((t, i) => (out[clusterOf[i]!] ??= { tracks: [], block: b }).tracks.push(t));
    return out;
  });
  if (blocks.length === 1) return groups.map((g) => g.tracks);

  // Across blocks: the farthest pair of tracks between two groups, computed only while every pair
  // is within the bar (most pairs of groups are two people: their first pair ends it).
  const candidates = groups.filter((g) => g.tracks.every((t) => t.showsFace));
  const edges: [number, number, number][] = [];
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      if (candidates[i]!.block === candidates[j]!.block) continue; // within a block: already decided
      let farthest = 0;
      pairs: for (const a of candidates[i]!.tracks) {
        for (const b of candidates[j]!.tracks) {
          farthest = Math.max(farthest, cannotLink(a, b) ? Infinity : scaled(a, b));
          if (farthest > 1) break pairs;
        }
      }
      if (farthest <= 1) edges.push([i, j, farthest]);
    }
  }
  const clusterOf = clusterBySparseDistance(candidates.length, edges, 1);
  const linked: SourceTrack[][] = [];
  candidates.forEach((g, i) => (linked[clusterOf[i]!] ??= []).push(...g.tracks));
  return [...linked, ...groups.filter((g) => !g.tracks.every((t) => t.showsFace)).map((g) => g.tracks)];
}

/**
 * Whether any embedded face of the tracks is at least somewhat frontal and sharp (its landmark
 * score above the floor that a profile or a blurred face gets). On profile and blurred faces the
 * recogniser puts different people close together: such tracks are neither linked across cuts
 * nor, alone, named (video-results.ts).
 */
export function showsFace(...tracks: readonly SourceTrack[]): boolean {
  return tracks.some((t) => t.showsFace);
}

/** The unit's template over all of its tracks' embedded faces (a single track's is its own). */
function unitTemplate(tracks: readonly SourceTrack[]): Float32Array | null {
  const withTemplate = tracks.filter((t) => t.template);
  if (withTemplate.length <= 1) return withTemplate[0]?.template ?? null;
  const pooled = new TemplateSums();
  for (const t of withTemplate) pooled.addTemplate(t.template!, t.pooling!);
  return pooled.template();
}

/** Whether a face at `to` plausibly continues one last seen at `from`: near it, of a similar size. */
function continues(from: FaceObservation['box'], to: FaceObservation['box']): boolean {
  const side = Math.max(from.w, from.h, to.w, to.h);
  const dx = from.x + from.w / 2 - (to.x + to.w / 2);
  const dy = from.y + from.h / 2 - (to.y + to.h / 2);
  const ratio = Math.max(from.w, to.w) / Math.max(1e-9, Math.min(from.w, to.w));
  return Math.hypot(dx, dy) <= side && ratio <= 2;
}

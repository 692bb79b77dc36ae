// A video source's tracks, folded face by face as the aggregator reads the observations.
//
// What the results need of each face stays (its frame, box and scores: the items' detections);
// the rest is folded into its track at once: the embedding into the track's template sums (and,
// when the identity index wants them, a bounded sample spread over the track), the thumbnail into
// the track's best one (to a spill file, where one is given), the points into the weights they
// set. So a job's memory grows with its faces' boxes (which the results list anyway) and its
// number of tracks, never with the embeddings of a long video (2 kB per embedded face, ~30,000
// of them in a two-hour film) nor its thumbnails.
import type { FaceObservation } from '../../libs/jobs/types.js';
import { qualityOf } from '../../libs/tracking/face-tracker.js';
import { mostDiverse } from './identity-index.js';
import type { Embedding, HeldFace } from './observations.js';
import type { ThumbnailImage, ThumbnailSpill } from './thumbnail-spill.js';

export interface TrackFace {
  frameIndex: number;
  /** Box and scores; its embedding, points and thumbnail are folded into the track (null, none, null). */
  face: HeldFace;
}

export interface SourceTrack {
  trackId: number;
  /** In frame order. */
  faces: TrackFace[];
  frameStart: number;
  frameEnd: number;
  /** Shots begun before the track's first face (0: the first shot). */
  shot: number;
  /** Quality-weighted mean of the embedded faces' unit vectors, re-normalised; null when none was embedded (and once its unit pooled it, job-results.ts). */
  template: Float32Array | null;
  /** What pooling `template` with other tracks' (a person unit's template) needs; null with it. */
  pooling: TemplatePooling | null;
  /** Some embedded face is at least somewhat frontal and sharp (landmark score ≥ SHOWS_FACE_LANDMARK_SCORE). */
  showsFace: boolean;
  /** Embedded faces' vectors as sent, at most the fold's `samplesPerTrack`, spread over the track's looks; in frame order. */
  samples: Embedding[];
  /** The thumbnail of the track's best face that had one (the best quality, the earliest on ties), and that quality. */
  thumbnail: { image: ThumbnailImage; quality: number } | null;
}

/** Landmark score from which a face counts as showing the face (0.5: profile or blurred; 1: frontal and sharp). */
export const SHOWS_FACE_LANDMARK_SCORE = 0.6;

/** The points of every folded face (shared: they weighed in when the face was read). */
const NO_POINTS: HeldFace['landmarks'] = Object.freeze([]) as unknown as HeldFace['landmarks'];

/** Least weight of an embedded face in a template: a face embedded at all counts. */
const MIN_WEIGHT = 0.05;

/**
 * What pooling a track's template with other tracks' needs besides the template itself: the sums
 * of its faces' weights and weighted lengths, and the length of its weighted sum of unit vectors
 * (the template is that sum scaled by length / weights / sumNorm, so the sum can be had back).
 */
export interface TemplatePooling {
  weights: number;
  length: number;
  sumNorm: number;
}

/**
 * Running sums of a quality-weighted mean of unit vectors: Σ wᵢ·vᵢ/|vᵢ|, Σ wᵢ·|vᵢ| and Σ wᵢ. The
 * template is the first re-normalised to the faces' mean length (1 for unit-length embedders;
 * dlib's vectors carry information in their length, so its calibrated distances still apply).
 * Sums of several tracks add up to the sums of all their faces: a unit's template is theirs.
 */
export class TemplateSums {
  private sum: Float64Array | null = null;
  private length = 0;
  private weights = 0;

  add(vector: ArrayLike<number>, weight: number): void {
    const sum = (this.sum ??= new Float64Array(vector.length));
    const n = norm(vector) || 1;
    for (let i = 0; i < sum.length; i++) sum[i]! += (weight * vector[i]!) / n;
    this.length += weight * n;
    this.weights += weight;
  }

  /** Adds the sums behind another template (a track's, with its pooling figures). */
  addTemplate(template: ArrayLike<number>, pooling: TemplatePooling): void {
    const sum = (this.sum ??= new Float64Array(template.length));
    const back = (pooling.weights * pooling.sumNorm) / pooling.length;
    for (let i = 0; i < sum.length; i++) sum[i]! += template[i]! * back;
    this.length += pooling.length;
    this.weights += pooling.weights;
  }

  template(): Float32Array | null {
    if (!this.sum) return null;
    const scale = this.length / this.weights / (norm(this.sum) || 1);
    // A loop, not Float32Array.from(sum, map): that boxes every value on its way (8 kB per template).
    const out = new Float32Array(this.sum.length);
    for (let i = 0; i < out.length; i++) out[i] = this.sum[i]! * scale;
    return out;
  }

  pooling(): TemplatePooling | null {
    return this.sum ? { weights: this.weights, length: this.length, sumNorm: norm(this.sum) || 1 } : null;
  }
}

/** The weight of a face in its track's template: the tracker's quality, at least a small floor. */
export function templateWeight(face: Omit<FaceObservation, 'embedding'>, width: number, height: number): number {
  return weightOfQuality(qualityOf(face, width, height));
}

function weightOfQuality(quality: number): number {
  return Math.max(MIN_WEIGHT, quality);
}

interface OpenTrack {
  track: SourceTrack;
  /** While faces may still come (the template and its pooling are set when it goes idle, and at the end). */
  sums: TemplateSums | null;
  /** Embedded faces' vectors, one every `stride`, from which the most diverse `samplesPerTrack` are chosen at the end. */
  pool: Embedding[];
  stride: number;
  /** Embedded faces so far. */
  seen: number;
}

export interface TrackFoldOptions {
  width: number;
  height: number;
  fps: number;
  /** Embeddings kept per track for the identity index (0: none). */
  samplesPerTrack: number;
  /** Where thumbnails go as they arrive; without one they are held in memory. */
  spill?: ThumbnailSpill;
}

/** Seconds without a face after which a track's sums become its template (the tracker ended it long before). */
const IDLE_SECONDS = 10;

/**
 * Folds a video source's faces, frame after frame (in ascending order, as the decoder tracks and
 * sends them), into its tracks. A face without a track id is a track of its own (ids -1, -2, … in
 * frame order, then left to right), so an untracked decoder still yields one item per face.
 */
export class TrackFold {
  private readonly tracks = new Map<number, OpenTrack>();
  /** Tracks seen within IDLE_SECONDS, by the last frame they were seen in. */
  private readonly recent = new Map<number, number>();
  private readonly cuts: number[] = [];
  private untracked = 0;

  constructor(private readonly options: TrackFoldOptions) {}

  /** A sampled frame that begins a new shot (tracks end there). */
  cut(frameIndex: number): void {
    this.cuts.push(frameIndex);
  }

  /** The faces of one frame. */
  add(frameIndex: number, faces: readonly (FaceObservation | HeldFace)[]): void {
    const { width, height } = this.options;
    for (const observed of [...faces].sort((a, b) => a.box.x - b.box.x)) {
      const id = observed.trackId ?? -++this.untracked;
      let open = this.tracks.get(id);
      if (!open) {
        const track: SourceTrack = { trackId: id, faces: [], frameStart: frameIndex, frameEnd: frameIndex, shot: 0, template: null, pooling: null, showsFace: false, samples: [], thumbnail: null };
        this.tracks.set(id, (open = { track, sums: new TemplateSums(), pool: [], stride: 1, seen: 0 }));
      }
      const { track } = open;
      const face: HeldFace = { box: observed.box, score: observed.score, landmarkScore: observed.landmarkScore, landmarks: NO_POINTS, embedding: null, thumbnail: null, trackId: observed.trackId };
      const vector = observed.embedding;
      // Weighed once (it maps the chip through the points): the template weight and the thumbnail's pick.
      const quality = vector || observed.thumbnail ? qualityOf(observed, width, height) : 0;
      if (vector) {
        // Summed as it came (float32 values either way): a copy per face would be garbage at once.
        if (!open.sums) {
          // A face after the track went idle (the decoder's tracker never does that): its sums back.
          open.sums = new TemplateSums();
          if (track.template) open.sums.addTemplate(track.template, track.pooling!);
        }
        // The points weigh in here (how much of the face's chip is in the frame), then go.
        open.sums.add(vector, weightOfQuality(quality));
        if (face.landmarkScore >= SHOWS_FACE_LANDMARK_SCORE) track.showsFace = true;
        if (this.options.samplesPerTrack > 0 && open.seen++ % open.stride === 0) {
          open.pool.push(Float32Array.from(vector));
          // Spread evenly over the track: at twice the kept number, every other one goes and the
          // stride doubles. The most diverse of them are chosen at the end.
          if (open.pool.length >= 2 * this.options.samplesPerTrack) {
            open.pool = open.pool.filter((_, i) => i % 2 === 0);
            open.stride *= 2;
          }
        }
      }
      if (observed.thumbnail) {
        // The best quality, the earliest on ties (as the results' thumbnail is picked).
        if (!track.thumbnail || quality > track.thumbnail.quality) track.thumbnail = { image: this.options.spill?.put(observed.thumbnail) ?? observed.thumbnail, quality };
      }
      track.faces.push({ frameIndex, face });
      track.frameStart = Math.min(track.frameStart, frameIndex);
      track.frameEnd = Math.max(track.frameEnd, frameIndex);
      this.recent.set(id, frameIndex);
    }
    const idleBefore = frameIndex - IDLE_SECONDS * this.options.fps;
    for (const [id, last] of this.recent) {
      if (last >= idleBefore) continue;
      settle(this.tracks.get(id)!);
      this.recent.delete(id);
    }
  }

  /** The tracks, in order of first appearance (frame, then left to right, then id). */
  finish(): SourceTrack[] {
    const cuts = [...this.cuts].sort((a, b) => a - b);
    const out: SourceTrack[] = [];
    for (const open of this.tracks.values()) {
      const { track } = open;
      settle(open);
      track.faces.sort((a, b) => a.frameIndex - b.frameIndex);
      track.shot = countAtMost(cuts, track.frameStart);
      track.samples = mostDiverse(open.pool, this.options.samplesPerTrack);
      out.push(track);
    }
    return out.sort((a, b) => a.frameStart - b.frameStart || a.faces[0]!.face.box.x - b.faces[0]!.face.box.x || a.trackId - b.trackId);
  }
}

/** How many of the ascending `values` are ≤ `limit` (a binary search: a film has thousands of cuts and tracks). */
function countAtMost(values: readonly number[], limit: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The track's template and pooling from its sums (4 kB of 64-bit sums become a 2 kB template). */
function settle(open: OpenTrack): void {
  if (!open.sums) return;
  open.track.template = open.sums.template();
  open.track.pooling = open.sums.pooling();
  open.sums = null;
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

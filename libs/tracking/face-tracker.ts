// Online face tracking on the sampled frames of a video, and the choice of which tracked faces
// are worth embedding.
//
// FaceTracker links the faces of each sampled frame to the tracks of the previous ones: every
// track predicts where its face is now (constant velocity from its last two observations,
// damped), detections are matched to predictions by IoU, best pairs first, behind a gate (IoU and
// box-area ratio), and a track lives on through a few samples without a detection (a missed
// detection, a face turned away for an instant) before it ends. A track is one person on screen
// without interruption: an ambiguous link starts a new track rather than risk joining two people,
// since fragments of one person are rejoined later by identity, while a swap cannot be undone.
//
// EmbedSelector decides, face by face as they come, which ones the decoder embeds: a few of the
// best faces of each track, plus an occasional refresh on long tracks.
import { ARCFACE_CHIP_SIZE, ARCFACE_TEMPLATE } from '../engine/alignment.js';
import { area, clipBox, iou, type Box } from '../geometry/box.js';
import { applySimilarity, estimateSimilarity, invertSimilarity, type Point } from '../geometry/similarity.js';

/** What the tracker needs of a detected face (pixel box of the source frame). */
export interface TrackerFace {
  box: Box;
  score: number;
  landmarkScore: number;
  /**
   * The five points in ArcFace order (eyes, nose tip, mouth corners), when known: then the share
   * of the aligned chip inside the frame measures how much of the face is cut off (a detector's box
   * is clipped to the frame, so it cannot tell).
   */
  landmarks?: readonly (readonly [number, number])[];
}

export interface FaceTrackerOptions {
  /** Sampled frames a track survives without a detection; one more and it ends. Default 2. */
  maxMissed?: number;
  /** Least IoU between a track's predicted box and a detection to link them. Default 0.3. */
  minIou?: number;
  /**
   * Least and most ratio of a detection's box area to the track's last box area. Default
   * [0.5, 2]. (On area: on the side, the IoU gate alone already implies a ratio within 0.55–1.8.)
   */
  areaRatio?: readonly [number, number];
  /** Fraction of the constant-velocity motion the prediction applies (0: none, 1: all). Default 0.75. */
  damping?: number;
}

interface Track {
  id: number;
  /** Last observed box, and the frame it was seen in. */
  box: Box;
  frame: number;
  /** The observation before it (none for a track seen once). */
  prevBox: Box | null;
  prevFrame: number;
  /** Consecutive sampled frames without a detection. */
  missed: number;
}

export class FaceTracker {
  private readonly maxMissed: number;
  private readonly minIou: number;
  private readonly areaRatio: readonly [number, number];
  private readonly damping: number;
  private tracks: Track[] = [];
  private ended: number[] = [];
  private nextId = 1;
  private lastFrame = -Infinity;

  constructor(options: FaceTrackerOptions = {}) {
    this.maxMissed = options.maxMissed ?? 2;
    this.minIou = options.minIou ?? 0.3;
    this.areaRatio = options.areaRatio ?? [0.5, 2];
    this.damping = options.damping ?? 0.75;
  }

  /**
   * Links the faces of the sampled frame `frameIndex` (strictly after the previous call's) to the
   * tracks, and returns the track id of each face, in the order given. Ids start at 1 and are never
   * reused by this tracker.
   */
  update(frameIndex: number, faces: readonly TrackerFace[]): number[] {
    if (!(frameIndex > this.lastFrame)) throw new RangeError(`frames must come in increasing order: ${frameIndex} after ${this.lastFrame}`);
    this.lastFrame = frameIndex;

    // Every gated (track, face) pair, best IoU first; ties go to the track seen most recently,
    // then the oldest track, then the first face.
    const pairs: { t: number; f: number; overlap: number }[] = [];
    this.tracks.forEach((track, t) => {
      const predicted = this.predict(track, frameIndex);
      const trackArea = area(track.box);
      faces.forEach((face, f) => {
        const ratio = trackArea > 0 ? area(face.box) / trackArea : Infinity;
        if (ratio < this.areaRatio[0] || ratio > this.areaRatio[1]) return;
        const overlap = iou(predicted, face.box);
        if (overlap >= this.minIou) pairs.push({ t, f, overlap });
      });
    });
    pairs.sort((a, b) => b.overlap - a.overlap || this.tracks[a.t]!.missed - this.tracks[b.t]!.missed || a.t - b.t || a.f - b.f);

    const ids = new Array<number>(faces.length).fill(0);
    const linked = new Set<number>();
    for (const { t, f } of pairs) {
      if (linked.has(t) || ids[f] !== 0) continue;
      const track = this.tracks[t]!;
      ids[f] = track.id;
      linked.add(t);
      track.prevBox = track.box;
      track.prevFrame = track.frame;
      track.box = { ...faces[f]!.box };
      track.frame = frameIndex;
      track.missed = 0;
    }

    const surviving: Track[] = [];
    this.tracks.forEach((track, t) => {
      if (!linked.has(t) && ++track.missed > this.maxMissed) this.ended.push(track.id);
      else surviving.push(track);
    });
    faces.forEach((face, f) => {
      if (ids[f] !== 0) return;
      const track: Track = { id: this.nextId++, box: { ...face.box }, frame: frameIndex, prevBox: null, prevFrame: frameIndex, missed: 0 };
      ids[f] = track.id;
      surviving.push(track);
    });
    this.tracks = surviving;
    return ids;
  }

  /** Ids of the tracks still alive (seen within the last maxMissed samples), oldest first. */
  activeTrackIds(): number[] {
    return this.tracks.map((t) => t.id).sort((a, b) => a - b);
  }

  /** Ends every track (a shot change: nobody on screen before is where they were). */
  endAll(): void {
    this.ended.push(...this.tracks.map((t) => t.id));
    this.tracks = [];
  }

  /** Ids of the tracks that ended since the previous call (e.g. to let an EmbedSelector forget them). */
  takeEnded(): number[] {
    const ended = this.ended;
    this.ended = [];
    return ended;
  }

  /**
   * Where the track's face should be at `frameIndex`: its last box moved by the damped velocity of
   * its centre over its last two observations (size kept), the move capped at one box size per
   * axis so a jittery pair of boxes cannot fling the prediction away.
   */
  private predict(track: Track, frameIndex: number): Box {
    const { box, prevBox } = track;
    if (!prevBox || track.frame <= track.prevFrame) return box;
    const span = track.frame - track.prevFrame;
    const elapsed = frameIndex - track.frame;
    const vx = (box.x + box.w / 2 - (prevBox.x + prevBox.w / 2)) / span;
    const vy = (box.y + box.h / 2 - (prevBox.y + prevBox.h / 2)) / span;
    const cap = (v: number, limit: number) => Math.max(-limit, Math.min(limit, v));
    return {
      x: box.x + cap(vx * elapsed * this.damping, box.w),
      y: box.y + cap(vy * elapsed * this.damping, box.h),
      w: box.w,
      h: box.h,
    };
  }
}

/** Face side (px) at and above which size no longer adds to quality: the embedders' input size. */
const FULL_QUALITY_SIDE = 112;

/**
 * How worth embedding (and showing as thumbnail) a face is, 0..1: the product of its landmark
 * score (low for profiles and blur), its size (side √(w·h) over 112 px, saturating at 1), its
 * detector score, and the fraction of it inside the frame (its aligned chip's, when its points are
 * known; else its box's): a face cut by the frame edge aligns badly.
 */
export function qualityOf(face: TrackerFace, frameWidth: number, frameHeight: number): number {
  const full = area(face.box);
  if (!(full > 0)) return 0;
  const inside = Math.min(area(clipBox(face.box, frameWidth, frameHeight)) / full, chipInside(face.landmarks, frameWidth, frameHeight));
  const size = Math.min(1, Math.sqrt(full) / FULL_QUALITY_SIDE);
  const q = clamp01(face.landmarkScore) * clamp01(face.score) * size * inside;
  return Number.isFinite(q) ? q : 0;
}

/** Grid of sample points per side of the chip for chipInside. */
const CHIP_SAMPLES = 8;

/**
 * The share of the face's aligned chip (the ArcFace template's square, mapped back into the frame
 * through the five points) that lies inside the frame; 1 without usable points. A face whose eyes
 * sit on the frame's edge has half its chip outside: the recogniser would see half a face.
 */
function chipInside(landmarks: TrackerFace['landmarks'], width: number, height: number): number {
  if (landmarks?.length !== ARCFACE_TEMPLATE.length) return 1;
  let toFrame;
  try {
    toFrame = invertSimilarity(estimateSimilarity(landmarks as Point[], ARCFACE_TEMPLATE));
  } catch {
    return 1; // degenerate points: the box alone judges
  }
  let inside = 0;
  for (let i = 0; i < CHIP_SAMPLES; i++) {
    for (let j = 0; j < CHIP_SAMPLES; j++) {
      const [x, y] = applySimilarity(toFrame, [((i + 0.5) * ARCFACE_CHIP_SIZE) / CHIP_SAMPLES, ((j + 0.5) * ARCFACE_CHIP_SIZE) / CHIP_SAMPLES]);
      if (x >= 0 && x < width && y >= 0 && y < height) inside++;
    }
  }
  return inside / (CHIP_SAMPLES * CHIP_SAMPLES);
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}

/** Least quality worth embedding, unless configured (FACEREC_VIDEO_MIN_QUALITY): measured on the shared clips, models/README.md. */
export const DEFAULT_MIN_QUALITY = 0.25;

export interface EmbedSelectorOptions {
  /** Faces kept per track (the best so far). Default 3. */
  perTrack?: number;
  /** Least quality (qualityOf) worth embedding. Default 0.25 (e.g. a frontal, confident ~35 px face). */
  minQuality?: number;
  /** A face replaces the worst kept one when its quality is at least this many times it. Default 1.2. */
  replaceRatio?: number;
  /**
   * On a track that has its faces, embed one more once this many frames (of the source, not
   * samples) have passed since the track's last embedded face, so an identity switch inside a
   * long track shows. Default 100 (4 s at 25 fps); Infinity turns refreshes off.
   */
  refreshFrames?: number;
  /** Select every face (to measure what selective embedding saves or costs). Default false. */
  all?: boolean;
}

/**
 * Which faces of each track the decoder embeds, decided online, face by face in frame order.
 * The first faces of a track that pass the quality floor are embedded up to `perTrack`; after
 * that a face is embedded only when it is clearly better than the worst of the kept ones (which it
 * then replaces), or as a refresh when `refreshFrames` have passed since the track's last embedded
 * face.
 */
export class EmbedSelector {
  private readonly perTrack: number;
  private readonly minQuality: number;
  private readonly replaceRatio: number;
  private readonly refreshFrames: number;
  private readonly all: boolean;
  private readonly tracks = new Map<number, { kept: number[]; lastFrame: number }>();
  /** Faces seen and faces selected so far. */
  readonly stats = { considered: 0, selected: 0, replaced: 0, refreshed: 0 };

  constructor(options: EmbedSelectorOptions = {}) {
    this.perTrack = Math.max(1, options.perTrack ?? 3);
    this.minQuality = options.minQuality ?? DEFAULT_MIN_QUALITY;
    this.replaceRatio = options.replaceRatio ?? 1.2;
    this.refreshFrames = options.refreshFrames ?? 100;
    this.all = options.all ?? false;
  }

  /** Whether to embed this face of track `trackId`, seen at `frameIndex` with `quality`. */
  select(trackId: number, quality: number, frameIndex: number): boolean {
    this.stats.considered++;
    if (this.all) return this.take();
    if (!(quality >= this.minQuality)) return false;
    let state = this.tracks.get(trackId);
    if (!state) {
      state = { kept: [], lastFrame: -Infinity };
      this.tracks.set(trackId, state);
    }
    const { kept } = state;
    if (kept.length < this.perTrack) {
      kept.push(quality);
    } else {
      let worst = 0;
      for (let i = 1; i < kept.length; i++) if (kept[i]! < kept[worst]!) worst = i;
      if (quality >= this.replaceRatio * kept[worst]!) {
        kept[worst] = quality;
        this.stats.replaced++;
      } else if (frameIndex - state.lastFrame >= this.refreshFrames) {
        this.stats.refreshed++;
      } else {
        return false;
      }
    }
    state.lastFrame = frameIndex;
    return this.take();
  }

  /** Drops what is kept of an ended track. */
  forget(trackId: number): void {
    this.tracks.delete(trackId);
  }

  private take(): true {
    this.stats.selected++;
    return true;
  }
}

/**
 * Which faces of each track carry a thumbnail, decided online in frame order: the track's first
 * face (whatever its quality, so every track has one), then a face only when it is clearly better
 * (`ratio` times the quality, qualityOf) than the best sent so far. A face chosen for embedding is
 * passed `force` and always carries one (it is among the track's best, and raises the bar). A track
 * thus sends a few thumbnails, not one per frame, embedded or not.
 */
export class ThumbnailSelector {
  private readonly best = new Map<number, number>();

  constructor(private readonly ratio = 1.2) {}

  /** Whether this face of track `trackId`, of `quality`, carries a thumbnail. */
  select(trackId: number, quality: number, force = false): boolean {
    const q = Number.isFinite(quality) ? quality : 0;
    const best = this.best.get(trackId);
    if (!force && best !== undefined && !(q > 0 && q >= this.ratio * best)) return false;
    this.best.set(trackId, Math.max(best ?? 0, q));
    return true;
  }

  /** Drops what is kept of an ended track. */
  forget(trackId: number): void {
    this.best.delete(trackId);
  }
}

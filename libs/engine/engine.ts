// The face engine: detect → landmarks → align → embed, one call per image or frame.
import { boundingBox, dropNested, nms, type Box } from '../geometry/box.js';
import type { Point } from '../geometry/similarity.js';
import type { RgbImage } from '../image/image.js';
import { FaceDetector, type DetectedFace, type DetectOptions } from './detector.js';
import { FaceEmbedder, type EmbedOptions } from './embedder.js';
import { LandmarkModel, type FaceLandmarks } from './landmarks.js';
import { sessionConfigFromEnv, type SessionConfig } from './session.js';

export interface Face {
  box: Box;
  /** Detector probability (0..1). */
  score: number;
  /** FaceMesh's face probability for the crop (0..1): low for profiles and non-faces. */
  landmarkScore: number;
  /** dlib-ordered five points in image pixels: left eye outer/inner, right eye outer/inner, nose. */
  landmarks: Point[];
  embedding: Float32Array;
}

export interface AnalyseOptions extends DetectOptions, EmbedOptions {
  /** FaceMesh passes: the first on the detector's box, each next one on the previous mesh. */
  landmarkPasses?: number;
  /** Faces whose FaceMesh score is below this are dropped as false detections. */
  minLandmarkScore?: number;
}

/** The pipeline's defaults, chosen with `facerec eval lfw` (every candidate is in models/README.md). */
export const DEFAULT_ANALYSE: Required<Omit<AnalyseOptions, 'iouThreshold'>> = {
  scale: 600,
  minScore: 0.5,
  landmarkPasses: 3,
  flip: true,
  paddings: [0.25],
  minLandmarkScore: 0.5,
};

export class FaceEngine {
  private constructor(
    readonly detector: FaceDetector,
    readonly landmarkModel: LandmarkModel,
    readonly embedder: FaceEmbedder,
  ) {}

  static async load(config: SessionConfig = sessionConfigFromEnv()): Promise<FaceEngine> {
    const [detector, landmarks, embedder] = await Promise.all([FaceDetector.load(config), LandmarkModel.load(config), FaceEmbedder.load(config)]);
    return new FaceEngine(detector, landmarks, embedder);
  }

  async analyse(img: RgbImage, options: AnalyseOptions = {}): Promise<Face[]> {
    const opts = { ...DEFAULT_ANALYSE, ...options };
    const located = await this.locate(img, opts);
    const embeddings = await this.embedder.embed(img, located.map((f) => f.landmarks.fivePoints), opts);
    return located.map((f, i) => ({
      box: f.detection.box,
      score: f.detection.score,
      landmarkScore: f.landmarks.score,
      landmarks: f.landmarks.fivePoints,
      embedding: embeddings[i]!,
    }));
  }

  /** Faces confirmed by FaceMesh, with their landmarks (see locateFaces). */
  locate(img: RgbImage, options: AnalyseOptions = {}): Promise<LocatedFace[]> {
    return locateFaces(this.detector, this.landmarkModel, img, options);
  }
}

/**
 * Faces confirmed by FaceMesh, with the landmarks of every pass (the last is the most precise).
 * Two detections of one face (a face and a part of it, found at different pyramid levels) end
 * up with the same mesh: the best-scoring one per mesh is kept, and a confirmed face nested in a
 * much larger confirmed face is a part of it. A free function so that a detection service can
 * run it without loading the embedder.
 */
export async function locateFaces(detector: FaceDetector, landmarkModel: LandmarkModel, img: RgbImage, options: AnalyseOptions = {}): Promise<LocatedFace[]> {
  const opts = { ...DEFAULT_ANALYSE, ...options };
  const detected = await detector.detect(img, opts);
  const passes = await landmarkModel.landmarkPasses(img, detected, opts.landmarkPasses, REFINE_MIN_SCORE);
  // A face is confirmed by its latest pass that FaceMesh accepts: a poor first crop may only
  // score well once re-centred, and a re-crop can drift off a hard face that the first one held.
  const confirmed = detected.flatMap((detection, i) => {
    const all = passes.map((p) => p[i]!);
    const landmarks = all.findLast((l) => l.score >= opts.minLandmarkScore);
    return landmarks ? [{ detection, passes: all, landmarks, box: boundingBox(landmarks.mesh), score: detection.score }] : [];
  });
  return dropNested(nms(confirmed, SAME_MESH_IOU)).map(({ detection, passes, landmarks }) => ({ detection, passes, landmarks }));
}

export interface LocatedFace {
  detection: DetectedFace;
  /** Landmarks after each FaceMesh pass. */
  passes: FaceLandmarks[];
  /** The latest pass FaceMesh accepted: the landmarks the face is aligned with. */
  landmarks: FaceLandmarks;
}

/** First-pass FaceMesh score under which a detection is not worth refining (clearly no face). */
const REFINE_MIN_SCORE = 0.05;

/** Meshes overlapping this much describe the same face. */
const SAME_MESH_IOU = 0.5;

/** The face whose box centre is nearest the image centre (LFW's convention for "the" face). */
export function centreFace<T extends { box: Box }>(faces: readonly T[], width: number, height: number): T | undefined {
  let best: T | undefined;
  let bestDist = Infinity;
  for (const f of faces) {
    const d = Math.hypot(f.box.x + f.box.w / 2 - width / 2, f.box.y + f.box.h / 2 - height / 2);
    if (d < bestDist) [best, bestDist] = [f, d];
  }
  return best;
}

/** The face with the largest box (the subject of a portrait or a gallery photo). */
export function largestFace<T extends { box: Box }>(faces: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const f of faces) if (!best || f.box.w * f.box.h > best.box.w * best.box.h) best = f;
  return best;
}

// The face engine: detect → landmarks → align → embed, one call per image or frame.
import { boundingBox, nms, type Box } from '../geometry/box.js';
import type { Point } from '../geometry/similarity.js';
import type { RgbImage } from '../image/image.js';
import { FaceDetector, type DetectOptions } from './detector.js';
import { FaceEmbedder, type EmbedOptions } from './embedder.js';
import { LandmarkModel } from './landmarks.js';
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

/** The pipeline's defaults, chosen by `facerec eval lfw --candidates` (see models/README.md). */
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
    const detected = await this.detector.detect(img, opts);
    const marks = await this.landmarkModel.landmarks(img, detected, { passes: opts.landmarkPasses, minScore: opts.minLandmarkScore });
    // Two detections of one face (e.g. a face and a part of it, at different pyramid levels) end
    // up with the same mesh: keep the best-scoring one per mesh.
    const candidates = detected
      .map((d, i) => ({ d, m: marks[i]!, box: boundingBox(marks[i]!.mesh), score: d.score }))
      .filter(({ m }) => m.score >= opts.minLandmarkScore);
    const kept = nms(candidates, SAME_MESH_IOU);
    const embeddings = await this.embedder.embed(img, kept.map(({ m }) => m.fivePoints), opts);
    return kept.map(({ d, m }, i) => ({
      box: d.box,
      score: d.score,
      landmarkScore: m.score,
      landmarks: m.fivePoints,
      embedding: embeddings[i]!,
    }));
  }
}

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

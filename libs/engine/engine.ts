// The face engine: locate (detect + landmarks) → align → embed, one call per image or frame.
// Which networks run is configuration (FACEREC_DETECTOR, FACEREC_EMBEDDER: catalog names); the
// default is YuNet (its own five landmarks) + the 512-d faceplugin-fr512 recogniser. The previous
// generation — BlazeFace + FaceMesh + dlib — stays available and measured (models/README.md).
import { boundingBox, dropNested, nms, type Box } from '../geometry/box.js';
import type { Point } from '../geometry/similarity.js';
import type { RgbImage } from '../image/image.js';
import { FACEMESH_EYE_CORNERS, FACEMESH_MOUTH_CORNERS, FACEMESH_NOSE_TIP, type AlignableFace } from './alignment.js';
import { FaceDetector } from './detector.js';
import { FaceEmbedder, embedderFromEnv, type EmbedOptions, type EmbedderName } from './embedder.js';
import { LandmarkModel } from './landmarks.js';
import { landmarkQuality } from './quality.js';
import { sessionConfigFromEnv, type SessionConfig } from './session.js';
import { DEFAULT_DETECTION_SCALE } from './detect-options.js';
import { YuNetDetector, type DetectOptions } from './yunet.js';

import { detectorFromEnv, type DetectorName } from './choice.js';

export { DEFAULT_DETECTOR, DETECTORS, detectorFromEnv, type DetectorName } from './choice.js';

/** A face found and landmarked, ready to align. */
export interface LocatedFace extends AlignableFace {
  /** Pixels of the original image, top-left origin. */
  box: Box;
  /** Detector probability (0..1). */
  score: number;
  /**
   * How usable the landmarks make the face for recognition: 0.5..1 from frontality × sharpness of
   * YuNet's points, or FaceMesh's face probability in the BlazeFace pipeline.
   */
  landmarkScore: number;
  /** ArcFace order: eye on the image's left, other eye, nose tip, mouth corner on the image's left, other corner. */
  landmarks: Point[];
}

export interface Face extends LocatedFace {
  embedding: Float32Array;
}

export interface AnalyseOptions extends DetectOptions, EmbedOptions {}

/**
 * The pipeline's defaults, chosen with `facerec eval lfw` / `eval wider` (every candidate is in
 * models/README.md). The least detector score is each detector's own (YuNet 0.75, BlazeFace 0.5).
 */
export const DEFAULT_ANALYSE = {
  scale: DEFAULT_DETECTION_SCALE,
  flip: true,
} as const satisfies AnalyseOptions;

/** Finds faces with their landmarks: one implementation per detector. */
export interface FaceLocator {
  readonly name: DetectorName;
  /** The execution provider its sessions got ('cuda' or 'cpu'). */
  readonly provider: string;
  locate(img: RgbImage, options?: DetectOptions): Promise<LocatedFace[]>;
  /**
   * Faces in each of several images, as `locate` finds them in each: in shared inferences of at
   * most `maxBatch` images where the network takes a batch (YuNet), one image after the other
   * where it does not (the BlazeFace pipeline).
   */
  locateBatch(images: readonly RgbImage[], options?: DetectOptions, maxBatch?: number): Promise<LocatedFace[][]>;
}

export interface EngineChoice {
  detector?: DetectorName;
  embedder?: EmbedderName;
}

export class FaceEngine {
  private constructor(
    readonly locator: FaceLocator,
    readonly embedder: FaceEmbedder,
  ) {}

  static async load(config: SessionConfig = sessionConfigFromEnv(), choice: EngineChoice = {}): Promise<FaceEngine> {
    const [locator, embedder] = await Promise.all([loadLocator(choice.detector ?? detectorFromEnv(), config), FaceEmbedder.load(config, choice.embedder ?? embedderFromEnv())]);
    return new FaceEngine(locator, embedder);
  }

  async analyse(img: RgbImage, options: AnalyseOptions = {}): Promise<Face[]> {
    const opts = { ...DEFAULT_ANALYSE, ...options };
    const located = await this.locator.locate(img, opts);
    const embeddings = await this.embedder.embed(img, located, opts);
    return located.map((f, i) => ({ ...f, embedding: embeddings[i]! }));
  }

  locate(img: RgbImage, options: DetectOptions = {}): Promise<LocatedFace[]> {
    return this.locator.locate(img, { ...DEFAULT_ANALYSE, ...options });
  }
}

export async function loadLocator(name: DetectorName, config?: SessionConfig): Promise<FaceLocator> {
  if (name === 'blazeface') {
    const [detector, landmarks] = await Promise.all([FaceDetector.load(config), LandmarkModel.load(config)]);
    return new MeshLocator(detector, landmarks);
  }
  return new YuNetLocator(await YuNetDetector.load(config, name), name);
}

/** YuNet: one network gives boxes and the five points; quality from the points and the pixels. */
export class YuNetLocator implements FaceLocator {
  constructor(
    readonly detector: YuNetDetector,
    readonly name: DetectorName = 'yunet',
  ) {}

  get provider(): string {
    return this.detector.provider;
  }

  async locate(img: RgbImage, options: DetectOptions = {}): Promise<LocatedFace[]> {
    return (await this.locateBatch([img], options))[0]!;
  }

  async locateBatch(images: readonly RgbImage[], options: DetectOptions = {}, maxBatch = Infinity): Promise<LocatedFace[][]> {
    const found = await this.detector.detectBatch(images, options, maxBatch);
    return found.map((faces, i) => faces.map((f) => ({ box: f.box, score: f.score, landmarks: f.landmarks, landmarkScore: landmarkQuality(images[i]!, f.landmarks) })));
  }
}

/** The previous generation: BlazeFace over a pyramid, FaceMesh passes to confirm and landmark each face. */
export class MeshLocator implements FaceLocator {
  readonly name = 'blazeface' as const;
  constructor(
    readonly detector: FaceDetector,
    readonly landmarkModel: LandmarkModel,
    private readonly passes = MESH_PASSES,
  ) {}

  get provider(): string {
    return this.detector.provider;
  }

  /** One image after the other: BlazeFace's pyramid and FaceMesh's passes are not batched. */
  async locateBatch(images: readonly RgbImage[], options: DetectOptions = {}): Promise<LocatedFace[][]> {
    const out: LocatedFace[][] = [];
    for (const img of images) out.push(await this.locate(img, options));
    return out;
  }

  /**
   * Faces confirmed by FaceMesh: a face is kept with its latest pass FaceMesh accepts (a poor
   * first crop may only score well once re-centred). Two detections of one face (a face and a
   * part of it, found at different pyramid levels) end up with the same mesh: the best-scoring
   * one per mesh is kept, and a confirmed face nested in a much larger one is a part of it.
   */
  async locate(img: RgbImage, options: DetectOptions = {}): Promise<LocatedFace[]> {
    const detected = await this.detector.detect(img, { ...options, minScore: options.minScore ?? BLAZEFACE_MIN_SCORE });
    const passes = await this.landmarkModel.landmarkPasses(img, detected, this.passes, REFINE_MIN_SCORE);
    const confirmed = detected.flatMap((detection, i) => {
      const landmarks = passes.map((p) => p[i]!).findLast((l) => l.score >= MIN_MESH_SCORE);
      if (!landmarks) return [];
      const m = landmarks.mesh;
      const centre = ([a, b]: readonly [number, number]): Point => [(m[a]![0] + m[b]![0]) / 2, (m[a]![1] + m[b]![1]) / 2];
      const arcface: Point[] = [centre(FACEMESH_EYE_CORNERS[0]), centre(FACEMESH_EYE_CORNERS[1]), m[FACEMESH_NOSE_TIP]!, m[FACEMESH_MOUTH_CORNERS[0]]!, m[FACEMESH_MOUTH_CORNERS[1]]!];
      const face: LocatedFace = { box: detection.box, score: detection.score, landmarkScore: landmarks.score, landmarks: arcface, dlibPoints: landmarks.fivePoints };
      return [{ face, box: boundingBox(m), score: detection.score }];
    });
    return dropNested(nms(confirmed, SAME_MESH_IOU)).map((c) => c.face);
  }
}

/** BlazeFace's least score kept before FaceMesh confirms a face. */
const BLAZEFACE_MIN_SCORE = 0.5;
/** FaceMesh passes: the first on the detector's box, each next one on the previous mesh. */
const MESH_PASSES = 3;
/** Faces whose FaceMesh score is below this are dropped as false detections. */
const MIN_MESH_SCORE = 0.5;
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

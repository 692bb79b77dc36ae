// Per-image features for LFW verification: every candidate pipeline measured in one pass, so the
// choice of the default (landmark refinement, flip averaging, comparison, fusion) rests on numbers.
import * as ort from 'onnxruntime-node';
import type { Point } from '../geometry/similarity.js';
import { warpToChip } from '../geometry/warp.js';
import { decodeImage } from '../image/image.js';
import { onnxPath } from '../../models/catalog.js';
import { squareCropTransform } from '../engine/alignment.js';
import { centreFace, DEFAULT_ANALYSE, type FaceEngine } from '../engine/engine.js';
import { createSession, type SessionConfig } from '../engine/session.js';

/** The dlib descriptor variants: landmarks from one or two FaceMesh passes, with or without the mirrored chip. */
export const DLIB_VARIANTS = ['mesh1', 'mesh1+flip', 'mesh2', 'mesh2+flip'] as const;
export type DlibVariant = (typeof DLIB_VARIANTS)[number];

export interface ImageFeatures {
  dlib: Record<DlibVariant, Float32Array>;
  /** Human's FaceRes embedding of the 1.4x detector box (fusion candidate). */
  faceres?: Float32Array;
}

const FACERES_SIZE = 224;

export class LfwFeatureExtractor {
  private constructor(
    private readonly engine: FaceEngine,
    private readonly faceres?: ort.InferenceSession,
  ) {}

  static async create(engine: FaceEngine, opts: { faceres: boolean; session?: SessionConfig }): Promise<LfwFeatureExtractor> {
    const faceres = opts.faceres ? (await createSession(onnxPath('faceres'), opts.session)).session : undefined;
    return new LfwFeatureExtractor(engine, faceres);
  }

  /** Features of the face nearest the image centre, or null when no face is found. */
  async extract(path: string, scale: number): Promise<ImageFeatures | null> {
    const img = await decodeImage(path);
    const faces = await this.engine.detector.detect(img, { scale, minScore: DEFAULT_ANALYSE.minScore });
    const face = centreFace(faces, img.width, img.height);
    if (!face) return null;
    const [pass1] = await this.engine.landmarkModel.landmarks(img, [face], { refine: false });
    const [pass2] = await this.engine.landmarkModel.landmarks(img, [face], { refine: true });
    const chips = this.engine.embedder.alignChips(img, [pass1!.fivePoints, pass2!.fivePoints]);
    const [m1, m2] = await this.engine.embedder.embedChips(chips, 2);
    const [f1, f2] = await this.engine.embedder.embedChips(chips, 2, { flip: true });
    const features: ImageFeatures = { dlib: { mesh1: m1!, 'mesh1+flip': f1!, mesh2: m2!, 'mesh2+flip': f2! } };
    if (this.faceres) {
      const centre: Point = [face.box.x + face.box.w / 2, face.box.y + face.box.h / 2];
      const t = squareCropTransform(centre, Math.max(face.box.w, face.box.h) * 1.4, 0, FACERES_SIZE);
      const crop = warpToChip(img, t, FACERES_SIZE, FACERES_SIZE);
      const out = await this.faceres.run({ input: new ort.Tensor('float32', crop, [1, FACERES_SIZE, FACERES_SIZE, 3]) });
      features.faceres = (out.embedding!.data as Float32Array).slice();
    }
    return features;
  }
}

export function euclidean(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** 1 − cosine similarity: a distance where lower means more alike. */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return 1 - dot / Math.sqrt(na * nb);
}

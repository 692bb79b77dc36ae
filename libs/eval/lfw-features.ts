// Per-image features for LFW verification: every candidate pipeline measured in one pass, so the
// choice of the default (landmark passes, test-time augmentation, comparison, fusion) rests on numbers.
import * as ort from 'onnxruntime-node';
import type { Point } from '../geometry/similarity.js';
import { warpToChip } from '../geometry/warp.js';
import { decodeImage } from '../image/image.js';
import { onnxPath } from '../../models/catalog.js';
import { squareCropTransform } from '../engine/alignment.js';
import { centreFace, DEFAULT_ANALYSE, type FaceEngine } from '../engine/engine.js';
import { createSession, type SessionConfig } from '../engine/session.js';

/** The dlib descriptor candidates: FaceMesh passes, then the augmentations of the chip. */
export const DLIB_VARIANTS = {
  'default pipeline': { passes: DEFAULT_ANALYSE.landmarkPasses, flip: DEFAULT_ANALYSE.flip, paddings: DEFAULT_ANALYSE.paddings },
  'mesh1': { passes: 1, flip: false, paddings: [0.25] },
  'mesh2': { passes: 2, flip: false, paddings: [0.25] },
  'mesh3': { passes: 3, flip: false, paddings: [0.25] },
  'mesh3+flip': { passes: 3, flip: true, paddings: [0.25] },
  'mesh3+flip+3 paddings': { passes: 3, flip: true, paddings: [0.2, 0.25, 0.3] },
} as const satisfies Record<string, { passes: number; flip: boolean; paddings: readonly number[] }>;
export type DlibVariant = keyof typeof DLIB_VARIANTS;

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
    const faces = await this.engine.locate(img, { scale, landmarkPasses: Math.max(3, DEFAULT_ANALYSE.landmarkPasses) });
    const located = centreFace(faces.map((f) => ({ ...f, box: f.detection.box })), img.width, img.height);
    if (!located) return null;
    const face = located.detection;
    const passes = located.passes.map((p) => p.fivePoints);
    const dlib = {} as Record<DlibVariant, Float32Array>;
    for (const [name, v] of Object.entries(DLIB_VARIANTS) as [DlibVariant, (typeof DLIB_VARIANTS)[DlibVariant]][]) {
      // The default pipeline uses the landmarks the engine chose (its latest accepted pass).
      const points = name === 'default pipeline' ? located.landmarks.fivePoints : passes[v.passes - 1]!;
      [dlib[name]] = (await this.engine.embedder.embed(img, [points], v)) as [Float32Array];
    }
    const features: ImageFeatures = { dlib };
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

// Face detection with BlazeFace run fully convolutionally over an image pyramid.
//
// BlazeFace was trained on 256x256 inputs, but it is a plain convolutional network whose
// regressions are in input pixels relative to each grid cell. Run on a W x H input it yields a
// (W/16 x H/16) and a (W/32 x H/32) grid of anchors that find faces of roughly 20–250 px at that
// size. So: scale the frame so its longer side is `face_detection_scale`, run it, then run halved
// copies until the whole frame fits in 256 px (for faces larger than the network's reach), and
// merge all levels with weighted NMS. Larger scales find smaller faces; cost grows with area.
// A last level shows the frame shrunk inside a padded 256 px canvas: faces that fill the whole
// frame (gallery crops, close-ups) are otherwise too large for every anchor. Upscaled levels also
// fire on parts of large faces (an eye, a nose): the engine drops those once FaceMesh has
// confirmed the face around them (see FaceEngine.locate).
import * as ort from 'onnxruntime-node';
import { weightedNms, type Box } from '../geometry/box.js';
import type { Point } from '../geometry/similarity.js';
import { scaleToLongSide, type RgbImage } from '../image/image.js';
import { onnxPath } from '../../models/catalog.js';
import { createSession, type LoadedSession, type SessionConfig } from './session.js';
import { checkScale, DEFAULT_DETECTION_SCALE, type DetectOptions } from './detect-options.js';

export { DEFAULT_DETECTION_SCALE, MAX_DETECTION_SCALE, MIN_DETECTION_SCALE, type DetectOptions } from './detect-options.js';

export interface DetectedFace {
  /** Pixels of the original image, top-left origin. */
  box: Box;
  score: number;
  /** BlazeFace keypoints in original pixels: right eye, left eye, nose tip, mouth, right ear, left ear (subject's sides). */
  keypoints: Point[];
}

/** The size BlazeFace was trained at: the last pyramid level shows the whole frame at this size. */
const NETWORK_SIZE = 256;
const GRID = 32;
/** Longer side of the frame in the padded last level: a frame-filling face becomes ~160 px. */
const FILLED_FRAME_SIZE = 160;
const HEADS = [
  { stride: 16, anchors: 2, scores: 'scores16', boxes: 'boxes16' },
  { stride: 32, anchors: 6, scores: 'scores32', boxes: 'boxes32' },
] as const;

export class FaceDetector {
  private constructor(private readonly loaded: LoadedSession) {}

  static async load(config?: SessionConfig): Promise<FaceDetector> {
    return new FaceDetector(await createSession(onnxPath('blazeface'), config));
  }

  get provider(): string {
    return this.loaded.provider;
  }

  async detect(img: RgbImage, opts: DetectOptions = {}): Promise<DetectedFace[]> {
    const scale = checkScale(opts.scale ?? DEFAULT_DETECTION_SCALE);
    const minScore = opts.minScore ?? 0.5;
    const candidates: DetectedFace[] = [];
    const levels = [...pyramidLevels(scale).map((longSide) => ({ longSide, canvas: 0 })), { longSide: FILLED_FRAME_SIZE, canvas: NETWORK_SIZE }];
    for (const { longSide, canvas } of levels) {
      const { image: level, sx, sy } = await scaleToLongSide(img, longSide);
      const found = await this.runLevel(level, minScore, canvas);
      for (const f of found) candidates.push(rescale(f, sx, sy));
    }
    return weightedNms(candidates, opts.iouThreshold ?? 0.3);
  }

  /**
   * Runs the network once on the image placed in a black canvas: at least `canvas` px square and a
   * multiple of 32, image centred (with canvas 0: the image at the origin, padded to a multiple of
   * 32). Faces come back in the image's pixels.
   */
  private async runLevel(img: RgbImage, minScore: number, canvas: number): Promise<DetectedFace[]> {
    const pw = Math.ceil(Math.max(img.width, canvas) / GRID) * GRID;
    const ph = Math.ceil(Math.max(img.height, canvas) / GRID) * GRID;
    const ox = canvas ? Math.floor((pw - img.width) / 2) : 0;
    const oy = canvas ? Math.floor((ph - img.height) / 2) : 0;
    const input = new Float32Array(pw * ph * 3);
    for (let y = 0; y < img.height; y++) {
      const row = img.data.subarray(y * img.width * 3, (y + 1) * img.width * 3);
      input.set(row, ((y + oy) * pw + ox) * 3);
    }
    const out = await this.loaded.session.run({ input: new ort.Tensor('float32', input, [1, ph, pw, 3]) });
    const minLogit = Math.log(minScore / (1 - minScore));
    const faces: DetectedFace[] = [];
    for (const head of HEADS) {
      const scores = out[head.scores]!.data as Float32Array;
      const boxes = out[head.boxes]!.data as Float32Array;
      const cols = pw / head.stride;
      for (let i = 0; i < scores.length; i++) {
        const logit = scores[i]!;
        if (logit < minLogit) continue;
        const cell = Math.floor(i / head.anchors);
        const ax = ((cell % cols) + 0.5) * head.stride - ox;
        const ay = (Math.floor(cell / cols) + 0.5) * head.stride - oy;
        const r = boxes.subarray(i * 16, i * 16 + 16);
        const cx = ax + r[0]!;
        const cy = ay + r[1]!;
        const bw = r[2]!;
        const bh = r[3]!;
        if (bw <= 0 || bh <= 0) continue;
        const keypoints: Point[] = [];
        for (let k = 0; k < 6; k++) keypoints.push([ax + r[4 + 2 * k]!, ay + r[5 + 2 * k]!]);
        faces.push({ box: { x: cx - bw / 2, y: cy - bh / 2, w: bw, h: bh }, score: 1 / (1 + Math.exp(-logit)), keypoints });
      }
    }
    return faces;
  }
}

/**
 * Longer-side sizes to run: the requested scale, halved while that stays clearly above 256, then
 * the whole frame at 256. Consecutive levels differ by at most ~2.4x, well inside the range of
 * face sizes one BlazeFace pass finds (~20 to ~250 px).
 */
export function pyramidLevels(scale: number): number[] {
  const levels = [scale];
  while (levels.at(-1)! / 2 > NETWORK_SIZE * 1.2) levels.push(levels.at(-1)! / 2);
  if (levels.at(-1)! > NETWORK_SIZE) levels.push(NETWORK_SIZE);
  return levels;
}

function rescale(f: DetectedFace, sx: number, sy: number): DetectedFace {
  return {
    box: { x: f.box.x * sx, y: f.box.y * sy, w: f.box.w * sx, h: f.box.h * sy },
    score: f.score,
    keypoints: f.keypoints.map(([x, y]) => [x * sx, y * sy] as Point),
  };
}

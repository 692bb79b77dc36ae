// Face detection with YuNet (OpenCV Zoo / libfacedetection), run fully convolutionally.
//
// YuNet is anchor-free: every cell of its stride-8, -16 and -32 grids predicts a face score, a
// box and the five ArcFace landmarks. It was trained on faces of about 10 to 300 px, so one pass
// at `face_detection_scale` (the frame's longer side scaled to it, padded to a multiple of 32)
// finds faces from ~10 px up to half a 600 px frame. Larger faces (close-ups, tight gallery crops)
// are found by one more pass over the whole frame shrunk into a padded canvas, and, at large
// scales, by an intermediate pass; levels are merged with NMS.
import * as ort from 'onnxruntime-node';
import { clipBox, nms, scaleBox, type Box } from '../geometry/box.js';
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
  /**
   * Five landmarks in image pixels, ArcFace order: the eye on the image's left (the subject's
   * right), the other eye, nose tip, mouth corner on the image's left, the other mouth corner.
   */
  landmarks: Point[];
}

/** Measured: 0.6 kept textures (a landscape painting at 0.65–0.70) as faces; real faces in the test photos score ≥ 0.9. */
export const DEFAULT_MIN_SCORE = 0.75;
const DEFAULT_IOU = 0.3;
const GRID = 32;
const STRIDES = [8, 16, 32] as const;
/** Faces above this size (input pixels) are left to the next, smaller level (YuNet finds faces up to ~300 px). */
const LARGE_FACE = 240;
/** The whole-frame level: the frame's longer side in a canvas with a margin, so a frame-filling face is ~this size. */
const WHOLE_FRAME_SIDE = 224;
const WHOLE_FRAME_CANVAS = 320;
/** An intermediate level (a third of the one before) only when that is still this large: below, the whole-frame level covers its faces (measured on wider-dev). */
const INTERMEDIATE_MIN = 480;

interface Level {
  /** Longer side of the frame at this level. */
  longSide: number;
  /** Square canvas the frame is centred in (0: the frame at the origin, padded to a multiple of 32). */
  canvas: number;
}

export class YuNetDetector {
  private constructor(
    private readonly loaded: LoadedSession,
    readonly model: string,
  ) {}

  /** Every YuNet file at level 'all' (NCHWc layouts); the int8 one's QDQ pairs are fused there too, and it ran fastest at 'all' (models/README.md, "int8 YuNet"). */
  static async load(config?: SessionConfig, model = 'yunet'): Promise<YuNetDetector> {
    return new YuNetDetector(await createSession(onnxPath(model), config), model);
  }

  get provider(): string {
    return this.loaded.provider;
  }

  async detect(img: RgbImage, opts: DetectOptions = {}): Promise<DetectedFace[]> {
    return (await this.detectBatch([img], opts))[0]!;
  }

  /**
   * Faces in each of several images (frames of one or several videos), as `detect` finds them in
   * each alone: every level of every image whose padded input has the same size goes through the
   * network in one inference (at most `maxBatch` images per run), so frames of one video — same
   * size, same levels — share every run.
   */
  async detectBatch(images: readonly RgbImage[], opts: DetectOptions = {}, maxBatch = Infinity): Promise<DetectedFace[][]> {
    const scale = checkScale(opts.scale ?? DEFAULT_DETECTION_SCALE);
    const minScore = opts.minScore ?? DEFAULT_MIN_SCORE;
    const candidates: DetectedFace[][] = images.map(() => []);
    // Every level of every image, scaled, then grouped by the padded input they make.
    const runs = new Map<string, LevelRun[]>();
    for (const [index, img] of images.entries()) {
      for (const run of await levelRuns(img, index, scale)) {
        const key = `${run.pw}x${run.ph}`;
        const group = runs.get(key) ?? [];
        group.push(run);
        runs.set(key, group);
      }
    }
    for (const group of runs.values()) {
      for (let start = 0; start < group.length; start += maxBatch) {
        const chunk = group.slice(start, start + maxBatch);
        const found = await this.runLevels(chunk, minScore);
        chunk.forEach((run, k) => {
          for (const f of found[k]!) if (Math.max(f.box.w, f.box.h) >= run.minSide) candidates[run.index]!.push(rescale(f, run.sx, run.sy));
        });
      }
    }
    // A face at the border may be predicted beyond it: boxes are cut to the image.
    return images.map((img, i) => nms(candidates[i]!, opts.iouThreshold ?? DEFAULT_IOU).map((f) => ({ ...f, box: clipBox(f.box, img.width, img.height) })));
  }

  /** One network run over images of the same padded size, each at the origin or centred in its canvas. */
  private async runLevels(runs: readonly LevelRun[], minScore: number): Promise<DetectedFace[][]> {
    const { pw, ph } = runs[0]!;
    const out = await this.loaded.session.run({ input: networkInput(runs) });
    return runs.map((run, k) => {
      const faces: DetectedFace[] = [];
      for (const s of STRIDES) {
        const cells = (pw / s) * (ph / s);
        const at = k * cells;
        const cls = out[`cls_${s}`]!.data as Float32Array;
        const obj = out[`obj_${s}`]!.data as Float32Array;
        const bbox = out[`bbox_${s}`]!.data as Float32Array;
        const kps = out[`kps_${s}`]!.data as Float32Array;
        const cols = pw / s;
        for (let i = 0; i < cells; i++) {
          const score = Math.sqrt(clamp01(cls[at + i]!) * clamp01(obj[at + i]!));
          if (score < minScore) continue;
          const c = i % cols;
          const r = Math.floor(i / cols);
          const b = (at + i) * 4;
          const p = (at + i) * 10;
          const cx = (c + bbox[b]!) * s - run.ox;
          const cy = (r + bbox[b + 1]!) * s - run.oy;
          const bw = Math.exp(bbox[b + 2]!) * s;
          const bh = Math.exp(bbox[b + 3]!) * s;
          const landmarks: Point[] = [];
          for (let q = 0; q < 5; q++) landmarks.push([(kps[p + 2 * q]! + c) * s - run.ox, (kps[p + 2 * q + 1]! + r) * s - run.oy]);
          faces.push({ box: { x: cx - bw / 2, y: cy - bh / 2, w: bw, h: bh }, score, landmarks });
        }
      }
      return faces;
    });
  }
}

/** The image at each level of `scale`, placed in its padded input. */
async function levelRuns(img: RgbImage, index: number, scale: number): Promise<LevelRun[]> {
  const runs: LevelRun[] = [];
  let previous: number | undefined;
  for (const level of detectionLevels(scale)) {
    const { image: scaled, sx, sy } = await scaleToLongSide(img, level.longSide);
    // A smaller level is there for faces too large for the one before it: a face it finds that the
    // previous level could have found is a duplicate at best, and on textures a false detection.
    const minSide = previous === undefined ? 0 : LARGE_FACE * (level.longSide / previous);
    runs.push({ index, img: scaled, ...placement(scaled, level.canvas), minSide, sx, sy });
    previous = level.longSide;
  }
  return runs;
}

/** The network's input for runs of the same padded size, one image each. */
function networkInput(runs: readonly LevelRun[]): ort.Tensor {
  const { pw, ph } = runs[0]!;
  const floats = 3 * pw * ph;
  const input = new Float32Array(runs.length * floats);
  runs.forEach((run, k) => bgrPlanes(run.img, pw, ph, run.ox, run.oy, input, k * floats));
  return new ort.Tensor('float32', input, [runs.length, 3, ph, pw]);
}

/** The network's input for each level of `img` at `scale`, one run each, as detectBatch makes it (for a calibration pass over the float graph). */
export async function networkInputs(img: RgbImage, scale: number): Promise<ort.Tensor[]> {
  return (await levelRuns(img, 0, checkScale(scale))).map((run) => networkInput([run]));
}

/** One image at one level, waiting for its network run. */
interface LevelRun {
  /** Which of the batch's images. */
  index: number;
  img: RgbImage;
  /** Padded input size, and where the image sits in it. */
  pw: number;
  ph: number;
  ox: number;
  oy: number;
  /** Faces smaller than this (level pixels) belong to the level before. */
  minSide: number;
  /** Level pixels → image pixels. */
  sx: number;
  sy: number;
}

/** The padded input for an image at the origin (canvas 0, padded to a multiple of 32) or centred in a square canvas. */
function placement(img: RgbImage, canvas: number): { pw: number; ph: number; ox: number; oy: number } {
  const pw = Math.ceil(Math.max(img.width, canvas) / GRID) * GRID;
  const ph = Math.ceil(Math.max(img.height, canvas) / GRID) * GRID;
  return { pw, ph, ox: canvas ? Math.floor((pw - img.width) / 2) : 0, oy: canvas ? Math.floor((ph - img.height) / 2) : 0 };
}

/**
 * The passes for a scale: the scale itself, for large scales smaller levels each 3x apart while
 * they stay over INTERMEDIATE_MIN, then the whole frame in a padded canvas, where a frame-filling
 * face is ~224 px and no face touches the border.
 */
export function detectionLevels(scale: number): Level[] {
  const levels: Level[] = [{ longSide: scale, canvas: 0 }];
  while (levels.at(-1)!.longSide / 3 > INTERMEDIATE_MIN) levels.push({ longSide: Math.round(levels.at(-1)!.longSide / 3), canvas: 0 });
  levels.push({ longSide: WHOLE_FRAME_SIDE, canvas: WHOLE_FRAME_CANVAS });
  return levels;
}

/** The image as BGR float planes (YuNet's input: raw 0..255, no normalisation) in a black w x h canvas at `out[at]`. */
function bgrPlanes(img: RgbImage, w: number, h: number, ox: number, oy: number, out: Float32Array, at: number): void {
  const plane = w * h;
  const src = img.data;
  for (let y = 0; y < img.height; y++) {
    let s = y * img.width * 3;
    let d = at + (y + oy) * w + ox;
    for (let x = 0; x < img.width; x++, s += 3, d++) {
      out[d] = src[s + 2]!;
      out[plane + d] = src[s + 1]!;
      out[2 * plane + d] = src[s]!;
    }
  }
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function rescale(f: DetectedFace, sx: number, sy: number): DetectedFace {
  return { box: scaleBox(f.box, sx, sy), score: f.score, landmarks: f.landmarks.map(([x, y]) => [x * sx, y * sy] as Point) };
}

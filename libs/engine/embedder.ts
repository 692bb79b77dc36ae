// dlib's face recognition ResNet: a 150 px dlib-aligned chip → a 128-d descriptor.
import * as ort from 'onnxruntime-node';
import type { Point } from '../geometry/similarity.js';
import { warpToChip } from '../geometry/warp.js';
import type { RgbImage } from '../image/image.js';
import { onnxPath } from '../../models/catalog.js';
import { DLIB_CHIP, dlibChipTransform } from './alignment.js';
import { createSession, type LoadedSession, type SessionConfig } from './session.js';

export const EMBEDDING_MODEL = 'dlib-resnet';
export const EMBEDDING_SIZE = 128;
const CHIP = DLIB_CHIP.size;
const CHIP_FLOATS = CHIP * CHIP * 3;

/**
 * Test-time augmentation: the descriptor is the mean of the descriptors of several chips of the
 * same face — at each of `paddings` (dlib's chip margin; 0.25 is the trained one), and each also
 * mirrored when `flip`. More chips cost proportionally more and steady the descriptor against
 * landmark noise.
 */
export interface EmbedOptions {
  flip?: boolean;
  paddings?: readonly number[];
}

export class FaceEmbedder {
  readonly model = EMBEDDING_MODEL;

  private constructor(private readonly loaded: LoadedSession) {}

  static async load(config?: SessionConfig): Promise<FaceEmbedder> {
    return new FaceEmbedder(await createSession(onnxPath(EMBEDDING_MODEL), config));
  }

  /** Aligned chips (RGB 0..255, HWC) for faces given by their five dlib-ordered points. */
  alignChips(img: RgbImage, fivePoints: readonly (readonly Point[])[], padding: number = DLIB_CHIP.padding): Float32Array {
    const chips = new Float32Array(fivePoints.length * CHIP_FLOATS);
    fivePoints.forEach((points, i) => warpToChip(img, dlibChipTransform(points, CHIP, padding), CHIP, CHIP, chips, i * CHIP_FLOATS));
    return chips;
  }

  /** Descriptors of `count` chips laid one after the other in `chips` (mirrored too with `flip`). */
  async embedChips(chips: Float32Array, count: number, opts: { flip?: boolean } = {}): Promise<Float32Array[]> {
    if (count === 0) return [];
    const input = opts.flip ? withMirrors(chips, count) : chips.subarray(0, count * CHIP_FLOATS);
    const views = opts.flip ? 2 : 1;
    const out = await this.loaded.session.run({ input: new ort.Tensor('float32', input, [count * views, CHIP, CHIP, 3]) });
    return meanOfViews(out.descriptor!.data as Float32Array, count, views);
  }

  /** One descriptor per face, averaged over the augmentations `opts` asks for, in one batch. */
  async embed(img: RgbImage, fivePoints: readonly (readonly Point[])[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    const count = fivePoints.length;
    if (count === 0) return [];
    const paddings = opts.paddings ?? [DLIB_CHIP.padding];
    const chips = new Float32Array(paddings.length * count * CHIP_FLOATS);
    paddings.forEach((padding, p) => chips.set(this.alignChips(img, fivePoints, padding), p * count * CHIP_FLOATS));
    // Chips are laid out [padding][face], so the per-face mean runs over `paddings.length` views.
    const perView = await this.embedChips(chips, count * paddings.length, { flip: opts.flip });
    return Array.from({ length: count }, (_, i) => {
      const v = new Float32Array(EMBEDDING_SIZE);
      for (let p = 0; p < paddings.length; p++) {
        const d = perView[p * count + i]!;
        for (let k = 0; k < EMBEDDING_SIZE; k++) v[k]! += d[k]! / paddings.length;
      }
      return v;
    });
  }
}

/** Per chip, the mean of its `views` descriptors (views laid out [view][chip]). */
function meanOfViews(data: Float32Array, count: number, views: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => {
    const v = new Float32Array(EMBEDDING_SIZE);
    for (let view = 0; view < views; view++) {
      const offset = (view * count + i) * EMBEDDING_SIZE;
      for (let k = 0; k < EMBEDDING_SIZE; k++) v[k]! += data[offset + k]! / views;
    }
    return v;
  });
}

/** The chips followed by their horizontal mirrors. */
function withMirrors(chips: Float32Array, count: number): Float32Array {
  const out = new Float32Array(count * 2 * CHIP_FLOATS);
  out.set(chips.subarray(0, count * CHIP_FLOATS));
  for (let i = 0; i < count; i++) {
    const src = i * CHIP_FLOATS;
    const dst = (count + i) * CHIP_FLOATS;
    for (let y = 0; y < CHIP; y++)
      for (let x = 0; x < CHIP; x++) {
        const s = src + (y * CHIP + x) * 3;
        const d = dst + (y * CHIP + (CHIP - 1 - x)) * 3;
        out[d] = chips[s]!;
        out[d + 1] = chips[s + 1]!;
        out[d + 2] = chips[s + 2]!;
      }
  }
  return out;
}

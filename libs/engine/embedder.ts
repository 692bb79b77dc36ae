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

export interface EmbedOptions {
  /** Also embed the mirrored chip and average the two (test-time augmentation). */
  flip?: boolean;
}

export class FaceEmbedder {
  readonly model = EMBEDDING_MODEL;

  private constructor(private readonly loaded: LoadedSession) {}

  static async load(config?: SessionConfig): Promise<FaceEmbedder> {
    return new FaceEmbedder(await createSession(onnxPath(EMBEDDING_MODEL), config));
  }

  /** Aligned chips (RGB 0..255, HWC) for faces given by their five dlib-ordered points. */
  alignChips(img: RgbImage, fivePoints: readonly (readonly Point[])[]): Float32Array {
    const chips = new Float32Array(fivePoints.length * CHIP_FLOATS);
    fivePoints.forEach((points, i) => warpToChip(img, dlibChipTransform(points), CHIP, CHIP, chips, i * CHIP_FLOATS));
    return chips;
  }

  /** Descriptors of `count` chips laid one after the other in `chips`. */
  async embedChips(chips: Float32Array, count: number, opts: EmbedOptions = {}): Promise<Float32Array[]> {
    if (count === 0) return [];
    const input = opts.flip ? withMirrors(chips, count) : chips;
    const n = opts.flip ? count * 2 : count;
    const out = await this.loaded.session.run({ input: new ort.Tensor('float32', input.subarray(0, n * CHIP_FLOATS), [n, CHIP, CHIP, 3]) });
    const data = out.descriptor!.data as Float32Array;
    const result: Float32Array[] = [];
    for (let i = 0; i < count; i++) {
      const v = data.slice(i * EMBEDDING_SIZE, (i + 1) * EMBEDDING_SIZE);
      if (opts.flip) {
        const m = data.subarray((count + i) * EMBEDDING_SIZE, (count + i + 1) * EMBEDDING_SIZE);
        for (let k = 0; k < EMBEDDING_SIZE; k++) v[k] = (v[k]! + m[k]!) / 2;
      }
      result.push(v);
    }
    return result;
  }

  async embed(img: RgbImage, fivePoints: readonly (readonly Point[])[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    return this.embedChips(this.alignChips(img, fivePoints), fivePoints.length, opts);
  }
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

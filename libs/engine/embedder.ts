// Face recognisers: an aligned chip → an embedding. One class owns the session and the network's
// own pre- and post-processing; which network runs is a catalog name (FACEREC_EMBEDDER).
//
//   faceplugin-fr512 (default): 112 px chip on the ArcFace 5-point template, NCHW RGB
//     (x − 127.5) / 128, 512-d, returned as unit vectors: the contract's distance is the plain
//     Euclidean distance between them and its similarity the cosine (s = 1 − d²/2).
//   faceplugin-fr512-int8: the same network quantised to int8 by the model build (QDQ, run by ONNX
//     Runtime's integer kernels on CPU), fed and normalised the same way; its vectors are its own.
//   dlib-resnet: 150 px dlib chip, NHWC RGB 0..255 (normalised inside the graph), 128-d, raw
//     (its norm carries information): compared by raw Euclidean distance, mapped onto the
//     contract's scale by the catalog's calibration (see calibration.ts).
import * as ort from 'onnxruntime-node';
import { warpToChip } from '../geometry/warp.js';
import type { RgbImage } from '../image/image.js';
import { modelSha256, onnxPath } from '../../models/catalog.js';
import { alignmentFor, type AlignableFace, type ChipAlignment } from './alignment.js';
import { moduleLogger } from '../log/logger.js';
import { createSession, type GraphOptimisation, type LoadedSession, type SessionConfig } from './session.js';

import { embedderFromEnv, type EmbedderName } from './choice.js';

export { DEFAULT_EMBEDDER, EMBEDDERS, embedderFromEnv, type EmbedderName } from './choice.js';

interface NetworkSpec {
  dimension: number;
  layout: 'NHWC' | 'NCHW';
  /** Applied by the engine: (x − mean) / std; absent when the graph normalises itself. */
  normalise?: { mean: number; std: number };
  output: string;
  /**
   * The largest batch one inference takes. faceplugin-fr512 was published with its batch fixed at
   * 1; the model build gives it a symbolic batch (models/tools/batch-dimension.ts), so every chip
   * of a call and its mirror image go through one inference.
   */
  maxBatch: number;
  /** Return unit vectors (compare by Euclidean distance = chord of the cosine). */
  unitVectors: boolean;
  /** ONNX Runtime's graph optimisation that runs this network fastest (see GraphOptimisation). */
  optimisation: GraphOptimisation;
}

const NETWORKS: Record<EmbedderName, NetworkSpec> = {
  // (x − 127.5)/128 measured against the vendor code's (x − 127)/128: see models/README.md.
  'faceplugin-fr512': { dimension: 512, layout: 'NCHW', normalise: { mean: 127.5, std: 128 }, output: 'output', maxBatch: Infinity, unitVectors: true, optimisation: 'extended' },
  // 'extended' fuses the QDQ pairs into QLinearConv / QLinearAdd (measured: models/README.md, int8).
  'faceplugin-fr512-int8': { dimension: 512, layout: 'NCHW', normalise: { mean: 127.5, std: 128 }, output: 'output', maxBatch: Infinity, unitVectors: true, optimisation: 'extended' },
  'dlib-resnet': { dimension: 128, layout: 'NHWC', output: 'descriptor', maxBatch: Infinity, unitVectors: false, optimisation: 'all' },
};

/** What a vector was made by: the catalog name and the SHA-256 of the network file. */
export interface EmbedderIdentity {
  model: string;
  sha256: string;
  dimension: number;
}

export function embedderIdentity(name: EmbedderName): EmbedderIdentity {
  return { model: name, sha256: modelSha256(name), dimension: NETWORKS[name].dimension };
}

/**
 * Test-time augmentation: with `flip` the embedding is the mean of the chip's and its mirror
 * image's (measured in models/README.md).
 */
export interface EmbedOptions {
  flip?: boolean;
  /** Replaces the network's input mean (to measure preprocessing candidates; see `facerec eval lfw`). */
  inputMean?: number;
}

export class FaceEmbedder {
  readonly alignment: ChipAlignment;
  readonly dimension: number;
  readonly sha256: string;
  /** Whether embeddings are unit vectors (compared by Euclidean distance = chord of the cosine). */
  readonly unitVectors: boolean;
  private readonly spec: NetworkSpec;

  private constructor(
    readonly model: EmbedderName,
    private readonly loaded: LoadedSession,
  ) {
    this.spec = NETWORKS[model];
    this.alignment = alignmentFor(model);
    this.dimension = this.spec.dimension;
    this.unitVectors = this.spec.unitVectors;
    this.sha256 = modelSha256(model);
  }

  static async load(config?: SessionConfig, model: EmbedderName = embedderFromEnv()): Promise<FaceEmbedder> {
    const loaded = await createSession(onnxPath(model), config, undefined, NETWORKS[model].optimisation);
    // The int8 recogniser is measured on CPU only (models/README.md, int8): say so where it runs elsewhere.
    if (model === 'faceplugin-fr512-int8' && loaded.provider !== 'cpu') {
      moduleLogger('embedder').warn({ model, provider: loaded.provider }, 'the int8 recogniser is measured on CPU only; GPU nodes are meant to run faceplugin-fr512');
    }
    return new FaceEmbedder(model, loaded);
  }

  get provider(): string {
    return this.loaded.provider;
  }

  get chipSize(): number {
    return this.alignment.size;
  }

  /** Aligned chips (RGB 0..255, HWC, one after the other) for the faces. */
  alignChips(img: RgbImage, faces: readonly AlignableFace[]): Float32Array {
    const size = this.alignment.size;
    const floats = size * size * 3;
    const chips = new Float32Array(faces.length * floats);
    faces.forEach((face, i) => warpToChip(img, this.alignment.transform(face), size, size, chips, i * floats));
    return chips;
  }

  /** Embeddings of `count` HWC RGB 0..255 chips laid one after the other (mirrored too with `flip`). */
  async embedChips(chips: Float32Array | Uint8Array, count: number, opts: EmbedOptions = {}): Promise<Float32Array[]> {
    const views = await this.embedChipViews(chips, count, opts);
    return views.map((v) => meanOfViews(v, this.spec.unitVectors));
  }

  /** Per chip, the embedding of each view: the chip, then (with `flip`) its mirror image. */
  async embedChipViews(chips: Float32Array | Uint8Array, count: number, opts: EmbedOptions = {}): Promise<Float32Array[][]> {
    if (count === 0) return [];
    const size = this.alignment.size;
    const floats = size * size * 3;
    if (chips.length < count * floats) throw new RangeError(`${count} chips of ${size}x${size} need ${count * floats} values, got ${chips.length}`);
    const views = opts.flip ? 2 : 1;
    const perChip: Float32Array[][] = Array.from({ length: count }, () => []);
    // Inputs laid [view][chip] so that a batch is contiguous; run in batches the graph accepts.
    const total = count * views;
    const batch = Math.min(total, this.spec.maxBatch);
    const input = new Float32Array(batch * floats);
    for (let start = 0; start < total; start += batch) {
      const n = Math.min(batch, total - start);
      for (let k = 0; k < n; k++) {
        const item = start + k;
        const chip = item % count;
        this.toInput(chips, chip * floats, item >= count, input, k * floats, opts.inputMean);
      }
      const shape = this.spec.layout === 'NCHW' ? [n, 3, size, size] : [n, size, size, 3];
      const out = await this.loaded.session.run({ input: new ort.Tensor('float32', input.subarray(0, n * floats), shape) });
      const data = out[this.spec.output]!.data as Float32Array;
      for (let k = 0; k < n; k++) {
        const v = data.slice(k * this.dimension, (k + 1) * this.dimension);
        perChip[(start + k) % count]!.push(this.spec.unitVectors ? unit(v) : v);
      }
    }
    return perChip;
  }

  /** One embedding per face (see EmbedOptions), in one batch. */
  async embed(img: RgbImage, faces: readonly AlignableFace[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    if (faces.length === 0) return [];
    return this.embedChips(this.alignChips(img, faces), faces.length, opts);
  }

  /** `count` HWC RGB 0..255 chips laid one after the other (mirrored with `mirror`) as one input of the network, as embedChipViews feeds them. */
  networkInput(chips: Float32Array | Uint8Array, count: number, mirror: boolean): Float32Array {
    const floats = this.alignment.size * this.alignment.size * 3;
    const out = new Float32Array(count * floats);
    for (let i = 0; i < count; i++) this.toInput(chips, i * floats, mirror, out, i * floats);
    return out;
  }

  /** One HWC 0..255 chip (optionally mirrored) into the network's input layout and range. */
  private toInput(chips: Float32Array | Uint8Array, from: number, mirror: boolean, out: Float32Array, to: number, inputMean?: number): void {
    const size = this.alignment.size;
    const plane = size * size;
    const mean = inputMean ?? this.spec.normalise?.mean ?? 0;
    const inv = 1 / (this.spec.normalise?.std ?? 1);
    const nchw = this.spec.layout === 'NCHW';
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const s = from + (y * size + (mirror ? size - 1 - x : x)) * 3;
        const p = y * size + x;
        for (let c = 0; c < 3; c++) {
          const v = (chips[s + c]! - mean) * inv;
          if (nchw) out[to + c * plane + p] = v;
          else out[to + p * 3 + c] = v;
        }
      }
  }
}

/**
 * One embedding from a face's views: their mean, unit-normalised for unit-vector networks (each
 * view is a unit vector already, so neither outweighs the other).
 */
export function meanOfViews(views: readonly Float32Array[], unitVectors: boolean): Float32Array {
  const v = new Float32Array(views[0]!.length);
  for (const view of views) for (let d = 0; d < v.length; d++) v[d]! += view[d]! / views.length;
  return unitVectors ? unit(v) : v;
}

export function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  if (n === 0) return v.slice();
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

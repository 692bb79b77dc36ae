// Reads TF.js weight manifests (`weightsManifest` groups + .bin shards) into float32 / int32 arrays,
// undoing the quantisation TF.js applies (uint8/uint16 affine, float16) exactly as tfjs does.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; min?: number; scale?: number };
}

export interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface Weight {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

const BYTES = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 } as const;

/** Loads every weight of a manifest whose shards sit in `dir`. */
export function loadWeights(manifest: ManifestGroup[], dir: string): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const group of manifest) {
    const buffers = group.paths.map((p) => readFileSync(join(dir, p)));
    const all = Buffer.concat(buffers);
    let offset = 0;
    for (const spec of group.weights) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const stored = spec.quantization?.dtype ?? spec.dtype;
      const bytes = count * BYTES[stored];
      const view = new DataView(all.buffer, all.byteOffset + offset, bytes);
      out.set(spec.name, { shape: spec.shape, dtype: spec.dtype, data: decode(view, count, spec) });
      offset += bytes;
    }
    if (offset !== all.length) throw new Error(`weights manifest in ${dir}: read ${offset} of ${all.length} bytes`);
  }
  return out;
}

export function loadWeightsFile(manifestPath: string): Map<string, Weight> {
  const parsed = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestGroup[] | { weightsManifest: ManifestGroup[] };
  const manifest = Array.isArray(parsed) ? parsed : parsed.weightsManifest;
  return loadWeights(manifest, dirname(manifestPath));
}

function decode(view: DataView, count: number, spec: WeightSpec): Float32Array | Int32Array {
  const q = spec.quantization;
  if (!q) {
    if (spec.dtype === 'int32') return Int32Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true));
    return Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
  }
  if (q.dtype === 'float16') return Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(i * 2, true)));
  const scale = q.scale ?? 1;
  const min = q.min ?? 0;
  const read = q.dtype === 'uint8' ? (i: number) => view.getUint8(i) : (i: number) => view.getUint16(i * 2, true);
  // Same arithmetic as tfjs (double, then stored as float32 / rounded to int32): bit-identical weights.
  if (spec.dtype === 'int32') return Int32Array.from({ length: count }, (_, i) => Math.round(read(i) * scale + min));
  return Float32Array.from({ length: count }, (_, i) => read(i) * scale + min);
}

/** IEEE 754 half → float, exact for every value including subnormals. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

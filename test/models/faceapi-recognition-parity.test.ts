// Parity: the ONNX rebuild of face-api's face recognition net (models/tools/faceapi-recognition.ts)
// run in onnxruntime-node vs the original face-api network run in TF.js (WASM backend).
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFaceRecognitionOnnx } from '../../models/tools/faceapi-recognition.js';
import { loadOriginalFaceRecognitionNet, type FaceRecognitionFn } from '../../libs/bench/faceapi-original.js';
import { randomPixels } from '../support/random.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MANIFEST = join(ROOT, 'node_modules/@vladmandic/face-api/model/face_recognition_model-weights_manifest.json');
const DATA_DIR = resolve(ROOT, process.env.FACEREC_TEST_DATA ?? '../shared/data');
const GALLERY = join(DATA_DIR, 'faces/sitcom/gallery');
const SIZE = 150;
const PIXELS = SIZE * SIZE * 3;
const DIM = 128;

let session: ort.InferenceSession;
let original: FaceRecognitionFn;
let modelBytes: Uint8Array;

beforeAll(async () => {
  modelBytes = buildFaceRecognitionOnnx(MANIFEST);
  session = await ort.InferenceSession.create(Buffer.from(modelBytes), { intraOpNumThreads: 2, interOpNumThreads: 1 });
  original = await loadOriginalFaceRecognitionNet({ backend: 'wasm' });
});

afterAll(async () => {
  await session?.release();
});

async function runOnnx(batch: Float32Array, n: number): Promise<Float32Array> {
  const out = await session.run({ input: new ort.Tensor('float32', batch, [n, SIZE, SIZE, 3]) });
  const d = out.descriptor!;
  expect(d.dims).toEqual([n, DIM]);
  return d.data as Float32Array;
}

interface Stats {
  maxAbs: number;
  relErr: number; // max|a-b| / max|b|, worst vector
  minCos: number;
}

/** Compares n descriptors vector by vector; asserts the parity bounds and returns the worst figures. */
function compare(label: string, onnx: Float32Array, ref: Float32Array, n: number): Stats {
  expect(onnx.length).toBe(n * DIM);
  expect(ref.length).toBe(n * DIM);
  const stats: Stats = { maxAbs: 0, relErr: 0, minCos: 1 };
  for (let k = 0; k < n; k++) {
    const a = onnx.subarray(k * DIM, (k + 1) * DIM);
    const b = ref.subarray(k * DIM, (k + 1) * DIM);
    let maxAbs = 0;
    let maxRef = 0;
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < DIM; i++) {
      const x = a[i]!;
      const y = b[i]!;
      expect(Number.isFinite(x)).toBe(true);
      maxAbs = Math.max(maxAbs, Math.abs(x - y));
      maxRef = Math.max(maxRef, Math.abs(y));
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    const cos = dot / Math.sqrt(na * nb);
    expect(maxRef, `${label}[${k}]: reference descriptor is all zeros`).toBeGreaterThan(0);
    expect(maxAbs, `${label}[${k}]: max abs error ${maxAbs} vs max |ref| ${maxRef}`).toBeLessThanOrEqual(1e-3 * maxRef);
    expect(cos, `${label}[${k}]: cosine`).toBeGreaterThanOrEqual(0.9999);
    stats.maxAbs = Math.max(stats.maxAbs, maxAbs);
    stats.relErr = Math.max(stats.relErr, maxAbs / maxRef);
    stats.minCos = Math.min(stats.minCos, cos);
  }
  console.log(`${label}: max abs err ${stats.maxAbs.toExponential(3)}, rel ${stats.relErr.toExponential(3)}, min cos ${stats.minCos.toFixed(8)} (${original.backend})`);
  return stats;
}

/** gallery/<person>/<name>1.png, sorted, the first `count`. */
function galleryImages(count: number): string[] {
  if (!existsSync(GALLERY)) return [];
  const files: string[] = [];
  for (const person of readdirSync(GALLERY, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const f of readdirSync(join(GALLERY, person)).sort()) if (f.endsWith('1.png')) files.push(join(GALLERY, person, f));
  }
  return files.slice(0, count);
}

/** Any image -> 150x150 RGB (cover crop) as float32 0..255, NHWC. */
async function loadFace(path: string): Promise<Float32Array> {
  const { data, info } = await sharp(path)
    .resize(SIZE, SIZE, { fit: 'cover' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== SIZE || info.height !== SIZE) throw new Error(`${path}: got ${info.width}x${info.height}`);
  const out = new Float32Array(PIXELS);
  const c = info.channels;
  for (let p = 0; p < SIZE * SIZE; p++) {
    for (let k = 0; k < 3; k++) out[p * 3 + k] = data[p * c + (c >= 3 ? k : 0)]!;
  }
  return out;
}

describe('face-api face recognition net: ONNX rebuild vs original', () => {
  it('builds byte-identical models from the same weights', () => {
    const again = buildFaceRecognitionOnnx(MANIFEST);
    expect(again.length).toBe(modelBytes.length);
    expect(Buffer.compare(Buffer.from(again), Buffer.from(modelBytes))).toBe(0);
  });

  it('matches on 3 random inputs (uniform 0..255)', async () => {
    const n = 3;
    const batch = randomPixels(n * PIXELS, 0x5eed);
    const onnx = await runOnnx(batch, n);
    const ref = await original(batch, n);
    compare('random', onnx, ref, n);
    // Batch independence: the first face alone gives the same descriptor as inside the batch.
    const single = await runOnnx(batch.slice(0, PIXELS), 1);
    compare('random[0] alone', single, ref.subarray(0, DIM), 1);
  });

  it('matches on 3 real face crops', async (ctx) => {
    const files = galleryImages(3);
    if (files.length < 3) {
      const reason = `real-image parity needs 3 images ${GALLERY}/*/*1.png (FACEREC_TEST_DATA=${DATA_DIR}); found ${files.length}`;
      if (process.env.CI === 'true') throw new Error(reason);
      console.warn(`skipping: ${reason}`);
      ctx.skip(reason);
      return;
    }
    const n = files.length;
    const batch = new Float32Array(n * PIXELS);
    for (let k = 0; k < n; k++) batch.set(await loadFace(files[k]!), k * PIXELS);
    const onnx = await runOnnx(batch, n);
    const ref = await original(batch, n);
    compare('faces', onnx, ref, n);
  });
});

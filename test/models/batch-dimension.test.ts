// The published graphs whose batch was fixed at 1 (YuNet-s, faceplugin-fr512), rewritten by the
// model build to take a batch (models/tools/batch-dimension.ts): the rewrite is deterministic and
// gives the catalog's SHA-256; on real data the rewritten graph computes what the published one
// does, and a batch of N computes, image for image, what N runs of one do — through the engine's
// own paths (FaceEmbedder.embedChipViews, YuNetDetector.detectBatch). Differences are printed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogEntry, modelSha256, onnxPath, readCatalog } from '../../models/catalog.js';
import { withBatchDimension } from '../../models/tools/batch-dimension.js';
import { fetchPublished } from '../../models/tools/published.js';
import { FaceEmbedder } from '../../libs/engine/embedder.js';
import { YuNetDetector } from '../../libs/engine/yunet.js';
import { decodeImage, resizeImage, type RgbImage } from '../../libs/image/image.js';
import { sharedDataFile } from '../support/shared-data.js';

const probes = sharedDataFile('faces/people/probes');
const CPU = { providers: ['cpu' as const], intraOpThreads: 1, cudaDeviceId: 0 };
const PHOTOS = ['obama_and_biden.jpg', 'two_people.jpg', 'obama1.jpg', 'alex_lacamoire1.jpg', 'kit_with_rose.jpg', 'johnsnow_test1.jpg'];
const REWRITTEN = Object.entries(readCatalog().models).filter(([, e]) => e.rewrite);

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const figures: string[] = [];
afterAll(() => figures.forEach((f) => console.log(f)));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The published bytes, or undefined (with the reason) when neither the mirror nor the registry can give them here. */
async function published(id: string): Promise<Uint8Array | undefined> {
  const entry = catalogEntry(id);
  try {
    return (await fetchPublished(id, entry.source!, entry.source!.sha256!)).bytes;
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    console.warn(`skipping the published-file comparison for ${id}: ${(err as Error).message}`);
    return undefined;
  }
}

describe('models rewritten to take a batch', () => {
  it('are the rewritten models of the catalog, each pinning its published file apart', () => {
    expect(REWRITTEN.map(([id]) => id).sort()).toEqual(['faceplugin-fr512', 'yunet']);
    for (const [id, entry] of REWRITTEN) {
      expect(entry.source?.sha256, id).toMatch(/^[0-9a-f]{64}$/);
      expect(entry.source?.sha256, id).not.toBe(entry.onnx.sha256);
      // Vectors keep naming the network by its published file: same weights, same vectors.
      expect(modelSha256(id)).toBe(entry.source!.sha256);
      // The built file is the catalog's.
      expect(sha256(readFileSync(onnxPath(id))), `${id}: run npm run build:models`).toBe(entry.onnx.sha256);
    }
    expect(modelSha256('faceplugin-fr512')).toBe('87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581');
  });

  for (const [id, entry] of REWRITTEN) {
    it(`${id}: the rewrite of the published file is deterministic, gives the catalog's SHA-256, and computes what the published graph does`, async (ctx) => {
      const bytes = await published(id);
      if (!bytes) return ctx.skip();
      const first = withBatchDimension(bytes, entry.rewrite!);
      const second = withBatchDimension(bytes, entry.rewrite!);
      expect(Buffer.compare(Buffer.from(first.bytes), Buffer.from(second.bytes))).toBe(0);
      expect(sha256(first.bytes)).toBe(entry.onnx.sha256);
      expect(first.report.values).toContain('input');
      expect(first.report.reshapeShapes.length).toBeGreaterThan(0);
      // Only a few bytes change: the weights are untouched.
      expect(Math.abs(first.bytes.length - bytes.length)).toBeLessThan(100);
      // Refused: a graph with no fixed batch left.
      expect(() => withBatchDimension(first.bytes, entry.rewrite!)).toThrow(/no graph input or output has a fixed batch of 1/);

      const opts = { intraOpNumThreads: 1, interOpNumThreads: 1 };
      const [a, b] = await Promise.all([ort.InferenceSession.create(Buffer.from(bytes), opts), ort.InferenceSession.create(Buffer.from(first.bytes), opts)]);
      const dims = id === 'yunet' ? [1, 3, 544, 960] : [1, 3, 112, 112];
      const x = new Float32Array(dims.reduce((p, q) => p * q, 1));
      if (probes) {
        // A real photo, as the network's input (its range, not its exact preprocessing, matters here).
        const img = await resizeImage(await decodeImage(join(probes, PHOTOS[0]!)), dims[3]!, dims[2]!);
        const plane = dims[2]! * dims[3]!;
        for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) x[c * plane + p] = id === 'yunet' ? img.data[p * 3 + 2 - c]! : (img.data[p * 3 + c]! - 127.5) / 128;
      } else for (let i = 0; i < x.length; i++) x[i] = ((i * 37) % 256) / 128 - 1;
      const [oa, ob] = await Promise.all([a.run({ input: new ort.Tensor('float32', x, dims) }), b.run({ input: new ort.Tensor('float32', x, dims) })]);
      let most = 0;
      for (const name of a.outputNames) most = Math.max(most, maxAbsDiff(oa[name]!.data as Float32Array, ob[name]!.data as Float32Array));
      figures.push(`${id}: rewritten vs published graph, batch 1: max abs difference ${most.toExponential(2)}`);
      expect(most).toBeLessThanOrEqual(1e-5);
      await Promise.all([a.release(), b.release()]);
    }, 120_000);
  }
});

describe.skipIf(!probes)('a batch of N computes what N runs of one do', () => {
  let frames: RgbImage[];
  beforeAll(async () => {
    // Photos scaled to one frame size (as a video's frames are), and one of another size.
    frames = [];
    for (const f of PHOTOS) frames.push(await resizeImage(await decodeImage(join(probes!, f)), 960, 540));
    frames.push(await resizeImage(await decodeImage(join(probes!, PHOTOS[1]!)), 640, 480));
  });

  it('faceplugin-fr512: real aligned chips, every chip and its mirror image in one inference', async () => {
    const detector = await YuNetDetector.load(CPU);
    const embedder = await FaceEmbedder.load(CPU, 'faceplugin-fr512');
    const size = embedder.chipSize;
    const floats = size * size * 3;
    const chipList: Float32Array[] = [];
    for (const img of frames) {
      const faces = await detector.detect(img);
      if (faces.length > 0) chipList.push(embedder.alignChips(img, faces));
    }
    const chips = new Float32Array(chipList.reduce((n, c) => n + c.length, 0));
    chipList.reduce((at, c) => (chips.set(c, at), at + c.length), 0);
    const n = chips.length / floats;
    expect(n).toBeGreaterThanOrEqual(6);

    const batched = await embedder.embedChipViews(chips, n, { flip: true }); // one inference of 2n
    let most = 0;
    let leastCos = 1;
    for (let i = 0; i < n; i++) {
      const chip = chips.subarray(i * floats, (i + 1) * floats);
      const mirrored = new Float32Array(floats);
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) mirrored[(y * size + x) * 3 + c] = chip[(y * size + size - 1 - x) * 3 + c]!;
      const [alone] = await embedder.embedChipViews(chip, 1, { flip: false }); // batch 1
      const [aloneMirror] = await embedder.embedChipViews(mirrored, 1, { flip: false });
      for (const [one, many] of [[alone![0]!, batched[i]![0]!], [aloneMirror![0]!, batched[i]![1]!]] as const) {
        most = Math.max(most, maxAbsDiff(one, many));
        leastCos = Math.min(leastCos, one.reduce((s, v, d) => s + v * many[d]!, 0));
      }
    }
    figures.push(`faceplugin-fr512: ${n} real chips + mirrors in one inference (batch ${2 * n}) vs batch 1: max abs difference ${most.toExponential(2)} (unit vectors), least cosine ${leastCos.toFixed(9)}`);
    expect(most).toBeLessThanOrEqual(1e-5);
  }, 120_000);

  it('YuNet-s: frames of the same padded size detected in shared inferences find what each frame alone does', async () => {
    const detector = await YuNetDetector.load(CPU);
    const alone: Awaited<ReturnType<YuNetDetector['detect']>>[] = [];
    for (const img of frames) alone.push(await detector.detect(img));
    const together = await detector.detectBatch(frames);
    const inTwos = await detector.detectBatch(frames, {}, 2);
    let most = 0;
    let faces = 0;
    for (const batch of [together, inTwos]) {
      expect(batch.map((f) => f.length)).toEqual(alone.map((f) => f.length));
      batch.forEach((found, i) =>
        found.forEach((f, k) => {
          const a = alone[i]![k]!;
          most = Math.max(most, Math.abs(f.score - a.score), Math.abs(f.box.x - a.box.x), Math.abs(f.box.y - a.box.y), Math.abs(f.box.w - a.box.w), Math.abs(f.box.h - a.box.h));
          f.landmarks.forEach(([x, y], q) => (most = Math.max(most, Math.abs(x - a.landmarks[q]![0]), Math.abs(y - a.landmarks[q]![1]))));
        }),
      );
      faces += batch.flat().length;
    }
    expect(faces).toBeGreaterThanOrEqual(2 * frames.length);
    figures.push(`yunet: ${frames.length} frames (${frames.length - 1} of 960x540, one 640x480) batched vs one by one, ${faces / 2} faces: max abs difference of scores, boxes and landmarks (px) ${most.toExponential(2)}`);
    expect(most).toBeLessThanOrEqual(1e-3);
  }, 120_000);
});

// Calibration for the int8 recogniser (models/tools/quantise.ts): the range of every activation the
// rewrite quantises, measured by running the float graph — with those activations added as outputs —
// over aligned chips (and their mirror images, as the engine embeds them) of LFW photos that no
// evaluation here uses: people not named in view 2's pairs.txt with 1 to 3 photos (the open-set
// protocol's gallery and probes are people with ≥ 4 photos), less the open set's 500 default
// strangers (one-photo people spread evenly, as libs/eval/openset.ts takes them); the first photo of
// every k-th such person in name order. A fixed rule, so the same folder gives the same ranges.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { catalogEntry } from '../../models/catalog.js';
import { activationParams, quantisedActivations, withExtraOutputs, type ActivationRanges, type CalibrationFile } from '../../models/tools/quantise.js';
import type { FaceEmbedder } from '../engine/embedder.js';
import type { FaceEngine } from '../engine/engine.js';
import { parseLfwPairs } from './lfw.js';
import { evenly } from './openset.js';
import { centreFaceOf, personFolders } from './photo-embeddings.js';
import { Progress } from './progress.js';

const CALIBRATION_RULE = "people not in view 2's pairs.txt with 1-3 photos, less the open set's 500 default strangers; name order, first photo of every k-th person";
/** The open set's default strangers (`facerec eval openset --strangers 500`), left out of calibration. */
const OPEN_SET_STRANGERS = 500;

/** The calibration photos (relative to the images folder): `count` of them by the rule above. */
function calibrationPhotos(imagesDir: string, pairsText: string, count: number): string[] {
  const inPairs = new Set(parseLfwPairs(pairsText).flatMap((p) => [p.a.name, p.b.name]));
  const all = personFolders(imagesDir);
  const singles = all.filter((p) => p.photos.length === 1);
  const strangers = new Set(evenly(singles, OPEN_SET_STRANGERS).map((p) => p.name));
  const people = all.filter((p) => !inPairs.has(p.name) && !strangers.has(p.name) && p.photos.length <= 3);
  const step = Math.max(1, Math.floor(people.length / count));
  const out: string[] = [];
  for (let i = 0; i < people.length && out.length < count; i += step) out.push(join(people[i]!.name, people[i]!.photos[0]!));
  return out;
}

/** Aligned chips of the photos' centre faces (photos without a face are skipped). */
export async function calibrationChips(engine: FaceEngine, imagesDir: string, photos: readonly string[], scale = 600): Promise<{ chips: Float32Array; count: number }> {
  const size = engine.embedder.chipSize;
  const parts: Float32Array[] = [];
  const progress = new Progress('calibration chips', photos.length);
  for (const p of photos) {
    const found = await centreFaceOf(engine, join(imagesDir, p), scale);
    if (found) parts.push(engine.embedder.alignChips(found.img, [found.face]));
    progress.tick();
  }
  progress.done();
  const chips = new Float32Array(parts.length * size * size * 3);
  parts.forEach((c, i) => chips.set(c, i * c.length));
  return { chips, count: parts.length };
}

const HISTOGRAM_BINS = 4096;
/** Candidate clips of each side of a range: the share of values left outside it. */
const CLIP_TAILS = [0, 1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2];

/** Per quantised activation of the float graph, its range: min/max, or the clip of least squared quantisation error. */
interface MeasuredRanges {
  minMax: ActivationRanges;
  /** Per tensor the [lo, hi] among min/max and its tails clipped (CLIP_TAILS) whose uint8 quantisation has the least mean squared error over the histogram. */
  leastError: ActivationRanges;
}

/**
 * Runs the float graph `modelPath` (its quantised activations added as outputs) over the chips
 * and their mirrors twice: min and max first, then a histogram of each activation over that range,
 * from which the clipped range of least squared error is chosen. `embedder` (the float network's)
 * turns the chips into its input, as it does when it embeds them.
 */
async function activationRanges(modelPath: string, chips: Float32Array, count: number, embedder: FaceEmbedder, batch = 8): Promise<MeasuredRanges> {
  const model = new Uint8Array(readFileSync(modelPath));
  const names = quantisedActivations(model);
  const session = await ort.InferenceSession.create(withExtraOutputs(model, names), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const size = embedder.chipSize;
  const floats = size * size * 3;
  const pass = async (visit: (name: string, data: Float32Array) => void): Promise<void> => {
    for (const mirror of [false, true])
      for (let start = 0; start < count; start += batch) {
        const n = Math.min(batch, count - start);
        const input = embedder.networkInput(chips.subarray(start * floats, (start + n) * floats), n, mirror);
        const out = await session.run({ input: new ort.Tensor('float32', input, [n, 3, size, size]) }, names);
        for (const name of names) visit(name, out[name]!.data as Float32Array);
      }
  };
  const minMax: ActivationRanges = Object.fromEntries(names.map((n) => [n, [Infinity, -Infinity]]));
  await pass((name, data) => {
    const r = minMax[name]!;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < r[0]) r[0] = v;
      if (v > r[1]) r[1] = v;
    }
  });
  const histograms = new Map(names.map((n) => [n, new Float64Array(HISTOGRAM_BINS)]));
  await pass((name, data) => {
    const [lo, hi] = minMax[name]!;
    const h = histograms.get(name)!;
    const k = HISTOGRAM_BINS / (hi - lo || 1);
    for (let i = 0; i < data.length; i++) h[Math.min(HISTOGRAM_BINS - 1, Math.floor((data[i]! - lo) * k))]! += 1;
  });
  await session.release();
  const leastError: ActivationRanges = {};
  for (const name of names) leastError[name] = leastErrorRange(histograms.get(name)!, minMax[name]![0], minMax[name]![1]);
  // float32 figures, as JSON writes them shortest: the file stays small and reads back exactly.
  for (const ranges of [minMax, leastError]) for (const r of Object.values(ranges)) [r[0], r[1]] = [Math.fround(r[0]), Math.fround(r[1])];
  return { minMax, leastError };
}

/** Among [min, max] with each tail clipped by a CLIP_TAILS share, the range whose uint8 quantisation (activationParams) has the least squared error over the histogram. */
export function leastErrorRange(h: Float64Array, min: number, max: number): [number, number] {
  const bins = h.length;
  const width = (max - min) / bins;
  const total = h.reduce((a, b) => a + b, 0);
  const centre = (i: number) => min + (i + 0.5) * width;
  const cut = (tail: number, fromTop: boolean): number => {
    if (tail === 0) return fromTop ? max : min;
    let seen = 0;
    for (let k = 0; k < bins; k++) {
      const i = fromTop ? bins - 1 - k : k;
      seen += h[i]!;
      if (seen > tail * total) return fromTop ? min + (i + 1) * width : min + i * width;
    }
    return fromTop ? max : min;
  };
  let best: [number, number] = [min, max];
  let bestError = Infinity;
  for (const low of CLIP_TAILS)
    for (const high of CLIP_TAILS) {
      const lo = cut(low, false);
      const hi = cut(high, true);
      const { scale, zeroPoint } = activationParams(lo, hi);
      let error = 0;
      for (let i = 0; i < bins; i++) {
        if (h[i] === 0) continue;
        const v = centre(i);
        const q = (Math.min(255, Math.max(0, Math.round(v / scale) + zeroPoint)) - zeroPoint) * scale;
        error += h[i]! * (v - q) ** 2;
      }
      if (error < bestError) [best, bestError] = [[lo, hi], error];
    }
  return best;
}

export type RangeMethod = 'min-max' | 'least-error';

export async function calibrate(engine: FaceEngine, model: string, modelPath: string, imagesDir: string, pairsFile: string, count: number, method: RangeMethod = 'least-error'): Promise<CalibrationFile> {
  const photos = calibrationPhotos(imagesDir, readFileSync(pairsFile, 'utf8'), count);
  const { chips, count: found } = await calibrationChips(engine, imagesDir, photos);
  const { minMax, leastError } = await activationRanges(modelPath, chips, found, engine.embedder);
  const ranges = method === 'min-max' ? minMax : leastError;
  return {
    model,
    onnxSha256: catalogEntry(model).onnx.sha256,
    chips: { source: 'lfw-dev/images', rule: CALIBRATION_RULE, count: found, views: 'each chip and its mirror image' },
    method: method === 'min-max' ? 'min and max over the chips' : `min and max with each tail clipped by a share of ${CLIP_TAILS.join(', ')}: the clip of least squared uint8 quantisation error (histogram of ${HISTOGRAM_BINS} bins)`,
    ranges,
  };
}

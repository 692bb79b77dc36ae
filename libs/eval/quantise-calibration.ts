// Calibration for the int8 networks (models/tools/quantise.ts): the range of every activation the
// rewrite quantises, measured by running the float graph — with those activations added as outputs —
// over inputs no evaluation here uses. The recogniser's (the detector's: below, calibrateDetector):
// aligned chips (and their mirror images, as the engine embeds them) of LFW photos that no
// evaluation here uses: people not named in view 2's pairs.txt with 1 to 3 photos (the open-set
// protocol's gallery and probes are people with ≥ 4 photos), less the open set's 500 default
// strangers (one-photo people spread evenly, as libs/eval/openset.ts takes them); the first photo of
// every k-th such person in name order. A fixed rule, so the same folder gives the same ranges.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { readPeopleCsv } from '../celebrities/sources.js';
import { DEFAULT_DETECTION_SCALE } from '../engine/detect-options.js';
import { networkInputs } from '../engine/yunet.js';
import type { RgbImage } from '../image/image.js';
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

/** The network's inputs ("input") of a calibration set, made again for each pass. */
type CalibrationInputs = () => AsyncIterable<ort.Tensor>;

/** The chips and then their mirror images, as `embedder` (the float network's) makes its input when it embeds them. */
function chipInputs(chips: Float32Array, count: number, embedder: FaceEmbedder, batch = 8): CalibrationInputs {
  const size = embedder.chipSize;
  const floats = size * size * 3;
  return async function* () {
    for (const mirror of [false, true])
      for (let start = 0; start < count; start += batch) {
        const n = Math.min(batch, count - start);
        yield new ort.Tensor('float32', embedder.networkInput(chips.subarray(start * floats, (start + n) * floats), n, mirror), [n, 3, size, size]);
      }
  };
}

/**
 * Runs the float graph `modelPath` (its quantised activations added as outputs) over the inputs
 * twice: min and max first, then a histogram of each activation over that range, from which the
 * clipped range of least squared error is chosen.
 */
async function activationRanges(modelPath: string, inputs: CalibrationInputs): Promise<MeasuredRanges> {
  const model = new Uint8Array(readFileSync(modelPath));
  const names = quantisedActivations(model);
  const session = await ort.InferenceSession.create(withExtraOutputs(model, names), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const pass = async (visit: (name: string, data: Float32Array) => void): Promise<void> => {
    for await (const input of inputs()) {
      const out = await session.run({ input }, names);
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

const METHODS: Record<RangeMethod, string> = {
  'min-max': 'min and max over the calibration set',
  'least-error': `min and max with each tail clipped by a share of ${CLIP_TAILS.join(', ')}: the clip of least squared uint8 quantisation error (histogram of ${HISTOGRAM_BINS} bins)`,
};

export async function calibrate(engine: FaceEngine, model: string, modelPath: string, imagesDir: string, pairsFile: string, count: number, method: RangeMethod = 'least-error'): Promise<CalibrationFile> {
  const photos = calibrationPhotos(imagesDir, readFileSync(pairsFile, 'utf8'), count);
  const { chips, count: found } = await calibrationChips(engine, imagesDir, photos);
  return calibrationFile(model, modelPath, chipInputs(chips, found, engine.embedder), method, { source: 'lfw-dev/images', rule: CALIBRATION_RULE, count: found, views: 'each chip and its mirror image' });
}

/** The ranges of `model`'s activations over the inputs, by `method`, with how they were had. */
async function calibrationFile(model: string, modelPath: string, inputs: CalibrationInputs, method: RangeMethod, chips: CalibrationFile['chips']): Promise<CalibrationFile> {
  const { minMax, leastError } = await activationRanges(modelPath, inputs);
  return { model, onnxSha256: catalogEntry(model).onnx.sha256, chips, method: METHODS[method], ranges: method === 'min-max' ? minMax : leastError };
}

// The detector (YuNet) is calibrated on frames made of photos from the `celebrities` folder's Pins
// and CFP sources (gallery photos: the celebrities open set holds out LFW and Congress people, and
// detection is evaluated on wider-dev): each frame a black 960x540 canvas with a grid of photos,
// each fitted into its cell, the grids cycling from one photo to 8x5, so faces come at sizes from
// the whole frame down to ~60 px; the photos every k-th of people.csv's rows of those sources.
const FRAME = { width: 960, height: 540 };
const FRAME_GRIDS: [number, number][] = [[1, 1], [2, 1], [3, 2], [5, 3], [8, 5]];
const DETECTOR_SOURCES = ['pins', 'cfp'] as const;
const DETECTOR_RULE = `people.csv rows of ${DETECTOR_SOURCES.join(' and ')} in file order, every k-th; ${FRAME.width}x${FRAME.height} black frames of grids ${FRAME_GRIDS.map(([c, r]) => `${c}x${r}`).join(', ')} (cycling), each photo fitted into its cell`;

/** The calibration frames: `count` of them by the rule above. */
async function calibrationFrames(celebritiesDir: string, count: number): Promise<RgbImage[]> {
  const photos = readPeopleCsv(celebritiesDir, DETECTOR_SOURCES).flatMap((p) => p.photos.map((ph) => ph.file));
  const grids = Array.from({ length: count }, (_, i) => FRAME_GRIDS[i % FRAME_GRIDS.length]!);
  const needed = grids.reduce((n, [c, r]) => n + c * r, 0);
  if (photos.length < needed) throw new Error(`calibration: ${needed} photos needed, ${celebritiesDir} has ${photos.length} of ${DETECTOR_SOURCES.join(', ')}`);
  const step = Math.floor(photos.length / needed);
  let next = 0;
  const frames: RgbImage[] = [];
  const progress = new Progress('calibration frames', count);
  for (const [cols, rows] of grids) {
    const data = Buffer.alloc(FRAME.width * FRAME.height * 3);
    const cw = Math.floor(FRAME.width / cols);
    const ch = Math.floor(FRAME.height / rows);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const file = join(celebritiesDir, photos[next++ * step]!);
        const cell = await sharp(file).removeAlpha().toColourspace('srgb').resize(cw, ch, { fit: 'contain', background: { r: 0, g: 0, b: 0 } }).raw().toBuffer();
        for (let y = 0; y < ch; y++) cell.copy(data, ((r * ch + y) * FRAME.width + c * cw) * 3, y * cw * 3, (y + 1) * cw * 3);
      }
    frames.push({ width: FRAME.width, height: FRAME.height, data });
    progress.tick();
  }
  progress.done();
  return frames;
}

/** Each frame's levels at the detection scale, as the detector makes its input. */
function frameInputs(frames: readonly RgbImage[], scale: number): CalibrationInputs {
  return async function* () {
    for (const frame of frames) yield* await networkInputs(frame, scale);
  };
}

export async function calibrateDetector(model: string, modelPath: string, celebritiesDir: string, count: number, method: RangeMethod = 'least-error', scale = DEFAULT_DETECTION_SCALE): Promise<CalibrationFile> {
  const frames = await calibrationFrames(celebritiesDir, count);
  return calibrationFile(model, modelPath, frameInputs(frames, scale), method, {
    source: `celebrities/{${DETECTOR_SOURCES.join(',')}}`,
    rule: DETECTOR_RULE,
    count: frames.length,
    views: `each frame's levels at detection scale ${scale}`,
  });
}

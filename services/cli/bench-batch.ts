// `facerec bench batch`: what batching buys on the current execution provider — detector frames/s
// and embedder chips/s at batch 1, 4, 16 and 64, each beside its ratio to batch 1. Sessions are
// made as the services make them (FACEREC_EXECUTION_PROVIDERS, FACEREC_INTRA_OP_THREADS), and the
// provider each one actually got is printed: with `--require-provider cuda`, a session that fell
// back to the CPU fails the command (scripts/gpu-check.sh relies on it).
//
//   facerec bench batch [--batches 1,4,16,64] [--frame 960x540] [--scale 600] [--seconds 1.5] [--require-provider cuda|cpu]
//
// Detector: real photos scaled to the frame size (what the decoder sends), YuNet's levels for
// `--scale`, `locateBatch` over `batch` frames; also with the provider's default number of batches
// at once (libs/engine/batching.ts: on a CPU several single-threaded inferences share the cores).
// Embedder: real aligned chips of those frames' faces, one inference per batch, without and with
// the mirror image (chip + mirror in the same inference, as the embedder service runs them).
import { existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { DETECTOR_BATCHING } from '../../libs/engine/batching.js';
import { FaceEmbedder, embedderFromEnv } from '../../libs/engine/embedder.js';
import { detectorFromEnv, loadLocator } from '../../libs/engine/engine.js';
import { sessionConfigFromEnv } from '../../libs/engine/session.js';
import { decodeImage, resizeImage, type RgbImage } from '../../libs/image/image.js';
import { rootLogger } from '../../libs/log/logger.js';
import { ROOT } from '../checkout.js';
import { parseIntOption, UsageError } from './args.js';

const MIN_ROUNDS = 3;
const MAX_ROUNDS = 20;

/** Median seconds per call, after one warm-up call; rounds until MIN_ROUNDS and `seconds` have passed. */
async function time(seconds: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < MIN_ROUNDS || (performance.now() - started < seconds * 1000 && samples.length < MAX_ROUNDS)) {
    const t = performance.now();
    await fn();
    samples.push((performance.now() - t) / 1000);
  }
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  return samples.length % 2 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
}

/** Real photos (the shared probes) scaled to w x h, `count` of them (cycled); a textured frame when the data is absent. */
async function frames(count: number, w: number, h: number): Promise<{ frames: RgbImage[]; source: string }> {
  const dir = resolve(ROOT, process.env.FACEREC_TEST_DATA ?? '../shared/data', 'faces/people/probes');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort() : [];
  const distinct: RgbImage[] = [];
  for (const f of files) distinct.push(await resizeImage(await decodeImage(join(dir, f)), w, h));
  if (distinct.length === 0) {
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37) & 255;
    distinct.push({ width: w, height: h, data });
  }
  return { frames: Array.from({ length: count }, (_, i) => distinct[i % distinct.length]!), source: files.length ? `${files.length} photos of faces/people/probes` : 'a synthetic frame (no faces: data absent)' };
}

const fmt = (v: number, digits = 1) => v.toFixed(digits);
const ratio = (v: number, base: number) => `${(v / base).toFixed(2)}x`;

export interface BatchBenchRow {
  batch: number;
  detector_fps: number;
  detector_parallel_fps: number;
  embedder_chips_per_s: number;
  embedder_faces_per_s_mirrored: number;
}

export async function benchBatchCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      batches: { type: 'string', default: '1,4,16,64' },
      frame: { type: 'string', default: '960x540' },
      scale: { type: 'string', default: '600' },
      seconds: { type: 'string', default: '1.5' },
      'require-provider': { type: 'string' },
    },
  });
  const batches = values.batches.split(',').map((b) => parseIntOption('batches', b.trim()));
  if (batches.some((b) => b < 1)) throw new UsageError('--batches must be positive integers');
  const m = /^(\d+)x(\d+)$/.exec(values.frame);
  if (!m) throw new UsageError(`--frame: "${values.frame}" is not WIDTHxHEIGHT`);
  const [w, h] = [Number(m[1]), Number(m[2])];
  const scale = parseIntOption('scale', values.scale);
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) throw new UsageError('--seconds must be positive');
  const required = values['require-provider'];
  if (required !== undefined && required !== 'cuda' && required !== 'cpu') throw new UsageError('--require-provider must be cuda or cpu');
  if (!process.env.LOG_LEVEL) rootLogger.level = 'warn';

  const config = sessionConfigFromEnv();
  const locator = await loadLocator(detectorFromEnv(), config);
  const embedder = await FaceEmbedder.load(config, embedderFromEnv());
  const providers = { detector: locator.provider, embedder: embedder.provider };
  const cpu = cpus();
  console.log('# facerec bench batch\n');
  console.log(
    `CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores; load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')} ` +
      '(other work on the machine skews every figure; ratios come from this one run).',
  );
  console.log(
    `ONNX Runtime ${ort.env.versions.common}; providers asked: ${config.providers.join(',')}; sessions got: detector (${locator.name}) ${providers.detector}, ` +
      `embedder (${embedder.model}) ${providers.embedder}; intra-op threads per inference: ${config.intraOpThreads || 'one per core'}.`,
  );
  const wrong = Object.entries(providers).filter(([, p]) => required && p !== required);
  if (wrong.length > 0) {
    const message = `PROVIDER CHECK FAILED: ${wrong.map(([s, p]) => `the ${s} session runs on ${p}`).join(', ')}, not ${required} (see the 'execution provider unavailable' warnings above)`;
    console.log(`\n${message}`);
    console.log(JSON.stringify({ ok: false, providers, required }));
    process.exitCode = 2;
    return;
  }

  const most = Math.max(...batches);
  const detParallel = DETECTOR_BATCHING[providers.detector === 'cuda' ? 'cuda' : 'cpu'].concurrency;
  const { frames: pool, source } = await frames(most * detParallel, w, h);

  // Real chips: the faces of the frames, aligned as the detector service cuts them.
  const size = embedder.chipSize;
  const floats = size * size * 3;
  const found: Float32Array[] = [];
  for (const img of pool.slice(0, Math.min(pool.length, 16))) {
    const faces = await locator.locate(img, { scale });
    if (faces.length > 0) found.push(embedder.alignChips(img, faces));
  }
  const realChips = found.reduce((n, c) => n + c.length / floats, 0);
  const chips = new Float32Array(most * floats);
  if (realChips > 0) {
    const all = new Float32Array(realChips * floats);
    found.reduce((at, c) => (all.set(c, at), at + c.length), 0);
    for (let i = 0; i < most; i++) chips.set(all.subarray((i % realChips) * floats, ((i % realChips) + 1) * floats), i * floats);
  } else for (let i = 0; i < chips.length; i++) chips[i] = (i * 13) & 255;

  const rows: BatchBenchRow[] = [];
  for (const b of batches) {
    const det = await time(seconds, () => locator.locateBatch(pool.slice(0, b), { scale }, b));
    const detPar = await time(seconds, () => Promise.all(Array.from({ length: detParallel }, (_, k) => locator.locateBatch(pool.slice(k * b, (k + 1) * b), { scale }, b))));
    const batch = chips.subarray(0, b * floats);
    const emb = await time(seconds, () => embedder.embedChips(batch, b, { flip: false }));
    const embFlip = await time(seconds, () => embedder.embedChips(batch, b, { flip: true }));
    rows.push({ batch: b, detector_fps: b / det, detector_parallel_fps: (detParallel * b) / detPar, embedder_chips_per_s: b / emb, embedder_faces_per_s_mirrored: b / embFlip });
    console.error(`batch ${b}: ${fmt(b / det)} frames/s, ${fmt(b / emb)} chips/s`);
  }

  const base = rows.find((r) => r.batch === 1) ?? rows[0]!;
  console.log(`\nDetector: ${locator.name} on ${w}x${h} frames (${source}) at scale ${scale}; embedder: ${embedder.model}, ${realChips > 0 ? `${realChips} real aligned chips (cycled)` : 'synthetic chips'}.\n`);
  console.log(`| batch | detector frames/s | vs batch 1 | detector frames/s, ${detParallel} batches at once | vs batch 1 | embedder chips/s | vs batch 1 | embedder faces/s, chip + mirror in one inference | vs batch 1 |`);
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.batch} | ${fmt(r.detector_fps)} | ${ratio(r.detector_fps, base.detector_fps)} | ${fmt(r.detector_parallel_fps)} | ${ratio(r.detector_parallel_fps, base.detector_parallel_fps)} | ` +
        `${fmt(r.embedder_chips_per_s)} | ${ratio(r.embedder_chips_per_s, base.embedder_chips_per_s)} | ${fmt(r.embedder_faces_per_s_mirrored)} | ${ratio(r.embedder_faces_per_s_mirrored, base.embedder_faces_per_s_mirrored)} |`,
    );
  }
  console.log(`\nThreads: ${config.intraOpThreads || cpu.length} per inference; "${detParallel} batches at once" is the detector service's default concurrency for ${providers.detector} (libs/engine/batching.ts).`);
  console.log(JSON.stringify({ ok: true, providers, threads: config.intraOpThreads, cores: cpu.length, frame: `${w}x${h}`, scale, rows: rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, +v.toFixed(2)]))) }));
}

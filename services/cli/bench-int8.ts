// `facerec bench int8 --images <lfw images> --pairs <view 2 pairs.txt> [--chips 1000] [--rounds 5]`:
// faceplugin-fr512 against its int8 rewrite (faceplugin-fr512-int8) on the same aligned chips —
// the cosine between their vectors (chip and mirror averaged, as the engine embeds, and the chip
// alone) and ms per chip at 1 and 2 ONNX threads, with the mirror image and without.
// The chips: the face nearest the centre of the first `chips` photos named in pairs.txt, in file
// order (evaluation photos; the calibration's photos are not among them), located and aligned by
// the installation's detector.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { FaceEmbedder, meanOfViews, type EmbedderName } from '../../libs/engine/embedder.js';
import { FaceEngine } from '../../libs/engine/engine.js';
import { lfwImagePath, parseLfwPairs } from '../../libs/eval/lfw.js';
import { calibrationChips } from '../../libs/eval/quantise-calibration.js';
import { parseIntOption, UsageError } from './args.js';
import { percentile } from './percentile.js';

const MODELS: readonly EmbedderName[] = ['faceplugin-fr512', 'faceplugin-fr512-int8'];
/** Chips per inference: the engine's CPU batch (libs/engine/batching.ts). */
const BATCH = 8;

export async function benchInt8Command(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { images: { type: 'string' }, pairs: { type: 'string' }, chips: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '5' } },
  });
  if (!values.images || !values.pairs) throw new UsageError('bench int8 needs --images and --pairs');
  const wanted = parseIntOption('chips', values.chips);
  const rounds = parseIntOption('rounds', values.rounds);
  const seen = new Set<string>();
  const photos: string[] = [];
  for (const p of parseLfwPairs(readFileSync(values.pairs, 'utf8')))
    for (const side of [p.a, p.b]) {
      const path = lfwImagePath('', side.name, side.index);
      if (photos.length < wanted && !seen.has(path)) [seen.add(path), photos.push(path)];
    }
  const engine = await FaceEngine.load(undefined, { embedder: 'faceplugin-fr512' });
  const { chips, count } = await calibrationChips(engine, values.images, photos);
  const cpu = cpus();
  console.log(`# facerec bench int8\n\nCPU: ${cpu[0]?.model.trim()}, ${cpu.length} cores; load average at start ${loadavg()[0]!.toFixed(2)}; ${count} chips (faces found in ${count} of ${photos.length} view 2 photos).\n`);

  // Vectors of every chip by both networks, with and without the mirror view.
  const vectors: Record<string, { mirror: Float32Array[]; plain: Float32Array[] }> = {};
  for (const model of MODELS) {
    const embedder = await FaceEmbedder.load({ providers: ['cpu'], intraOpThreads: 1, cudaDeviceId: 0, workers: 1 }, model);
    const views = await embedder.embedChipViews(chips, count, { flip: true });
    vectors[model] = { mirror: views.map((v) => meanOfViews(v, true)), plain: views.map((v) => v[0]!) };
  }
  console.log('## Cosine between faceplugin-fr512 and faceplugin-fr512-int8 vectors of the same chip\n');
  console.log('| view | mean | median | 1st percentile | min |');
  console.log('|---|---|---|---|---|');
  for (const view of ['mirror', 'plain'] as const) {
    const cos = vectors[MODELS[0]!]![view].map((a, i) => dot(a, vectors[MODELS[1]!]![view][i]!)).sort((x, y) => x - y);
    const mean = cos.reduce((s, c) => s + c, 0) / cos.length;
    console.log(`| ${view === 'mirror' ? 'chip and mirror averaged (the engine)' : 'chip alone'} | ${mean.toFixed(4)} | ${percentile(cos, 0.5).toFixed(4)} | ${percentile(cos, 0.01).toFixed(4)} | ${cos[0]!.toFixed(4)} |`);
  }

  console.log(`\n## ms per chip (${BATCH} chips per inference, with the mirror images 16 images; best of ${rounds} rounds over the ${count} chips)\n`);
  console.log('| network | threads | mirror on | mirror off |');
  console.log('|---|---|---|---|');
  for (const threads of [1, 2])
    for (const model of MODELS) {
      const embedder = await FaceEmbedder.load({ providers: ['cpu'], intraOpThreads: threads, cudaDeviceId: 0, workers: 1 }, model);
      const cells: string[] = [];
      for (const flip of [true, false]) {
        const floats = embedder.chipSize * embedder.chipSize * 3;
        await embedder.embedChips(chips.subarray(0, BATCH * floats), BATCH, { flip });
        let best = Infinity;
        for (let r = 0; r < rounds; r++) {
          const started = performance.now();
          for (let s = 0; s + BATCH <= count; s += BATCH) await embedder.embedChips(chips.subarray(s * floats, (s + BATCH) * floats), BATCH, { flip });
          best = Math.min(best, (performance.now() - started) / (Math.floor(count / BATCH) * BATCH));
        }
        cells.push(best.toFixed(2));
      }
      console.log(`| ${model} | ${threads} | ${cells.join(' | ')} |`);
    }
  console.log(`\nload average at the end ${loadavg()[0]!.toFixed(2)}`);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

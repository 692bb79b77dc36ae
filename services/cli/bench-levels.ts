// `facerec bench levels`: ONNX Runtime's graph optimisation levels per network — ms per run of one
// input at each level, on the CPU — the measurement behind each network's chosen level
// (`NETWORKS[…].optimisation` in libs/engine/embedder.ts; 'all' elsewhere). The fastest level
// depends on the CPU (NCHWc layout transforms help some networks and slow others), so run it on
// the host in question.
//
//   facerec bench levels [--runs 10] [--threads 1]
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { onnxPath } from '../../models/catalog.js';
import { createSession, type GraphOptimisation } from '../../libs/engine/session.js';
import { moduleLogger } from '../../libs/log/logger.js';
import { parseIntOption } from './args.js';
import { percentile } from './percentile.js';

const LEVELS: readonly GraphOptimisation[] = ['all', 'extended', 'basic', 'disabled'];

/** The networks of the default and the previous engine, with one input of the shape the engine gives them. */
const NETWORKS: readonly { model: string; input: string; shape: number[] }[] = [
  { model: 'faceplugin-fr512', input: 'input', shape: [1, 3, 112, 112] },
  { model: 'faceplugin-fr512-int8', input: 'input', shape: [1, 3, 112, 112] },
  { model: 'yunet', input: 'input', shape: [1, 3, 352, 608] },
  { model: 'yunet-int8', input: 'input', shape: [1, 3, 352, 608] },
  { model: 'dlib-resnet', input: 'input', shape: [1, 150, 150, 3] },
];

export async function benchLevelsCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '10' }, threads: { type: 'string', default: '1' } }, allowPositionals: false });
  const runs = parseIntOption('runs', values.runs);
  const threads = parseIntOption('threads', values.threads);
  const cpu = cpus();
  console.log(
    `# facerec bench levels\n\nCPU: ${cpu[0]?.model.trim()}, ${cpu.length} cores; load average at start ${loadavg()[0]!.toFixed(2)}; ${threads} thread(s), CPU provider; per network, one session per level, their runs interleaved (so a change of load falls on every level alike), median of ${runs} runs each after 2 warm-up rounds.\n`,
  );
  const rows: string[][] = [];
  const agreement: string[] = [];
  const log = moduleLogger('bench-levels');
  for (const net of NETWORKS) {
    const sessions = await Promise.all(LEVELS.map(async (level) => (await createSession(onnxPath(net.model), { providers: ['cpu'], intraOpThreads: threads, cudaDeviceId: 0, workers: 1 }, log, level)).session));
    try {
      const name = sessions[0]!.inputNames.includes(net.input) ? net.input : sessions[0]!.inputNames[0]!;
      const size = net.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = (i * 37) % 255;
      const feeds = { [name]: new ort.Tensor('float32', data, net.shape) };
      // The first output at each level against the first level's: the levels must agree.
      let reference: Float32Array | undefined;
      let maxDiff = 0;
      for (const session of sessions) {
        const out = (await session.run(feeds))[session.outputNames[0]!]!.data as Float32Array;
        if (!reference) reference = Float32Array.from(out);
        else for (let i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i]! - reference[i]!));
      }
      const ms: number[][] = LEVELS.map(() => []);
      for (let round = 0; round < runs + 1; round++)
        for (const [k, session] of sessions.entries()) {
          const started = performance.now();
          await session.run(feeds);
          if (round > 0) ms[k]!.push(performance.now() - started);
        }
      const row = [`${net.model}, ${net.shape.join('x')}`];
      for (const [k, level] of LEVELS.entries()) {
        row.push(percentile(ms[k]!.sort((a, b) => a - b), 0.5).toFixed(1));
        console.error(`${net.model} ${level}: ${row.at(-1)} ms`);
      }
      rows.push(row);
      agreement.push(`${net.model}: first output at every level within ${maxDiff.toExponential(1)} of \`${LEVELS[0]}\`'s (max abs difference)`);
    } finally {
      await Promise.all(sessions.map((s) => s.release()));
    }
  }
  console.log(`| network, input | ${LEVELS.map((l) => `\`${l}\``).join(' | ')} |`);
  console.log(`|---|${LEVELS.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log('\nms per run (wall time of one inference on its worker thread, the input copied in and the output out).\n');
  for (const line of agreement) console.log(`- ${line}`);
}

// `facerec bench video`: realtime factor (video seconds / wall seconds) of video jobs through the
// REST API of the embedded product at 640x360, 960x540 and 1920x1080, with selective embedding
// and with every face embedded, beside ffmpeg decoding the same file to nothing in the same run
// (every frame must be decoded, so that is the physical limit here).
//
//   facerec bench video [--loops N] [--sizes 640x360,960x540,1920x1080] [--embed selective,all] [--nats]
//
// Deciding: the seconds the aggregator spent on the job's person units, template matches and
// results (facerec_aggregator_decision_seconds), against the job's wall time.
//
// Memory: the process's resident size (and V8's heap and external memory, to tell what grows) is
// sampled every 100 ms during each selective job; the peak, the peak of each quarter of the job and
// the last quarter's against the second's (flat: 1.00, no growth with length) are reported.
// `--loops 196` makes a 30-minute video, `--loops 784` two hours.
//
// `--nats`: the six services each in its own process over NATS (NATS_URL, default
// nats://127.0.0.1:4222), as `npm run distributed` runs them; each service's resident memory is
// sampled (/proc) and reported per quarter, with its largest later quarter against its first.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, SERVICE_NAMES } from '../../libs/config/config.js';
import { rootLogger } from '../../libs/log/logger.js';
import { metrics } from '../../libs/service/metrics.js';
import { ffmpegPath } from '../../libs/media/binaries.js';
import { decodeOnly } from '../../libs/media/decode.js';
import { startServices } from '../product.js';
import { parseIntOption, UsageError } from './args.js';
import { ROOT } from '../checkout.js';
import { residentBytes, startDistributed } from './distributed-services.js';

/** One size; the job figures are there when that embedding mode ran (--embed). */
interface Row {
  size: string;
  seconds: number;
  decodeOnly: number;
  selective?: number;
  all?: number;
  /** Peak resident memory of the process during the job, MB (selective run, embedded). */
  peakRssMb?: number;
  /**
   * Peak of each quarter of the job, MB (selective run): embedded, the process's `rss`, V8's `heap`
   * used and `external` memory (ArrayBuffers, Buffers); over NATS each service's resident memory.
   */
  quartersMb?: Record<string, number[]>;
  /** Selective run: seconds the aggregator spent deciding (person units, template matches, results), and the job's wall seconds. */
  decision?: { seconds: number; jobSeconds: number };
}

/** Seconds the aggregators of this process have spent deciding so far (facerec_aggregator_decision_seconds). */
async function decisionSecondsSoFar(): Promise<number> {
  return (await metrics.decisionSeconds.get()).values.find((v) => v.metricName === 'facerec_aggregator_decision_seconds_sum')?.value ?? 0;
}

/**
 * Uploads a file as the raw body, streamed with back-pressure (node:http): fetch() with a
 * file-backed Blob or a stream reads the whole file into this process first (a two-hour clip:
 * 2.4 GB of resident memory the product never asked for, counted in its figures).
 */
async function upload(url: string, file: string): Promise<unknown> {
  const req = request(url, { method: 'POST', headers: { 'content-type': 'video/mp4', 'content-length': statSync(file).size } });
  const answer = new Promise<unknown>((resolve, reject) => {
    req.once('error', reject).once('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d)).once('error', reject);
      res.once('end', () => {
        const text = Buffer.concat(parts).toString();
        if (res.statusCode !== 201) reject(new Error(`upload answered ${res.statusCode}: ${text}`));
        else resolve(JSON.parse(text));
      });
    });
  });
  await pipeline(createReadStream(file), req);
  return answer;
}

export async function benchVideoCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { loops: { type: 'string', default: '4' }, sizes: { type: 'string', default: '640x360,960x540,1920x1080' }, embed: { type: 'string', default: 'selective,all' }, nats: { type: 'boolean', default: false } },
  });
  const natsUrl = values.nats ? (process.env.NATS_URL ?? 'nats://127.0.0.1:4222') : null;
  const modes = values.embed.split(',');
  for (const m of modes) if (m !== 'selective' && m !== 'all') throw new UsageError(`--embed: "${m}" is not selective or all`);
  const loops = parseIntOption('loops', values.loops);
  const sizes = values.sizes.split(',').map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s);
    if (!m) throw new UsageError(`--sizes: "${s}" is not WIDTHxHEIGHT`);
    return [Number(m[1]), Number(m[2])] as const;
  });
  if (!process.env.LOG_LEVEL) rootLogger.level = 'warn';
  const clip = resolve(ROOT, process.env.FACEREC_TEST_DATA ?? '../shared/data', 'faces/video/short_hamilton_clip.mp4');
  const work = mkdtempSync(join(tmpdir(), 'facerec-bench-video-'));
  const ffmpeg = ffmpegPath(process.env.FFMPEG_PATH);
  const cpu = cpus();
  console.log(`# facerec bench video\n\nCPU: ${cpu[0]?.model.trim()}, ${cpu.length} cores; load average at start ${loadavg()[0]!.toFixed(2)}.`);
  console.log(`Input: short_hamilton_clip.mp4 (29.97 fps, 9.18 s) re-encoded at each size (H.264, ffmpeg ultrafast) and looped ${loops}x; default sampling (a frame every ~0.5 s), face_detection_scale 600.`);
  console.log(natsUrl ? `Services: each in its own process over NATS (${natsUrl}), as \`npm run distributed\` runs them.\n` : 'Services: embedded, all in this process.\n');

  const rows: Row[] = [];
  try {
    const inputs = sizes.map(([w, h]) => {
      const once = join(work, `clip-${w}x${h}-once.mp4`);
      const file = join(work, `clip-${w}x${h}.mp4`);
      // Encoded once (its 275 frames, no padding to the audio's length), then looped by copying the
      // stream: a two-hour input in seconds rather than half an hour of encoding.
      execFileSync(ffmpeg, ['-v', 'error', '-i', clip, '-vf', `scale=${w}:${h}`, '-vsync', 'passthrough', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '20', '-an', '-y', once]);
      execFileSync(ffmpeg, ['-v', 'error', '-stream_loop', String(loops - 1), '-i', once, '-c', 'copy', '-y', file]);
      rmSync(once);
      return { size: `${w}x${h}`, file };
    });
    const results = new Map<string, Partial<Row>>();
    for (const input of inputs) {
      const d = await decodeOnly(input.file, { ffmpegPath: ffmpeg });
      const seconds = (d.frames * 1001) / 30000; // the clip is 29.97 fps
      results.set(input.size, { size: input.size, seconds, decodeOnly: seconds / d.seconds });
    }
    for (const embedAll of modes.map((m) => m === 'all')) {
      const dataDir = join(work, `data-${embedAll}`);
      // Uploads up to the largest input (a two-hour one is ~2.4 GB, over the default limit).
      const maxUpload = Math.max(2 * 1024 ** 3, ...inputs.map((i) => statSync(i.file).size + 1024 ** 2));
      const env = { FACEREC_DATA_DIR: dataDir, HOST: '127.0.0.1', FACEREC_VIDEO_EMBED_ALL: String(embedAll), FACEREC_MAX_UPLOAD_BYTES: String(maxUpload) };
      let product: { gatewayPort: number | null; stop(): Promise<unknown> };
      /** One memory sample: bytes by what was measured. */
      let measure: () => Record<string, number>;
      if (natsUrl) {
        const services = await startDistributed(natsUrl, env);
        product = services;
        measure = () => Object.fromEntries([...services.pids].map(([name, pid]) => [name, residentBytes(pid)]));
      } else {
        product = await startServices(SERVICE_NAMES, loadConfig({ ...env, PORT: '0', HEALTH_PORT: '0' }), { loopback: true });
        measure = () => {
          const m = process.memoryUsage();
          return { rss: m.rss, heap: m.heapUsed, external: m.external };
        };
      }
      const url = `http://127.0.0.1:${product.gatewayPort}`;
      try {
        for (const input of inputs) {
          const row = results.get(input.size)!;
          const { source } = (await upload(`${url}/api/v1/storage/`, input.file)) as { source: string };
          const samples: Record<string, number>[] = [];
          const sampler = setInterval(() => samples.push(measure()), natsUrl ? 250 : 100);
          const decidedBefore = await decisionSecondsSoFar();
          const started = performance.now();
          const submitted = (await (await fetch(`${url}/api/v1/jobs/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sources: [source], modules: { face_recognition: {} } }) })).json()) as { id: string };
          let job: { state: string; errors: unknown[] };
          // Held by the gateway until the job is final (or a minute has passed): no polling interval in the time.
          do job = (await (await fetch(`${url}/api/v1/jobs/${submitted.id}/?wait=60`)).json()) as typeof job;
          while (!['completed', 'failed', 'stopped'].includes(job.state));
          clearInterval(sampler);
          if (job.state !== 'completed') throw new Error(`bench job ${job.state}: ${JSON.stringify(job.errors)}`);
          const wall = (performance.now() - started) / 1000;
          const factor = row.seconds! / wall;
          if (embedAll) row.all = factor;
          else {
            row.selective = factor;
            // Over NATS the aggregator is another process: its deciding is not measured here.
            if (!natsUrl) row.decision = { seconds: (await decisionSecondsSoFar()) - decidedBefore, jobSeconds: wall };
            const q = Math.floor(samples.length / 4);
            const quarters = [0, 1, 2, 3].map((k) => samples.slice(k * q, k === 3 ? samples.length : (k + 1) * q));
            const peakMb = (xs: readonly Record<string, number>[], key: string) => xs.reduce((peak, m) => Math.max(peak, m[key] ?? 0), 0) / 1024 / 1024;
            row.quartersMb = Object.fromEntries(Object.keys(samples[0] ?? {}).map((key) => [key, quarters.map((xs) => peakMb(xs, key))]));
            if (!natsUrl) row.peakRssMb = peakMb(samples, 'rss');
          }
          console.error(`${input.size} ${embedAll ? 'all faces' : 'selective'}: ${factor.toFixed(2)}x realtime`);
        }
      } finally {
        await product.stop();
      }
    }
    rows.push(...(results.values() as Iterable<Row>));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const quarters = (mbs: readonly number[]) => mbs.map((v) => v.toFixed(0)).join(' / ');
  const fmt = (v: number | undefined, f: (v: number) => string) => (v === undefined ? '–' : f(v));
  console.log('| size | video s | ffmpeg decode only | job, selective embedding | % of decode-only | job, every face embedded | peak RSS MB (selective) | peak RSS MB per quarter (last ÷ 2nd) | deciding: person units, templates, results (selective) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const pct = r.selective === undefined ? undefined : (100 * r.selective) / r.decodeOnly;
    console.log(
      `| ${r.size} | ${r.seconds.toFixed(1)} | ${r.decodeOnly.toFixed(1)}x | ${fmt(r.selective, (v) => `${v.toFixed(2)}x`)} | ${fmt(pct, (v) => `${v.toFixed(1)} %`)} | ${fmt(r.all, (v) => `${v.toFixed(2)}x`)} | ${fmt(r.peakRssMb, (v) => v.toFixed(0))} | ${r.quartersMb?.rss ? `${quarters(r.quartersMb.rss)} (${(r.quartersMb.rss[3]! / r.quartersMb.rss[1]!).toFixed(2)})` : '–'} | ${r.decision ? `${(r.decision.seconds * 1000).toFixed(0)} ms (${((100 * r.decision.seconds) / r.decision.jobSeconds).toFixed(2)} % of the job)` : '–'} |`,
    );
  }
  for (const r of rows) {
    const m = r.quartersMb;
    if (m?.heap && m.external) console.log(`\n${r.size}, selective, peak per quarter: V8 heap used ${quarters(m.heap)} MB; external (Buffers, ArrayBuffers) ${quarters(m.external)} MB.`);
    if (m && natsUrl) {
      console.log(`\n${r.size}, selective, over NATS: each service's peak RSS per quarter of the job.\n\n| service | peak RSS MB per quarter | largest later quarter ÷ first |\n|---|---|---|`);
      for (const [service, mbs] of Object.entries(m)) console.log(`| ${service} | ${quarters(mbs)} | ${(Math.max(...mbs.slice(1)) / mbs[0]!).toFixed(2)} |`);
    }
  }
  console.log('\nFigures are realtime factors: seconds of video per second of wall time (higher is faster).');
  console.log(JSON.stringify({ rows }));
}

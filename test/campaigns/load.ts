// Load campaign: many jobs of mixed photos and videos submitted at once, embedded and over NATS.
// None may be lost (each completes with its reference results); job latency p50/p95 from the
// jobs' own timestamps; peak memory of every process (ffmpeg included); and queues bounded: no
// more jobs processing at once than the decoders take (the rest wait in the queue, not in
// memory), and memory under the full batch close to that under a small one.
import {
  call,
  campaignData,
  judge,
  MemorySampler,
  PHOTOS,
  percentile,
  prepare,
  say,
  sleep,
  startEmbeddedProcess,
  startNatsProduct,
  startNatsServer,
  submitJob,
  table,
  VIDEO,
  FINAL,
  type Fixture,
  type Target,
} from './common.js';

export interface LoadOptions {
  jobs: number;
  /** how many of the jobs are video jobs */
  videos: number;
  modes: ('embedded' | 'nats')[];
  natsServer: string | null;
  /** A first, small batch (for memory against batch size); 0: none. Default jobs / 5. */
  smallBatch?: number;
  /** An already started product to use (embedded short version): its gallery and references. */
  target?: { t: Target; fixture: Fixture };
}

export interface LoadRow {
  mode: string;
  jobs: number;
  photos: number;
  videos: number;
  reference: number;
  failed: number;
  lost: number;
  p50S: number;
  p95S: number;
  wallS: number;
  maxProcessing: number;
  processingLimit: number;
  maxWaiting: number;
  idleMb: number;
  peakMb: number;
  notes: string[];
}

/** The contract's time ("2021-05-20 09:34:37.135000", UTC) in ms. */
function timeOf(text: string | null): number {
  return text ? Date.parse(`${text.replace(' ', 'T').slice(0, 23)}Z`) : NaN;
}

async function batch(t: Target, fixture: Fixture, jobs: number, videos: number, processingLimit: number): Promise<LoadRow> {
  // The videos spread evenly among the photos: the i-th job is a video when (i·videos) mod jobs < videos.
  const photos = PHOTOS.filter((f) => fixture.sources.has(f));
  const files = Array.from({ length: jobs }, (_, i) => ((i * videos) % jobs < videos ? VIDEO : photos[i % photos.length]!));
  const r: LoadRow = {
    mode: t.mode === 'embedded' ? 'embedded, child process' : 'NATS, a process per service',
    jobs,
    photos: files.filter((f) => f !== VIDEO).length,
    videos: files.filter((f) => f === VIDEO).length,
    reference: 0,
    failed: 0,
    lost: 0,
    p50S: 0,
    p95S: 0,
    wallS: 0,
    maxProcessing: 0,
    processingLimit,
    maxWaiting: 0,
    idleMb: 0,
    peakMb: 0,
    notes: [],
  };
  const memory = new MemorySampler(() => t.processes().map((p) => p.child.pid!));
  r.idleMb = memory.sample();
  memory.peakMb = 0;
  memory.start(200);
  const started = Date.now();
  const ids = await Promise.all(files.map((f) => submitJob(t.url(), [fixture.sources.get(f)!])));
  const mine = new Set(ids);
  const deadline = Date.now() + 15 * 60_000;
  let states = new Map<string, any>();
  for (;;) {
    const list = await call(t.url(), 'GET', '/api/v1/jobs/?limit=1000');
    if (list.status === 200) {
      states = new Map((list.body.data as any[]).filter((j) => mine.has(j.id)).map((j) => [j.id, j]));
      const count = (s: string) => [...states.values()].filter((j) => j.state === s).length;
      r.maxProcessing = Math.max(r.maxProcessing, count('processing'));
      r.maxWaiting = Math.max(r.maxWaiting, count('waiting'));
      if (states.size === ids.length && [...states.values()].every((j) => FINAL.includes(j.state))) break;
    }
    if (Date.now() > deadline) break;
    await sleep(250);
  }
  r.wallS = (Date.now() - started) / 1000;
  r.peakMb = memory.stop();
  const latencies: number[] = [];
  for (const id of ids) {
    const job = (await call(t.url(), 'GET', `/api/v1/jobs/${id}/`)).body;
    if (!job || !FINAL.includes(job.state)) {
      r.lost++;
      continue;
    }
    const { verdict, detail } = await judge(t.url(), job, fixture.reference, fixture.files);
    if (verdict === 'reference') r.reference++;
    else if (verdict === 'failed with reason') r.failed++;
    else r.lost++;
    if (verdict !== 'reference' && r.notes.length < 5) r.notes.push(`${verdict}: ${detail}`);
    latencies.push((timeOf(job.time_completed) - timeOf(job.time_created)) / 1000);
  }
  r.p50S = percentile(latencies, 50);
  r.p95S = percentile(latencies, 95);
  return r;
}

export interface LoadReport {
  rows: LoadRow[];
  table: string;
  ok: boolean;
}

async function campaign(t: Target, fixture: Fixture, opts: LoadOptions, processingLimit: number, rows: LoadRow[]): Promise<void> {
  const small = opts.smallBatch ?? Math.round(opts.jobs / 5);
  if (small > 0) {
    const r = await batch(t, fixture, small, Math.max(1, Math.round((opts.videos * small) / opts.jobs)), processingLimit);
    rows.push(r);
    say(`load ${r.mode}: ${r.jobs} jobs in ${r.wallS.toFixed(1)} s, peak ${r.peakMb.toFixed(0)} MB`);
  }
  const r = await batch(t, fixture, opts.jobs, opts.videos, processingLimit);
  rows.push(r);
  say(`load ${r.mode}: ${r.jobs} jobs in ${r.wallS.toFixed(1)} s, peak ${r.peakMb.toFixed(0)} MB`);
}

/**
 * Jobs a decoder process takes at once (DECODER_CONCURRENCY, default 2), and an aggregator
 * (AGGREGATOR_CONCURRENCY, 2): a job is `processing` from its decoder taking it until its
 * aggregator completes it, so at most the sum of their slots are processing; the rest must wait.
 */
const DECODER_CONCURRENCY = 2;
const AGGREGATOR_CONCURRENCY = 2;
const PROCESSING_LIMIT = DECODER_CONCURRENCY + AGGREGATOR_CONCURRENCY;

export async function runLoad(opts: LoadOptions): Promise<LoadReport> {
  const rows: LoadRow[] = [];
  if (opts.target) {
    await campaign(opts.target.t, opts.target.fixture, opts, PROCESSING_LIMIT, rows);
  } else {
    const data = campaignData();
    if ('missing' in data) throw new Error(`load campaign: ${data.missing}`);
    const env = { DECODER_CONCURRENCY: String(DECODER_CONCURRENCY), AGGREGATOR_CONCURRENCY: String(AGGREGATOR_CONCURRENCY) };
    if (opts.modes.includes('embedded')) {
      const t = await startEmbeddedProcess({ env });
      try {
        await campaign(t, await prepare(t.url(), data), opts, PROCESSING_LIMIT, rows);
      } finally {
        await t.stop();
      }
    }
    if (opts.modes.includes('nats')) {
      if (!opts.natsServer) {
        if (process.env.CI === 'true') throw new Error('no nats-server binary (set NATS_SERVER; required when CI=true)');
        say('load: NATS mode skipped, no nats-server binary (set NATS_SERVER)');
      } else {
        const nats = await startNatsServer(opts.natsServer);
        let t: Target | null = null;
        try {
          t = await startNatsProduct(nats.url, { env });
          await campaign(t, await prepare(t.url(), data), opts, PROCESSING_LIMIT, rows);
        } finally {
          await t?.stop();
          await nats.stop();
        }
      }
    }
  }
  const ok = rows.length > 0 && rows.every((r) => r.lost === 0 && r.failed === 0 && r.reference === r.jobs && r.maxProcessing <= r.processingLimit);
  const text = table(
    ['mode', 'jobs (photos + videos)', 'reference results', 'failed', 'lost', 'latency p50 (s)', 'latency p95 (s)', 'all done in (s)', 'most processing at once (decoder + aggregator slots)', 'most waiting', 'memory idle → peak (MB)'],
    rows.map((r) => [r.mode, `${r.jobs} (${r.photos} + ${r.videos})`, r.reference, r.failed, r.lost, r.p50S.toFixed(1), r.p95S.toFixed(1), r.wallS.toFixed(1), `${r.maxProcessing} (${r.processingLimit})`, r.maxWaiting, `${r.idleMb.toFixed(0)} → ${r.peakMb.toFixed(0)}`]),
  );
  return { rows, table: text, ok };
}

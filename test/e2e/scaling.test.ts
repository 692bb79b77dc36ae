// The distributed product scaled out, over the real NATS: two decoders, two aggregators, two
// detectors and two embedders (the gRPC clients round-robin over a fixed list of both), one
// gateway and one matcher, each its own process. Replicas share a batch and each job is done once;
// a worker killed (SIGKILL) or frozen (SIGSTOP) mid-job loses nothing: its job is redelivered
// after the work queue's ack wait and done again from clean observations, with the same results.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteNatsPrefix, startDistributed, type DistributedProduct, type ServiceProcess } from '../../services/spawn.js';
import { availableNats, uniqueName } from '../support/nats.js';
import { api, waitForJob } from '../support/product.js';
import { sharedDataFile } from '../support/shared-data.js';
import { addPeople, upload } from './photo-scenario.js';

const gallery = sharedDataFile('faces/people/gallery');
const probes = sharedDataFile('faces/people/probes');
const clip = sharedDataFile('faces/video/short_hamilton_clip.mp4');
const natsUrl = await availableNats();

/** Short, so that a dead worker's job is taken over within the test (the default is 30 s). */
const ACK_WAIT_S = 4;
const VIDEO = 'short_hamilton_clip.mp4';
/** Who each source names: exactly these (and, for the video, perhaps people of MAY_ALSO, nobody else). */
const EXPECTED: Record<string, string[]> = {
  'obama1.jpg': ['obama'],
  'obama3.jpg': ['obama'],
  'obama-480p.jpg': ['obama'],
  'obama_small.jpg': ['obama'],
  'obama_and_biden.jpg': ['obama', 'biden'],
  'kit_with_rose.jpg': ['kit_harington', 'rose_leslie'],
  'johnsnow_test1.jpg': ['kit_harington'],
  'alex_lacamoire1.jpg': ['alex_lacamoire'],
  // biden1.jpg of the gallery is a crop of this very photo (see photo-scenario.ts).
  'two_people.jpg': ['obama', 'biden'],
  '32bit.png': ['obama'],
  [VIDEO]: ['lin_manuel_miranda'],
};
/** People on screen in the clip whom a run may name or leave unknown (test/e2e/video.test.ts: alex in profile, obama at ~1.04). */
const MAY_ALSO: Record<string, string[]> = { [VIDEO]: ['alex_lacamoire', 'obama'] };

interface LogEntry {
  msg: string;
  jobId?: string;
  attempt?: number;
  [key: string]: unknown;
}

interface Done {
  file: string;
  job: any;
  results: any[];
}

describe.skipIf(!gallery || !probes || !clip || !natsUrl)('distributed product scaled out: replicas share the work, losing one loses nothing', () => {
  const prefix = uniqueName('scale');
  const dataDir = mkdtempSync(join(tmpdir(), 'facerec-scale-'));
  const model = 'people';
  let product: DistributedProduct;
  /** Uploaded source id of each file. */
  const sources = new Map<string, string>();
  /** Results of each file in the first, undisturbed batch: what every later run must give again. */
  const reference = new Map<string, string[]>();
  /** Processes SIGSTOPped by a test: continued before stopping, whatever happened. */
  const frozen = new Set<ServiceProcess>();
  const t0 = Date.now();
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

  const all = (service: string) => product.services.filter((s) => s.service === service);
  const one = (name: string) => product.services.find((s) => s.name === name)!;

  beforeAll(async () => {
    product = await startDistributed({
      natsUrl: natsUrl!,
      prefix,
      dataDir,
      replicas: { decoder: 2, aggregator: 2, detector: 2, embedder: 2 },
      // One inference thread per model process: eight processes share two cores here.
      env: { FACEREC_QUEUE_ACK_WAIT_S: String(ACK_WAIT_S), FACEREC_INTRA_OP_THREADS: '1' },
      // Video: a frame every 0.25 s (40 of the clip), so that a video job lasts long enough to be hit mid-way.
      // The workers log each job they take ('decoding job') and finish ('job finished'), with its attempt.
      serviceEnv: { decoder: { LOG_LEVEL: 'info', FACEREC_VIDEO_SAMPLE_SECONDS: '0.25' }, aggregator: { LOG_LEVEL: 'info' } },
      keepOutput: 4_000_000,
    });
    console.log(`scaling: ${product.services.length} processes ready after ${elapsed()}`);
    expect((await api(product.gatewayUrl, 'POST', '/api/v1/models/', { name: model })).status).toBe(201);
    await addPeople(product.gatewayUrl, model, gallery!);
    for (const file of Object.keys(EXPECTED)) sources.set(file, await upload(product.gatewayUrl, file === VIDEO ? clip! : join(probes!, file)));
    console.log(`scaling: gallery and uploads done after ${elapsed()}`);
  });

  afterAll(async () => {
    for (const s of frozen) s.child.kill('SIGCONT');
    await product?.stop();
    await deleteNatsPrefix(natsUrl!, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Submits one job per file, back to back (they queue together); returns their ids in order. */
  async function submit(files: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const file of files) {
      const res = await api(product.gatewayUrl, 'POST', '/api/v1/jobs/', { sources: [sources.get(file)], modules: { face_recognition: { model } } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids.push(res.body.id);
    }
    return ids;
  }

  async function results(id: string): Promise<any[]> {
    const res = await api(product.gatewayUrl, 'GET', `/api/v1/jobs/${id}/detailed-results/?limit=1000`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(res.body.data.length);
    return res.body.data;
  }

  /** Waits for every job; each must be complete, without errors, naming whom its file shows, results not duplicated. */
  async function finish(files: string[], ids: string[]): Promise<Done[]> {
    const done: Done[] = [];
    for (const [i, id] of ids.entries()) {
      const file = files[i]!;
      const job = await waitForJob(product.gatewayUrl, id, 150_000);
      expect(job.state, `${file}: ${JSON.stringify(job.errors)}`).toBe('completed');
      expect(job.errors, file).toEqual([]);
      expect(job.progress).toBe(1);
      const items = await results(id);
      const resultIds = items.map((r) => r.id);
      expect(new Set(resultIds).size, `${file}: a result given twice`).toBe(resultIds.length);
      const named = items.map((r) => r.meta.person).filter((p): p is string => typeof p === 'string' && !p.startsWith('Unknown'));
      const distinct = [...new Set(named)].filter((p) => !(MAY_ALSO[file] ?? []).includes(p)).sort();
      expect(distinct, file).toEqual([...EXPECTED[file]!].sort());
      if (file !== VIDEO) expect(new Set(named).size, `${file}: a person named twice`).toBe(named.length);
      // A second read gives the same results: they are written once, as a whole.
      expect(await results(id)).toEqual(items);
      done.push({ file, job, results: items });
    }
    return done;
  }

  /** What must not change between runs of one file: who, and where (frames). */
  const signature = (items: any[]) =>
    items.map((r) => `${r.meta.person}@${r.frame_start}-${r.frame_end}:${r.detections.length}`).sort();

  function logs(s: ServiceProcess): LogEntry[] {
    return s
      .output()
      .split('\n')
      .flatMap((line) => {
        if (!line.startsWith('{')) return [];
        try {
          return [JSON.parse(line) as LogEntry];
        } catch {
          return [];
        }
      });
  }

  /** Log entries `msg` of job `jobId`, by process name. */
  function entries(processes: ServiceProcess[], msg: string, jobId: string): { name: string; entry: LogEntry }[] {
    return processes.flatMap((s) => logs(s).filter((e) => e.msg === msg && e.jobId === jobId).map((entry) => ({ name: s.name, entry })));
  }

  /** Sum of every sample of `metric` (all labels) on the process's /metrics. */
  async function metric(s: ServiceProcess, name: string): Promise<number> {
    const text = await (await fetch(`${s.healthUrl}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
      if (m && m[1] === name) sum += Number(m[3]);
    }
    return sum;
  }

  async function metrics(processes: ServiceProcess[], name: string): Promise<Record<string, number>> {
    return Object.fromEntries(await Promise.all(processes.map(async (s) => [s.name, await metric(s, name)] as const)));
  }

  const minus = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]));
  const total = (r: Record<string, number>) => Object.values(r).reduce((x, y) => x + y, 0);

  async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 50): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  /** Messages of the aggregate work queue delivered and not yet acknowledged. */
  async function aggregatesInFlight(): Promise<number> {
    const nc = await connect({ servers: natsUrl! });
    try {
      const info = await (await jetstreamManager(nc)).consumers.info(`${prefix}_queue_aggregate`, `${prefix}_aggregate`);
      return info.num_ack_pending;
    } finally {
      await nc.close();
    }
  }

  function signal(s: ServiceProcess, sig: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): void {
    expect(s.child.kill(sig), `${sig} ${s.name}`).toBe(true);
    if (sig === 'SIGSTOP') frozen.add(s);
    if (sig === 'SIGCONT') frozen.delete(s);
    console.log(`scaling: ${sig} ${s.name} at ${elapsed()}`);
  }

  /**
   * Holds both aggregators mid-job: the matcher is frozen, so each of their Match calls waits.
   * Resolves once all four aggregator slots (two processes, concurrency 2) hold a job.
   */
  async function aggregatorsStuckInMatch(): Promise<void> {
    signal(one('matcher'), 'SIGSTOP');
    await poll('both aggregators holding two jobs each', async () => ((await aggregatesInFlight()) >= 4 ? true : undefined), 90_000, 200);
  }

  it('two decoders, two aggregators, two detectors and two embedders share a batch: each job done once, right names', async () => {
    const files = [...Object.keys(EXPECTED).filter((f) => f !== VIDEO), VIDEO, VIDEO];
    expect(files).toHaveLength(12);
    const [decoders, aggregators, detectors, embedders] = [all('decoder'), all('aggregator'), all('detector'), all('embedder')];
    // The gallery's enrolment already used the detectors and embedders: count from here.
    const before = {
      sources: await metrics(decoders, 'facerec_source_attempts_total'),
      finished: await metrics(aggregators, 'facerec_jobs_finished_total'),
      frames: await metrics(detectors, 'facerec_detector_frames_total'),
      batches: await metrics(embedders, 'facerec_embedder_batch_size_count'),
    };
    const started = Date.now();
    const ids = await submit(files);
    const done = await finish(files, ids);
    console.log(`scaling: batch of ${files.length} jobs in ${((Date.now() - started) / 1000).toFixed(1)} s (${elapsed()})`);

    const sources = minus(await metrics(decoders, 'facerec_source_attempts_total'), before.sources);
    const finished = minus(await metrics(aggregators, 'facerec_jobs_finished_total'), before.finished);
    const frames = minus(await metrics(detectors, 'facerec_detector_frames_total'), before.frames);
    const batches = minus(await metrics(embedders, 'facerec_embedder_batch_size_count'), before.batches);
    console.log('scaling: share of the work', JSON.stringify({ sources, finished, frames, batches }));
    // Every replica took part…
    for (const share of [sources, finished, frames, batches]) {
      for (const [name, n] of Object.entries(share)) expect(n, `${name} did nothing`).toBeGreaterThan(0);
    }
    // …and nothing was done twice: one source per job decoded, one job finished per job.
    expect(total(sources)).toBe(files.length);
    expect(total(finished)).toBe(files.length);
    for (const id of ids) {
      expect(entries(decoders, 'decoding job', id).map((e) => e.entry.attempt), `decodings of ${id}`).toEqual([1]);
      expect(entries(aggregators, 'job finished', id), `aggregations of ${id}`).toHaveLength(1);
    }

    // Two runs of one file give the same results (the two video jobs here).
    for (const { file, results: items } of done) {
      const sig = signature(items);
      if (reference.has(file)) expect(sig, `${file}: a second run differs`).toEqual(reference.get(file));
      else reference.set(file, sig);
    }
    const video = done.find((d) => d.file === VIDEO)!;
    expect(video.job.media_type).toBe('video');
    expect(video.results.length).toBeGreaterThan(0);
  }, 240_000);

  it('SIGKILL of the decoder on a video job and of an embedder, then of the detector streaming its retry: nothing lost', async () => {
    const files = [VIDEO, 'obama1.jpg', 'kit_with_rose.jpg', VIDEO, 'obama_and_biden.jpg', 'alex_lacamoire1.jpg'];
    const decoders = all('decoder');
    const detectors = all('detector');
    const started = Date.now();
    const ids = await submit(files);
    const videoJobs = ids.filter((_, i) => files[i] === VIDEO);
    const progress = async (id: string) => {
      const job = (await api(product.gatewayUrl, 'GET', `/api/v1/jobs/${id}/`)).body;
      return job.state === 'processing' ? (job.progress as number) : -1;
    };
    const midway = (p: number) => p > 0 && p < 0.9;

    // 1. A video job part-way through (frames sent to a detector, some left): its decoder dies,
    //    and so does an embedder.
    const victim = await poll(
      'a video job in progress',
      async () => {
        for (const id of videoJobs) if (midway(await progress(id))) return id;
        return undefined;
      },
      90_000,
    );
    const holders = entries(decoders, 'decoding job', victim);
    expect(holders).toHaveLength(1);
    const decoder = one(holders[0]!.name);
    const embedder = all('embedder')[0]!;
    for (const s of [decoder, embedder]) signal(s, 'SIGKILL');
    const survivor = decoders.find((s) => s !== decoder)!;

    // 2. After the ack wait the other decoder takes the job over, from the start. Part-way through
    //    again, the detector it streams the frames to dies: a retryable gRPC error, so the job is
    //    retried on the other detector rather than its source failed.
    const streaming = await poll(
      `${victim} taken over by ${survivor.name} and part-way through`,
      async () => {
        if (!entries([survivor], 'decoding job', victim).some((e) => (e.entry.attempt ?? 0) >= 2)) return undefined;
        if (!midway(await progress(victim))) return undefined;
        const inflight = await metrics(detectors, 'facerec_detector_inflight_streams');
        const open = Object.entries(inflight).filter(([, n]) => n > 0);
        return open.length > 0 ? one(open[0]![0]) : undefined;
      },
      60_000,
    );
    const mark = logs(survivor).length;
    signal(streaming, 'SIGKILL');
    const detector = detectors.find((s) => s !== streaming)!;
    const framesBefore = await metric(detector, 'facerec_detector_frames_total');

    const done = await finish(files, ids);
    console.log(`scaling: batch with kills done in ${((Date.now() - started) / 1000).toFixed(1)} s (${elapsed()})`);
    // Same results as the undisturbed run: each redelivered job started over from clean observations.
    for (const { file, results: items } of done) expect(signature(items), `${file} after the kills`).toEqual(reference.get(file));
    // The dead detector's stream failed the attempt, and the job was delivered again.
    const after = logs(survivor).slice(mark);
    const threw = after.find((e) => e.msg === 'handler threw; the message will be redelivered');
    expect(threw, "the detector's death reached the decoder").toBeDefined();
    console.log(`scaling: ${survivor.name} on the detector's death: ${JSON.stringify((threw!.err as { message?: string }).message)}`);
    expect(after.some((e) => e.msg === 'decoding job' && (e.attempt ?? 0) >= 2), 'a job decoded again after the detector died').toBe(true);
    // The surviving detector took the frames.
    expect(await metric(detector, 'facerec_detector_frames_total')).toBeGreaterThan(framesBefore);
    expect(await metric(detector, 'facerec_detector_inflight_streams')).toBe(0);
    // Every job finished once.
    for (const id of ids) expect(entries(all('aggregator'), 'job finished', id), `aggregations of ${id}`).toHaveLength(1);
  }, 240_000);

  it('an aggregator frozen mid-job, its job taken over, does not undo the results when it wakes up', async () => {
    const files = ['obama1.jpg', 'obama_small.jpg', 'johnsnow_test1.jpg', 'kit_with_rose.jpg', 'alex_lacamoire1.jpg'];
    const [first, second] = all('aggregator') as [ServiceProcess, ServiceProcess];
    const ids = await submit(files);
    await aggregatorsStuckInMatch();
    signal(first, 'SIGSTOP');
    signal(one('matcher'), 'SIGCONT');
    // The second aggregator finishes its own jobs, then the frozen one's after the ack wait.
    const done = await finish(files, ids);
    for (const { file, results: items } of done) expect(signature(items), file).toEqual(reference.get(file));
    const retaken = ids.filter((id) => entries([second], 'job finished', id).some((e) => (e.entry.attempt ?? 0) >= 2));
    expect(retaken, 'jobs the frozen aggregator held, finished by the other').toHaveLength(2);

    // Woken up, the stale worker completes its old attempt: it must leave the results alone.
    signal(first, 'SIGCONT');
    await poll('the woken aggregator done with its stale jobs', async () => (retaken.every((id) => logs(first).some((e) => e.jobId === id)) ? true : undefined), 30_000, 200);
    for (const [i, id] of ids.entries()) {
      const job = (await api(product.gatewayUrl, 'GET', `/api/v1/jobs/${id}/`)).body;
      expect(job.state).toBe('completed');
      expect(await results(id), `${files[i]} after the stale aggregator woke up`).toEqual(done[i]!.results);
    }
    console.log(`scaling: frozen aggregator case done (${elapsed()})`);
  }, 180_000);

  it('SIGKILL of an aggregator mid-job: its jobs are taken over by the other, nothing lost', async () => {
    const files = ['obama3.jpg', 'obama-480p.jpg', 'obama_and_biden.jpg', 'two_people.jpg', '32bit.png'];
    const [first, second] = all('aggregator') as [ServiceProcess, ServiceProcess];
    const ids = await submit(files);
    await aggregatorsStuckInMatch();
    signal(first, 'SIGKILL');
    signal(one('matcher'), 'SIGCONT');
    const done = await finish(files, ids);
    for (const { file, results: items } of done) expect(signature(items), file).toEqual(reference.get(file));
    const retaken = ids.filter((id) => entries([second], 'job finished', id).some((e) => (e.entry.attempt ?? 0) >= 2));
    expect(retaken, 'jobs the killed aggregator held, finished by the other').toHaveLength(2);
    for (const id of ids) expect(entries([second], 'job finished', id), `aggregations of ${id}`).toHaveLength(1);
    console.log(`scaling: killed aggregator case done (${elapsed()})`);
  }, 180_000);
});

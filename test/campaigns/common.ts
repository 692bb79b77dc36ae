// What every campaign needs: the product started as real processes (embedded: the six services in
// one child process; NATS: one process per service over a private nats-server), the shared photos
// and video with their reference results, job polling, memory sampled from /proc, and tables.
// No vitest here: `npm run campaign` runs these modules directly, the short tests import them.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort, spawnService, startDistributed, waitReady, type ServiceProcess } from '../../services/spawn.js';
import { sharedDataDir } from '../support/shared-data.js';
import type { ServiceName } from '../../libs/config/config.js';

// ---------------------------------------------------------------- data

export const PHOTOS = ['obama1.jpg', 'obama_and_biden.jpg', 'kit_with_rose.jpg', 'alex_lacamoire1.jpg', 'two_people.jpg', 'johnsnow_test1.jpg', '32bit.png', 'obama3.jpg'] as const;
export const VIDEO = 'short_hamilton_clip.mp4';
export const MODEL = 'people';

export interface CampaignData {
  gallery: string;
  probes: string;
  clip: string;
}

/** The shared photos and video, or the reason they cannot be used. */
export function campaignData(): CampaignData | { missing: string } {
  const root = join(sharedDataDir(), 'faces');
  const data = { gallery: join(root, 'people/gallery'), probes: join(root, 'people/probes'), clip: join(root, 'video', VIDEO) };
  for (const path of Object.values(data)) if (!existsSync(path)) return { missing: `${path} not found (set FACEREC_TEST_DATA)` };
  return data;
}

export function fileOf(data: CampaignData, file: string): string {
  return file === VIDEO ? data.clip : join(data.probes, file);
}

/** nats-server for the NATS mode: NATS_SERVER, /usr/sbin/nats-server, or on PATH; null when none. */
export function natsServerBinary(): string | null {
  const candidates = [process.env.NATS_SERVER, '/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server');
  return null;
}

// ---------------------------------------------------------------- HTTP

export interface Reply {
  status: number;
  body: any;
  text: string;
}

export async function call(url: string, method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<Reply> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed, text };
}

/** POST /api/v1/storage/ of a file's bytes; the `storage://…` source. */
export async function uploadBytes(url: string, bytes: Uint8Array, name: string, type = 'application/octet-stream'): Promise<Reply> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const res = await fetch(`${url}/api/v1/storage/`, { method: 'POST', body: form, signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, body, text };
}

export async function uploadFile(url: string, path: string): Promise<string> {
  const r = await uploadBytes(url, readFileSync(path), basename(path));
  if (r.status !== 201) throw new Error(`upload of ${path}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.body.source as string;
}

/** 503s answered to submissions (a service still reconnecting): the campaigns report them. */
export const refusals: string[] = [];

/** Submits a job; a 503 (with its reason) is retried for up to 30 s, as a client would, and noted. */
export async function submitJob(url: string, sources: string[], model = MODEL): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await call(url, 'POST', '/api/v1/jobs/', { sources, modules: { face_recognition: { model } } });
    if (r.status === 201) return r.body.id as string;
    if (r.status !== 503 || Date.now() > deadline) throw new Error(`job submission: ${r.status} ${r.text.slice(0, 300)}`);
    refusals.push(String(r.body?.error?.message ?? r.text).slice(0, 200));
    await sleep(500);
  }
}

export const FINAL = ['completed', 'failed', 'stopped'];

/** Polls a job until it is final; a gateway that does not answer (killed, restarting) is asked again. */
export async function waitFinal(url: () => string, id: string, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(url(), 'GET', `/api/v1/jobs/${id}/`, undefined, 5000).catch(() => null);
    if (r && r.status === 200 && FINAL.includes(r.body.state)) return r.body;
    if (r && r.status === 404) throw new Error(`job ${id} is gone (404)`);
    if (Date.now() > deadline) throw new Error(`job ${id} not final after ${timeoutMs} ms (${r ? `${r.status} ${r.body?.state}` : 'no answer'})`);
    await sleep(250);
  }
}

export async function resultsOf(url: string, id: string): Promise<any[]> {
  const r = await call(url, 'GET', `/api/v1/jobs/${id}/detailed-results/?limit=1000`);
  if (r.status !== 200) throw new Error(`results of ${id}: ${r.status} ${r.text.slice(0, 200)}`);
  return r.body.data;
}

/** What must be the same for a source whenever it is processed: who, where (frames), how many boxes. */
export function signature(items: any[]): string[] {
  return items.map((r) => `${r.meta?.person}@${r.frame_start}-${r.frame_end}:${r.detections?.length}`).sort();
}

export type Verdict = 'reference' | 'failed with reason' | 'different results' | 'duplicated' | 'failed without reason' | 'lost';

/**
 * A finished job against the reference: completed with the reference results, or failed with a
 * reason for each source; anything else is a defect. Also checks no result id appears twice.
 */
export async function judge(url: string, job: any, reference: Map<string, string[]>, sourceFiles: Map<string, string>): Promise<{ verdict: Verdict; detail: string }> {
  if (job.state === 'failed') {
    const reasons = (job.errors ?? []) as { source: string; message: string }[];
    const ok = reasons.length > 0 && reasons.every((e) => typeof e.message === 'string' && e.message.length > 5);
    return { verdict: ok ? 'failed with reason' : 'failed without reason', detail: JSON.stringify(job.errors).slice(0, 300) };
  }
  if (job.state !== 'completed') return { verdict: 'lost', detail: `state ${job.state}` };
  const items = await resultsOf(url, job.id);
  const ids = items.map((r) => r.id);
  if (new Set(ids).size !== ids.length) return { verdict: 'duplicated', detail: 'a result id given twice' };
  if ((job.errors ?? []).length > 0) {
    const ok = job.errors.every((e: any) => typeof e.message === 'string' && e.message.length > 5);
    if (!ok) return { verdict: 'failed without reason', detail: JSON.stringify(job.errors) };
  }
  for (const source of job.sources as string[]) {
    if ((job.errors ?? []).some((e: any) => e.source === source)) continue;
    const file = sourceFiles.get(source);
    const want = file ? reference.get(file) : undefined;
    if (!want) continue;
    const got = signature(items.filter((r) => r.source === source));
    if (JSON.stringify(got) !== JSON.stringify(want)) return { verdict: 'different results', detail: `${file}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}` };
  }
  if ((job.errors ?? []).length > 0) return { verdict: 'failed with reason', detail: `partly: ${JSON.stringify(job.errors).slice(0, 300)}` };
  return { verdict: 'reference', detail: '' };
}

// ---------------------------------------------------------------- memory

function children(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone
  }
  return out;
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of a process and its descendants (ffmpeg, ffprobe), in MB. */
export function treeRssMb(pid: number): number {
  let kb = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    kb += statusKb(p, 'VmRSS');
    stack.push(...children(p));
  }
  return kb / 1024;
}

/** The peak resident memory the kernel recorded for one process (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  return statusKb(pid, 'VmHWM') / 1024;
}

/** Samples the summed RSS of some process trees every `everyMs`; `peakMb` is the highest sum seen. */
export class MemorySampler {
  peakMb = 0;
  lastMb = 0;
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly pids: () => number[]) {}
  sample(): number {
    this.lastMb = this.pids().reduce((s, pid) => s + treeRssMb(pid), 0);
    this.peakMb = Math.max(this.peakMb, this.lastMb);
    return this.lastMb;
  }
  start(everyMs = 200): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
    return this;
  }
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return this.peakMb;
  }
}

// ---------------------------------------------------------------- products

/** Every process stays at one inference thread: several share the two cores. Celebrities are not loaded (the campaigns use their own gallery). */
export const CAMPAIGN_ENV: Record<string, string> = {
  FACEREC_INTRA_OP_THREADS: '1',
  FACEREC_CELEBRITIES: 'none',
  FACEREC_EXECUTION_PROVIDERS: process.env.FACEREC_EXECUTION_PROVIDERS ?? 'cpu',
  FACEREC_RATE_LIMIT: '0',
  LOG_LEVEL: process.env.CAMPAIGN_LOG_LEVEL ?? 'warn',
};

export interface Target {
  mode: 'embedded' | 'nats';
  url(): string;
  processes(): ServiceProcess[];
  /** The process of a service (embedded: the one process, whatever the name). */
  processOf(service: string): ServiceProcess;
  /** Starts a service's process again, with the same environment and ports; resolves when ready. */
  restart(service: string): Promise<void>;
  stop(): Promise<void>;
}

/** The whole product in one child process (`services/main.ts all`), data in `dataDir`. */
export async function startEmbeddedProcess(opts: { dataDir?: string; env?: Record<string, string> } = {}): Promise<Target & { dataDir: string }> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'facerec-campaign-'));
  const port = await freePort();
  const env = { ...CAMPAIGN_ENV, FACEREC_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', FACEREC_SHUTDOWN_GRACE_S: '5', ...opts.env };
  let proc = spawnService('all', env, port, { name: 'embedded', keepOutput: 200_000 });
  await waitReady(proc, 120_000);
  return {
    mode: 'embedded',
    dataDir,
    url: () => `http://127.0.0.1:${port}`,
    processes: () => [proc],
    processOf: () => proc,
    restart: async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) await proc.stop();
      proc = spawnService('all', proc.env, port, { name: 'embedded', keepOutput: 200_000 });
      await waitReady(proc, 120_000);
    },
    stop: async () => {
      await proc.stop();
      if (process.env.CAMPAIGN_DUMP) writeFileSync(`${process.env.CAMPAIGN_DUMP}.embedded.log`, proc.output());
    },
  };
}

/** One process per service over the NATS at `natsUrl` (a fresh prefix); gallery data in a temp dir. */
export async function startNatsProduct(
  natsUrl: string,
  opts: { env?: Record<string, string>; serviceEnv?: Record<string, Record<string, string>>; replicas?: Partial<Record<ServiceName, number>> } = {},
): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'facerec-campaign-nats-'));
  const prefix = `campaign_${process.pid}_${Date.now().toString(36)}`;
  const product = await startDistributed({ natsUrl, prefix, dataDir, env: { ...CAMPAIGN_ENV, ...opts.env }, serviceEnv: opts.serviceEnv, replicas: opts.replicas, keepOutput: 200_000 });
  const find = (service: string) => {
    const i = product.services.findIndex((s) => s.name === service);
    if (i < 0) throw new Error(`no process ${service}`);
    return i;
  };
  return {
    mode: 'nats',
    url: () => product.gatewayUrl,
    processes: () => product.services,
    processOf: (service) => product.services[find(service)]!,
    restart: async (service) => {
      const i = find(service);
      const old = product.services[i]!;
      if (old.child.exitCode === null && old.child.signalCode === null) await old.stop();
      const next = spawnService(old.service, old.env, old.healthPort, { name: old.name, keepOutput: 200_000 });
      product.services[i] = next;
      await waitReady(next, 120_000);
    },
    stop: async () => {
      await product.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface NatsServer {
  url: string;
  /** kill -9 and start again on the same port and store directory. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A private nats-server with JetStream on a free port, its store in a temp dir. */
export async function startNatsServer(binary: string): Promise<NatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'facerec-campaign-js-'));
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const nc = await connect({ servers: `nats://127.0.0.1:${port}`, timeout: 1000, reconnect: false });
        try {
          await (await jetstreamManager(nc)).getAccountInfo();
        } finally {
          await nc.close();
        }
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`nats-server on ${port} not ready: ${(err as Error).message}`);
        await sleep(200);
      }
    }
  };
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    restart: async (downMs = 1000) => {
      await kill('SIGKILL');
      await sleep(downMs);
      await launch();
    },
    stop: async () => {
      await kill('SIGTERM');
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- the gallery and references

export interface Fixture {
  /** storage:// source of each file */
  sources: Map<string, string>;
  /** file of each storage:// source */
  files: Map<string, string>;
  /** signature of each file's results, from an undisturbed run on this target */
  reference: Map<string, string[]>;
}

/** Builds the `people` gallery, uploads the photos and the video, and runs each once for its reference results. */
export async function prepare(url: string, data: CampaignData, files: readonly string[] = [...PHOTOS, VIDEO]): Promise<Fixture> {
  const created = await call(url, 'POST', '/api/v1/models/', { name: MODEL });
  if (created.status !== 201 && created.status !== 409) throw new Error(`model: ${created.status} ${created.text}`);
  const people = await call(url, 'GET', `/api/v1/models/${MODEL}/`);
  if (people.body?.identity_count === 0) {
    for (const person of readdirSync(data.gallery).sort()) {
      const form = new FormData();
      form.set('name', person);
      for (const f of readdirSync(join(data.gallery, person)).sort()) form.append('images', new Blob([readFileSync(join(data.gallery, person, f))]), f);
      const res = await fetch(`${url}/api/v1/models/${MODEL}/identities/`, { method: 'POST', body: form });
      if (res.status !== 201) throw new Error(`gallery ${person}: ${res.status} ${await res.text()}`);
    }
  }
  const fixture: Fixture = { sources: new Map(), files: new Map(), reference: new Map() };
  for (const file of files) {
    const source = await uploadFile(url, fileOf(data, file));
    fixture.sources.set(file, source);
    fixture.files.set(source, file);
  }
  const ids = await Promise.all(files.map((f) => submitJob(url, [fixture.sources.get(f)!])));
  for (const [i, id] of ids.entries()) {
    const job = await waitFinal(() => url, id, 300_000);
    if (job.state !== 'completed' || job.errors.length > 0) throw new Error(`reference run of ${files[i]}: ${job.state} ${JSON.stringify(job.errors)}`);
    fixture.reference.set(files[i]!, signature(await resultsOf(url, id)));
  }
  return fixture;
}

// ---------------------------------------------------------------- output

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A Markdown table (what the README quotes). */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function say(message: string): void {
  process.stderr.write(`campaign: ${message}\n`);
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `--name value` options of a campaign's command line. */
export function numberOption(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a number, got ${args[i + 1]}`);
  return v;
}

export function listOption(args: string[], name: string, fallback: string[]): string[] {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : (args[i + 1] ?? '').split(',').filter(Boolean);
}

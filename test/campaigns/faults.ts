// Faults campaign: kill -9 each service in turn mid-job (embedded: the one process; NATS: each of
// the six processes), NATS itself killed and restarted mid-job, two matcher replicas over
// PostgreSQL with one of them killed -9 and with the PostgreSQL server restarted mid-job, and the
// data directory on a full file system (a small tmpfs). Every trial must land while a job is part-way through, every job of
// it must end completed with its reference results (a job failed, even with a reason, fails the
// trial), nothing duplicated; and the product must serve again: recovery is the time from the fault
// to the first new job completed with its reference results, and every /readyz 200 after it.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  call,
  MODEL,
  campaignData,
  judge,
  PHOTOS,
  prepare,
  say,
  signature,
  sleep,
  startEmbeddedProcess,
  startNatsProduct,
  startNatsServer,
  submitJob,
  table,
  uploadBytes,
  uploadFile,
  VIDEO,
  waitFinal,
  fileOf,
  resultsOf,
  refusals,
  type CampaignData,
  type Fixture,
  type Target,
  type Verdict,
} from './common.js';
import { startPostgresServer } from '../support/postgres-server.js';

export const SERVICES = ['gateway', 'decoder', 'detector', 'embedder', 'matcher', 'aggregator'] as const;

export interface FaultOptions {
  /** kill trials per service (and per mode) */
  trials: number;
  modes: ('embedded' | 'nats')[];
  /** services killed in NATS mode */
  services: readonly string[];
  /** NATS server restarts (0: none) */
  natsRestarts: number;
  /** rounds on a full file system (0: none) */
  diskRounds: number;
  /** kill -9 trials of one of two matcher replicas over PostgreSQL (0 or absent: none) */
  matcherReplicaKills?: number;
  /** restarts of the PostgreSQL server under two matcher replicas (0 or absent: none) */
  postgresRestarts?: number;
  /** the nats-server binary (null: NATS rows are skipped with the reason) */
  natsServer: string | null;
  /** Video frames sampled this often (s): a denser sampling makes a job long enough to be hit mid-way. */
  sampleSeconds?: number;
  /** The files of the reference runs and trials (default: every photo and the video). */
  files?: string[];
}

export interface FaultRow {
  scenario: string;
  mode: string;
  trials: number;
  jobs: number;
  hitMidJob: number;
  reference: number;
  failedWithReason: number;
  wrong: number;
  duplicated: number;
  lost: number;
  recovered: number;
  /** slowest time from the fault to the first new job completed with its reference results */
  recoveryS: number;
  /** slowest time from the fault to the last job of the trial being final */
  worstS: number;
  notes: string[];
}

const BAD: Verdict[] = ['different results', 'failed without reason', 'lost'];

function row(scenario: string, mode: string): FaultRow {
  return { scenario, mode, trials: 0, jobs: 0, hitMidJob: 0, reference: 0, failedWithReason: 0, wrong: 0, duplicated: 0, lost: 0, recovered: 0, recoveryS: 0, worstS: 0, notes: [] };
}

/**
 * From the fault on (`since`), submits a job on `photo` until one completes with its reference
 * results: the seconds from the fault to that, or null if none did within `timeoutMs`. Runs beside
 * the restart: a gateway that is down, or a job that fails while a service is missing, is tried again.
 */
async function firstSuccess(t: Target, fixture: Fixture, photo: string, since: number, timeoutMs: number): Promise<number | null> {
  const deadline = since + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const id = await submitJob(t.url(), [fixture.sources.get(photo)!]);
      const job = await waitFinal(t.url, id, Math.max(1000, deadline - Date.now()));
      const { verdict } = await judge(t.url(), job, fixture.reference, fixture.files);
      if (verdict === 'reference') return (Date.now() - since) / 1000;
    } catch {
      // not answering yet
    }
    await sleep(500);
  }
  return null;
}

/** A trial recovered when a new job succeeded after the fault and every process is ready. */
async function recovered(r: FaultRow, t: Target, success: Promise<number | null>, trial: number): Promise<void> {
  const seconds = await success;
  const allReady = await ready(t);
  if (seconds !== null && allReady) {
    r.recovered++;
    r.recoveryS = Math.max(r.recoveryS, seconds);
  } else if (r.notes.length < 5) {
    r.notes.push(`trial ${trial}: not recovered (${seconds === null ? 'no job completed with its reference results' : 'a /readyz not 200'})`);
  }
}

async function count(r: FaultRow, t: Target, fixture: Fixture, ids: string[], since: number, timeoutMs: number): Promise<void> {
  for (const id of ids) {
    r.jobs++;
    let job: any;
    try {
      job = await waitFinal(t.url, id, timeoutMs);
    } catch (err) {
      r.lost++;
      if (r.notes.length < 5) r.notes.push((err as Error).message);
      continue;
    }
    const { verdict, detail } = await judge(t.url(), job, fixture.reference, fixture.files);
    if (verdict === 'reference') r.reference++;
    else if (verdict === 'failed with reason') r.failedWithReason++;
    else if (verdict === 'duplicated') r.duplicated++;
    else if (verdict === 'lost') r.lost++;
    else r.wrong++;
    if (verdict !== 'reference' && r.notes.length < 5) r.notes.push(`${verdict}: ${detail}`);
    if (BAD.includes(verdict)) say(`${r.scenario} ${r.mode}: job ${id} ${verdict} ${detail}`);
  }
  r.worstS = Math.max(r.worstS, (Date.now() - since) / 1000);
  // No job twice in the list: the gateway's list holds each id once.
  const list = await call(t.url(), 'GET', '/api/v1/jobs/?limit=1000');
  const listed = (list.body?.data ?? []).map((j: any) => j.id);
  if (new Set(listed).size !== listed.length) r.duplicated++;
}

/** Polls the video job until it is part-way through (0 < progress < 0.9); false when it ended first. */
async function midJob(t: Target, id: string, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await call(t.url(), 'GET', `/api/v1/jobs/${id}/`, undefined, 5000).catch(() => null);
    const job = r?.body;
    if (job?.state === 'processing' && job.progress > 0 && job.progress < 0.9) return true;
    if (job && ['completed', 'failed', 'stopped'].includes(job.state)) return false;
    await sleep(50);
  }
  return false;
}

async function ready(t: Target): Promise<boolean> {
  for (const p of t.processes()) {
    const ok = await fetch(`${p.healthUrl}/readyz`).then((r) => r.ok, () => false);
    if (!ok) return false;
  }
  return true;
}

/** One kill trial: a video job and a photo job in flight, `victim` killed with SIGKILL when the video job is mid-way, restarted. */
function photoFor(fixture: Fixture, i: number): string {
  const photos = PHOTOS.filter((f) => fixture.sources.has(f));
  return photos[i % photos.length]!;
}

async function killTrial(t: Target, fixture: Fixture, victim: string, r: FaultRow, i: number): Promise<void> {
  const photo = photoFor(fixture, i);
  const before = refusals.length;
  const ids = [await submitJob(t.url(), [fixture.sources.get(VIDEO)!]), await submitJob(t.url(), [fixture.sources.get(photo)!])];
  if (refusals.length > before) r.notes.push(`trial ${i + 1}: ${refusals.length - before} submissions answered 503 first (${refusals.at(-1)})`);
  const hit = await midJob(t, ids[0]!);
  if (hit) r.hitMidJob++;
  else r.notes.push(`trial ${i + 1}: the video job was not part-way through when ${victim} was killed`);
  const proc = t.processOf(victim);
  proc.child.kill('SIGKILL');
  const since = Date.now();
  await new Promise((res) => (proc.child.exitCode !== null || proc.child.signalCode !== null ? res(null) : proc.child.once('exit', res)));
  const success = firstSuccess(t, fixture, photo, since, 240_000);
  await t.restart(victim);
  await count(r, t, fixture, ids, since, 240_000);
  r.trials++;
  await recovered(r, t, success, i + 1);
}

export async function killCampaign(t: Target, fixture: Fixture, victims: readonly string[], trials: number, rows: FaultRow[], labels: { scenario?: string; mode?: string } = {}): Promise<void> {
  for (const victim of victims) {
    const r = row(labels.scenario ?? (t.mode === 'embedded' ? 'kill -9 the process (all six services)' : `kill -9 ${victim}`), labels.mode ?? (t.mode === 'embedded' ? 'embedded, child process' : 'NATS, a process per service'));
    rows.push(r);
    for (let i = 0; i < trials; i++) {
      await killTrial(t, fixture, victim, r, i);
      say(`${r.scenario} (${r.mode}): trial ${i + 1}/${trials}, ${r.reference} reference, ${r.failedWithReason} failed with reason, ${r.lost + r.wrong + r.duplicated} bad`);
    }
  }
}

/**
 * A server the product depends on (`what`: nats-server, PostgreSQL) restarted while a video job is
 * part-way through. `afterTrial`, when given, says what else did not come back (null: all did);
 * a trial that recovered its jobs but not that counts as not recovered.
 */
async function restartCampaign(
  t: Target,
  fixture: Fixture,
  labels: { scenario: string; mode: string; what: string },
  restart: () => Promise<void>,
  trials: number,
  rows: FaultRow[],
  afterTrial?: () => Promise<string | null>,
): Promise<void> {
  const r = row(labels.scenario, labels.mode);
  rows.push(r);
  const readsWhileDown = new Map<string, number>();
  for (let i = 0; i < trials; i++) {
    const photo = photoFor(fixture, i);
    const ids = [await submitJob(t.url(), [fixture.sources.get(VIDEO)!]), await submitJob(t.url(), [fixture.sources.get(photo)!])];
    if (await midJob(t, ids[0]!)) r.hitMidJob++;
    else r.notes.push(`trial ${i + 1}: the video job was not part-way through when ${labels.what} went down`);
    const since = Date.now();
    let restarting = true;
    const restarted = restart().finally(() => (restarting = false));
    const success = firstSuccess(t, fixture, photo, since, 240_000);
    // Gallery reads while it is down: answered, or refused with a reason (503), never a bare 500.
    while (restarting) {
      const res = await call(t.url(), 'GET', `/api/v1/models/${MODEL}/identities/`, undefined, 5000).catch(() => null);
      const key = res ? `${res.status}${res.status >= 400 ? ` ${res.body?.error?.code}` : ''}` : 'no answer';
      readsWhileDown.set(key, (readsWhileDown.get(key) ?? 0) + 1);
      if (res && res.status >= 500 && res.status !== 503) {
        r.wrong++;
        if (r.notes.length < 5) r.notes.push(`trial ${i + 1}: a gallery read while ${labels.what} was down answered ${res.status} (${JSON.stringify(res.body)})`);
      }
      await sleep(200);
    }
    await restarted;
    await count(r, t, fixture, ids, since, 240_000);
    r.trials++;
    const before = r.recovered;
    await recovered(r, t, success, i + 1);
    const missing = afterTrial ? await afterTrial() : null;
    if (missing !== null) {
      if (r.recovered > before) r.recovered--;
      r.notes.push(`trial ${i + 1}: not recovered (${missing})`);
    }
    say(`${r.scenario}: trial ${i + 1}/${trials}, ${r.reference} reference, ${r.failedWithReason} failed with reason, ${r.lost + r.wrong + r.duplicated} bad`);
  }
  r.notes.unshift(`gallery reads while down: ${[...readsWhileDown].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
}

const MATCHER_REPLICAS_MODE = 'NATS, two matchers over PostgreSQL';
/** What a matcher logs once its change feed listens again and its vector index was compared with the store (services/matcher/follow-changes.ts). */
const FEED_RESYNCED = 'vector index compared with the store after the change feed reconnected';

/** Each matcher's change-feed resyncs logged so far, by process name. */
function resyncs(t: Target): Map<string, number> {
  return new Map(t.processes().filter((p) => p.service === 'matcher').map((p) => [p.name, p.output().split(FEED_RESYNCED).length - 1]));
}

/**
 * Two matcher replicas sharing their galleries through a PostgreSQL server of the campaign's own
 * (test/campaigns/postgres-server.ts): one replica killed -9 mid-job, then the PostgreSQL server
 * restarted mid-job. After a restart every replica's change feed must listen again (it logs a
 * resync), or the trial did not recover.
 */
async function matcherReplicasCampaign(opts: FaultOptions, data: CampaignData, env: Record<string, string>, rows: FaultRow[]): Promise<void> {
  const kills = opts.matcherReplicaKills ?? 0;
  const restarts = opts.postgresRestarts ?? 0;
  const scenarios = [
    ...(kills > 0 ? ['kill -9 matcher-1 (of two replicas)'] : []),
    ...(restarts > 0 ? ['PostgreSQL restart (fast shutdown, 2 s down)'] : []),
  ];
  const skip = (reason: string) => {
    if (process.env.CI === 'true') throw new Error(`${reason} (required when CI=true)`);
    for (const scenario of scenarios) {
      const r = row(scenario, MATCHER_REPLICAS_MODE);
      r.notes.push(`skipped: ${reason}`);
      rows.push(r);
    }
    say(`${scenarios.join(', ')}: skipped, ${reason}`);
  };
  if (!opts.natsServer) return skip('no nats-server binary (set NATS_SERVER)');
  const postgres = await startPostgresServer();
  if ('reason' in postgres) return skip(`cannot run a PostgreSQL server to restart: ${postgres.reason}`);
  const nats = await startNatsServer(opts.natsServer);
  let t: Target | null = null;
  try {
    // The matchers log at info: their change feed's resyncs are counted.
    t = await startNatsProduct(nats.url, { env, replicas: { matcher: 2 }, serviceEnv: { matcher: { DATABASE_URL: postgres.url, LOG_LEVEL: 'info' } } });
    const target = t;
    const fixture = await prepare(t.url(), data, opts.files);
    if (kills > 0) await killCampaign(t, fixture, ['matcher-1'], kills, rows, { scenario: scenarios[0], mode: MATCHER_REPLICAS_MODE });
    if (restarts > 0) {
      let before = resyncs(t);
      const feedsBack = async (): Promise<string | null> => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const now = resyncs(target);
          const silent = [...now].filter(([name, n]) => n <= (before.get(name) ?? 0)).map(([name]) => name);
          if (silent.length === 0) {
            before = now;
            return null;
          }
          if (Date.now() > deadline) {
            before = now;
            return `the change feed of ${silent.join(', ')} did not listen again within 30 s`;
          }
          await sleep(250);
        }
      };
      await restartCampaign(t, fixture, { scenario: scenarios.at(-1)!, mode: MATCHER_REPLICAS_MODE, what: 'PostgreSQL' }, () => postgres.restart(2000), restarts, rows, feedsBack);
    }
  } finally {
    await t?.stop();
    await nats.stop();
    await postgres.stop();
  }
}

/** Mounts a tmpfs of `mb` MB at a new directory; null (with the reason) when mounting is impossible here. */
function mountTmpfs(mb: number): { dir: string; unmount(): void } | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), 'facerec-campaign-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `cannot mount a tmpfs (${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()})` };
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Why a tmpfs cannot be mounted here (not root, no CAP_SYS_ADMIN), or null when it can. */
export function tmpfsUnavailable(): string | null {
  const mount = mountTmpfs(1);
  if ('reason' in mount) return mount.reason;
  mount.unmount();
  return null;
}

/** Fills the file system of `dir` with one file until writes fail with ENOSPC; returns its path. */
function fill(dir: string): string {
  const path = join(dir, 'filler.bin');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(256 * 1024, 0xaa);
  const small = Buffer.alloc(4096, 0xaa);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  try {
    for (;;) writeSync(fd, small);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  closeSync(fd);
  return path;
}

/**
 * The embedded product with its data directory on a 64 MB tmpfs. Each round: fill the file system,
 * then upload, submit jobs (of uploads made before) and add a gallery photo: every answer must be
 * an error with a reason or a success, every job final (reference or failed with reason); then free
 * the space and check a new upload and job complete with the reference results.
 */
async function diskFullCampaign(data: CampaignData, rounds: number, sampleSeconds: number, rows: FaultRow[]): Promise<void> {
  const r = row('data dir on a full file system (64 MB tmpfs)', 'embedded, child process');
  rows.push(r);
  const mount = mountTmpfs(64);
  if ('reason' in mount) {
    if (process.env.CI === 'true') throw new Error(`${mount.reason} (required when CI=true)`);
    r.notes.push(`skipped: ${mount.reason}`);
    say(`full file system: skipped, ${mount.reason}`);
    return;
  }
  const answers = new Map<string, number>();
  /** Each answer while full: a success, or an error with its reason (a 5xx without a message is a defect). */
  const note = (what: string, status: number, body: any) => {
    answers.set(`${what} ${status}`, (answers.get(`${what} ${status}`) ?? 0) + 1);
    const reason = body?.error?.message as string | undefined;
    if (status >= 400 && (!reason || body?.error?.code === 'internal')) {
      r.wrong++;
      if (r.notes.length < 5) r.notes.push(`${what}: ${status} without a reason (${JSON.stringify(body)})`);
    }
  };
  let t: Target | null = null;
  try {
    t = await startEmbeddedProcess({ dataDir: mount.dir, env: { FACEREC_VIDEO_SAMPLE_SECONDS: String(sampleSeconds) } });
    const fixture = await prepare(t.url(), data, ['obama1.jpg', 'kit_with_rose.jpg', VIDEO]);
    for (let i = 0; i < rounds; i++) {
      // Jobs in flight when the disk fills up (the video one part-way through), then more requests.
      const ids = [await submitJob(t.url(), [fixture.sources.get(VIDEO)!]), await submitJob(t.url(), [fixture.sources.get('obama1.jpg')!])];
      if (await midJob(t, ids[0]!)) r.hitMidJob++;
      const filler = fill(mount.dir);
      const since = Date.now();
      const up = await uploadBytes(t.url(), readPhoto(data), 'obama3.jpg');
      note('upload', up.status, up.body);
      for (const f of ['kit_with_rose.jpg']) {
        const res = await call(t.url(), 'POST', '/api/v1/jobs/', { sources: [fixture.sources.get(f)!], modules: { face_recognition: { model: 'people' } } });
        note('job submission', res.status, res.body);
        if (res.status === 201) ids.push(res.body.id);
      }
      const form = new FormData();
      form.set('name', `full-${i}`);
      form.append('images', new Blob([new Uint8Array(readPhoto(data))]), 'obama1.jpg');
      const added = await fetch(`${t.url()}/api/v1/models/people/identities/`, { method: 'POST', body: form });
      note('gallery add', added.status, await added.json().catch(() => null));
      // Full for a while (the jobs in flight meet it), then the space is freed: jobs that could not
      // even record a failure are retried (backoff up to 60 s) and must end as they should.
      await sleep(3000);
      rmSync(filler);
      await count(r, t, fixture, ids, since, 150_000);
      const again = await submitJob(t.url(), [await uploadFile(t.url(), fileOf(data, 'obama1.jpg'))]);
      const job = await waitFinal(t.url, again, 120_000);
      const same = job.state === 'completed' && JSON.stringify(signature(await resultsOf(t.url(), again))) === JSON.stringify(fixture.reference.get('obama1.jpg'));
      r.trials++;
      if (same && (await ready(t))) {
        r.recovered++;
        r.recoveryS = Math.max(r.recoveryS, (Date.now() - since) / 1000);
      } else r.notes.push(`round ${i + 1}: not recovered (${job.state} ${JSON.stringify(job.errors)})`);
      say(`full file system: round ${i + 1}/${rounds}, ${r.reference} reference, ${r.failedWithReason} failed with reason, ${r.lost + r.wrong + r.duplicated} bad`);
    }
  } finally {
    await t?.stop();
    mount.unmount();
  }
  r.notes.unshift(`answers while full: ${[...answers].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
}

function readPhoto(data: CampaignData): Buffer {
  return readFileSync(fileOf(data, 'obama1.jpg'));
}

export interface FaultReport {
  rows: FaultRow[];
  table: string;
  /** every trial hit a job part-way through, every job ended with its reference results, every trial recovered */
  ok: boolean;
}

export async function runFaults(opts: FaultOptions): Promise<FaultReport> {
  const data = campaignData();
  if ('missing' in data) throw new Error(`faults campaign: ${data.missing}`);
  const sampleSeconds = opts.sampleSeconds ?? 0.25;
  const rows: FaultRow[] = [];
  const env = { FACEREC_VIDEO_SAMPLE_SECONDS: String(sampleSeconds), FACEREC_QUEUE_ACK_WAIT_S: '4' };

  if (opts.modes.includes('embedded') && opts.trials > 0) {
    const t = await startEmbeddedProcess({ env });
    try {
      const fixture = await prepare(t.url(), data, opts.files);
      await killCampaign(t, fixture, ['embedded'], opts.trials, rows);
    } finally {
      await t.stop();
    }
  }

  if (opts.modes.includes('nats') && (opts.trials > 0 || opts.natsRestarts > 0)) {
    if (!opts.natsServer) {
      const reason = 'no nats-server binary (set NATS_SERVER)';
      if (process.env.CI === 'true') throw new Error(`${reason} (required when CI=true)`);
      const r = row('NATS mode', 'NATS');
      r.notes.push(`skipped: ${reason}`);
      rows.push(r);
    } else {
      const nats = await startNatsServer(opts.natsServer);
      let t: Target | null = null;
      try {
        t = await startNatsProduct(nats.url, { env });
        const fixture = await prepare(t.url(), data, opts.files);
        if (opts.trials > 0) await killCampaign(t, fixture, opts.services, opts.trials, rows);
        if (opts.natsRestarts > 0) {
          await restartCampaign(t, fixture, { scenario: 'nats-server kill -9 and restart', mode: 'NATS, a process per service', what: 'nats-server' }, () => nats.restart(1000), opts.natsRestarts, rows);
        }
      } finally {
        await t?.stop();
        await nats.stop();
      }
    }
  }

  if (opts.modes.includes('nats') && ((opts.matcherReplicaKills ?? 0) > 0 || (opts.postgresRestarts ?? 0) > 0)) await matcherReplicasCampaign(opts, data, env, rows);

  if (opts.diskRounds > 0) await diskFullCampaign(data, opts.diskRounds, sampleSeconds, rows);

  return faultReport(rows);
}

/** A row passes when every trial hit a job mid-run, every job ended with its reference results, every trial recovered, and no answer was wrong (a bare 500 counts). */
export function rowPasses(r: FaultRow): boolean {
  return r.trials > 0 && r.hitMidJob === r.trials && r.jobs > 0 && r.reference === r.jobs && r.recovered === r.trials && r.duplicated === 0 && r.wrong === 0;
}

export function faultReport(rows: FaultRow[]): FaultReport {
  const ok = rows.length > 0 && rows.every((r) => (r.notes[0]?.startsWith('skipped') ? true : rowPasses(r)));
  const text = table(
    ['fault', 'mode', 'trials', 'jobs', 'hit mid-job', 'reference results', 'failed with reason', 'wrong', 'duplicated', 'lost', 'recovered', 'fault → first job done (s), slowest', 'slowest to final (s)'],
    rows.map((r) => [r.scenario, r.mode, r.trials, r.jobs, `${r.hitMidJob}/${r.trials}`, r.reference, r.failedWithReason, r.wrong, r.duplicated, r.lost, `${r.recovered}/${r.trials}`, r.recoveryS.toFixed(1), r.worstS.toFixed(1)]),
  );
  return { rows, table: text, ok };
}

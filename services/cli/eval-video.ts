// `facerec eval video --truth <json> [--model <gallery name or folder>] [--data <dir>] [--clips a,b] [--tolerance 0.5] [--linking]`
//
// Runs each clip of a truth file (libs/eval/video-eval.ts) as a job through the REST API of the
// embedded product, started here on a fresh data directory, and prints per person the seconds
// named right (recall), the seconds under a wrong name, the labels each person got, and the
// result items without a label; the last line is the whole evaluation as JSON.
//
// A clip runs against its own `model` (made from its `gallery_folder` when it names one), else
// against --model: a gallery of the installation (default `celebrities`) or a folder of person
// folders, made into a gallery named after the folder.
//
// --linking also prints the template distances between tracks of one person and of two people,
// within a shot and across cuts (read from the decoder's observations of each job), which the
// person units' linking bars rest on.
import { existsSync, mkdtempSync, openAsBlob, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { tapObservations } from '../../libs/bus/bus.js';
import { loadConfig, SERVICE_NAMES } from '../../libs/config/config.js';
import { sizeAdjustedMaxDistance } from '../../libs/engine/decision.js';
import { linkingDistances, NEAR_MISS, scoreClip, totals, type ClipScore, type LinkingDistances, type TrackForLinking, type TruthFile } from '../../libs/eval/video-eval.js';
import { euclidean } from '../../libs/engine/distance.js';
import { collectObservations } from '../aggregator/observations.js';
import { sourceTracks } from '../aggregator/person-units.js';
import type { ObservationChunk, ResultItem } from '../../libs/jobs/types.js';
import { rootLogger } from '../../libs/log/logger.js';
import { startServices } from '../product.js';
import { UsageError } from './args.js';
import { findModel, importFolderCommand, request } from './models.js';
import { DEFAULT_MAX_DISTANCE } from './detect.js';


export async function evalVideoCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      truth: { type: 'string' },
      model: { type: 'string', default: 'celebrities' },
      data: { type: 'string', default: process.env.FACEREC_TEST_DATA ?? '../shared/data' },
      clips: { type: 'string' },
      tolerance: { type: 'string', default: '0.5' },
      linking: { type: 'boolean', default: false },
    },
  });
  if (!values.truth) throw new UsageError('eval video needs --truth (a JSON file of who is on screen when)');
  const tolerance = Number(values.tolerance);
  if (!(tolerance >= 0)) throw new UsageError('--tolerance must be a number of seconds ≥ 0');
  const truth = JSON.parse(readFileSync(values.truth, 'utf8')) as TruthFile;
  if (!Array.isArray(truth.clips)) throw new UsageError(`${values.truth}: no "clips" list`);
  const wanted = values.clips?.split(',').filter(Boolean);
  const clips = truth.clips.filter((c) => !wanted || wanted.some((w) => c.file.includes(w)));
  if (clips.length === 0) throw new UsageError('no clip of the truth file matches --clips');
  const dataDir = resolve(values.data);
  for (const c of clips) if (!existsSync(join(dataDir, c.file))) throw new UsageError(`${join(dataDir, c.file)} not found (--data names the data directory)`);

  if (!process.env.LOG_LEVEL) rootLogger.level = 'warn';
  const dir = mkdtempSync(join(tmpdir(), 'facerec-eval-video-'));
  const product = await startServices(SERVICE_NAMES, { ...loadConfig(), dataDir: dir }, { loopback: true });
  const url = `http://127.0.0.1:${product.gatewayPort}`;
  // With --linking, the decoder's observations are read on their way to the aggregator (not altered).
  const bus = await product.adapters.bus();
  let observed: ObservationChunk[] = [];
  if (values.linking) tapObservations(bus, (_, chunk) => observed.push(chunk));
  const linking: LinkingDistances = { withinShot: { same: [], different: [] }, acrossCuts: { same: [], different: [] } };
  try {
    const made = new Map<string, string>();
    const galleryFor = async (model: string | undefined, folder: string | undefined): Promise<string> => {
      const path = folder ? join(dataDir, folder) : model && existsSync(model) && statSync(model).isDirectory() ? model : null;
      if (!path) return model ?? 'celebrities';
      const name = folder ? (model ?? basename(path)) : basename(resolve(path));
      if (!made.has(path)) {
        // The CLI's own folder import (`facerec models import`), its per-person lines kept quiet.
        await importFolderCommand({ url, out: () => {}, err: (line) => console.error(line) }, name, path);
        made.set(path, name);
      }
      return made.get(path)!;
    };
    const scores: ClipScore[] = [];
    for (const clip of clips) {
      const model = await galleryFor(clip.model ?? values.model, clip.gallery_folder);
      const started = performance.now();
      const { items, info } = await runClip(url, join(dataDir, clip.file), model);
      const identities = (await findModel(url, model))?.identity_count ?? 0;
      const score = scoreClip(clip, items, info, { tolerance, maxDistance: sizeAdjustedMaxDistance(DEFAULT_MAX_DISTANCE, identities) });
      scores.push(score);
      printClip(score, model, (performance.now() - started) / 1000);
      if (values.linking) {
        const found = linkingDistances(clip, await tracksOf(observed), info.fps, euclidean);
        for (const k of ['withinShot', 'acrossCuts'] as const) for (const w of ['same', 'different'] as const) linking[k][w].push(...found[k][w]);
        observed = [];
      }
    }
    if (values.linking) printLinking(linking);
    const all = totals(scores);
    console.log(
      `\nknown people named ≥ 60 % of their time: ${all.known_at_60pct} of ${all.known.length}; mean named-seconds recall ${pct(all.mean_recall)}; ` +
        `wrong-name seconds ${all.wrong_s}; strangers named ${all.strangers_named_s} s; strangers with one label ${all.stranger_labels.filter((s) => s.labels === 1).length} of ${all.stranger_labels.length}; ` +
        `items without a person, label or reason ${all.items_without_label_or_reason}`,
    );
    console.log(JSON.stringify({ tolerance, totals: all, clips: scores, ...(values.linking ? { linking } : {}) }));
  } finally {
    await product.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printClip(score: ClipScore, model: string, seconds: number): void {
  console.log(`\n${score.file} (model ${model}, ${score.items} result items, ${seconds.toFixed(1)} s)`);
  console.log('| person | on screen (s) | named (s) | recall | wrong name (s) | labels | distance | closest when unnamed |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const p of score.people) {
    const wrong = p.wrong_s > 0 ? `${p.wrong_s} (${p.wrong_names.join(', ')})` : '0';
    const distance = p.distances ? (p.distances[0] === p.distances[1] ? `${p.distances[0]}` : `${p.distances[0]}–${p.distances[1]}`) : '—';
    console.log(`| ${p.person} | ${p.on_screen_s} | ${p.stranger ? '—' : p.named_s} | ${p.stranger ? '—' : pct(p.recall)} | ${wrong} | ${p.labels.length}: ${p.labels.join(', ')} | ${distance} | ${p.closest.join(', ') || '—'} |`);
  }
  const others = score.others_named_s > 0 ? `${score.others_named_s} s (${score.others_names.join(', ')}) ${score.others_wrong ? 'counted wrong' : 'unverified, not counted'}` : 'none';
  console.log(`other faces named: ${others}; items with person null: ${score.items_without_label} (without a reason: ${score.items_without_label_or_reason})`);
  const near = (within: boolean) =>
    score.unnamed_near
      .filter((u) => u.within === within)
      .map((u) => `${u.person} → ${u.closest} ${u.distance}${u.margin === null ? '' : ` (next +${u.margin})`}`)
      .join('; ');
  if (score.unnamed_near.some((u) => u.within)) console.log(`unnamed within max_distance (seen only in profile or blurred, or the person already on screen): ${near(true)}`);
  if (score.unnamed_near.some((u) => !u.within)) console.log(`unnamed up to ${NEAR_MISS} above it: ${near(false)}`);
}

/** The tracks of the one source of a job's observations, as person units start from them. */
async function tracksOf(chunks: readonly ObservationChunk[]): Promise<TrackForLinking[]> {
  const [source] = (await collectObservations((async function* () { yield* chunks; })(), ['clip'])).sources;
  if (!source) return [];
  const [width, height] = source.info.resolution;
  return sourceTracks(source).map((t) => ({
    faces: t.faces.map(({ frameIndex, face }) => ({ frame: frameIndex, cx: (face.box.x + face.box.w / 2) / width, area: (face.box.w * face.box.h) / (width * height) })),
    frameStart: t.frameStart,
    frameEnd: t.frameEnd,
    shot: t.shot,
    template: t.template,
  }));
}

function printLinking(l: LinkingDistances): void {
  console.log('\nTemplate distances between tracks never on screen together (who a track is: the person most of its faces are):');
  console.log('| pair of tracks | pairs | least | 10 % | median | 90 % | greatest |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, ds] of [
    ['one person, within a shot', l.withinShot.same],
    ['two people, within a shot', l.withinShot.different],
    ['one person, across a cut', l.acrossCuts.same],
    ['two people, across a cut', l.acrossCuts.different],
  ] as const) {
    const s = [...ds].sort((a, b) => a - b);
    const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(3) : '—');
    console.log(`| ${name} | ${s.length} | ${at(0)} | ${at(0.1)} | ${at(0.5)} | ${at(0.9)} | ${s.length ? s[s.length - 1]!.toFixed(3) : '—'} |`);
  }
}

function pct(v: number | null): string {
  return v === null ? '—' : `${(v * 100).toFixed(1)} %`;
}

/** Uploads a clip, runs a job on it (cluster_unknowns on, top-k), reads every result item. */
async function runClip(url: string, file: string, model: string): Promise<{ items: ResultItem[]; info: { fps: number; total_frames: number } }> {
  const form = new FormData();
  form.set('file', await openAsBlob(file), basename(file));
  const { source } = await request<{ source: string }>(url, 'POST', '/api/v1/storage/', { form });
  const job = await request<any>(url, 'POST', '/api/v1/jobs/', { json: { sources: [source], modules: { face_recognition: { model, cluster_unknowns: true, enable_top_k: true } } } });
  let done = job;
  while (!['completed', 'failed', 'stopped'].includes(done.state)) done = await request<any>(url, 'GET', `/api/v1/jobs/${job.id}/?wait=60`);
  if (done.state !== 'completed') throw new Error(`${file}: job ${done.state}: ${JSON.stringify(done.errors ?? done.error ?? null)}`);
  const info = done.result.summary[0].info as { fps: number; total_frames: number };
  const items: ResultItem[] = [];
  for (let page: string | null = `/api/v1/jobs/${job.id}/detailed-results/?limit=1000`; page; ) {
    const body: { data: ResultItem[]; next: string | null } = await request(url, 'GET', page);
    items.push(...body.data);
    page = body.next ? new URL(body.next).pathname + new URL(body.next).search : null;
  }
  return { items, info };
}

// The aggregator: takes a job whose sources are all observed, matches the faces against the job's
// galleries, builds the results and summary, writes them, and completes the job. Results are
// replaced as a whole, so a redelivered job writes them once.
import type { Bus, Delivery, HandlerOutcome } from '../../libs/bus/bus.js';
import { euclidean } from '../../libs/engine/distance.js';
import { packedEmbedding } from '../../libs/grpc/embedding-wire.js';
import { unary, type MatcherClient } from '../../libs/grpc/grpc.js';
import type { MatchReply__Output } from '../../libs/grpc/generated/facerec/v1/MatchReply.js';
import type { MatchRequest } from '../../libs/grpc/generated/facerec/v1/MatchRequest.js';
import { FINAL_STATES, type AggregateWork, type JobRecord } from '../../libs/jobs/types.js';
import type { Logger } from '../../libs/log/logger.js';
import type { JobStore } from '../../libs/store/job-store.js';
import { indexUnknownPersons, MAX_EMBEDDINGS_PER_PERSON } from './identity-index.js';
import { buildJobResults, embeddedFaces, videoPersonUnits } from './job-results.js';
import type { VideoUnits } from './video-results.js';
import type { Embedding } from './observations.js';
import { collectObservations } from './observations.js';
import { ThumbnailSpill } from './thumbnail-spill.js';
import { mapItems, type Candidate } from './result-format.js';
import { sizeAdjustedMaxDistance } from '../../libs/engine/decision.js';
import type { ResolveModelsRequest } from '../../libs/grpc/generated/facerec/v1/ResolveModelsRequest.js';
import type { ResolveModelsReply__Output } from '../../libs/grpc/generated/facerec/v1/ResolveModelsReply.js';

export interface AggregatorDeps {
  jobs: JobStore;
  bus: Bus;
  matcher: MatcherClient;
  /** Raw distance of each embedding model that maps to the contract's 1.0 (models/catalog.json). */
  /** The contract distance for a raw Euclidean distance between two vectors of an embedding model. */
  contractDistance: (embeddingModel: string) => (raw: number) => number;
  log: Logger;
  /** The seconds a delivery spent deciding (person units, gallery matches, results), whatever became of the job. */
  onDecision?: (seconds: number) => void;
  /** A job finished: its final state, processing time, and how many of its sources were read and how many failed (once per job, however often it was delivered). */
  onJob?: (state: JobRecord['state'], seconds: number, sources: { ok: number; failed: number }) => void;
}

/** Embeddings per Match call: short calls, so that the matcher holds few searches' candidates at once (thousands of a long video's templates otherwise left tens of MB of them to the old generation). */
const MATCH_BATCH = 32;
/** Candidates asked per face: enough for top-k and for a runner-up when a person is taken. */
const MIN_CANDIDATES = 5;

export class AggregatorWorker {
  constructor(private readonly deps: AggregatorDeps) {}

  async handle(work: AggregateWork, delivery: Delivery): Promise<HandlerOutcome> {
    const { jobs, bus } = this.deps;
    const log = this.deps.log.child({ jobId: work.jobId, attempt: delivery.attempt });
    const job = await jobs.get(work.jobId);
    if (!job || FINAL_STATES.includes(job.state)) {
      await bus.dropObservations(work.jobId);
      return 'drop';
    }
    // Thumbnails wait on disk until the results are written (a long video has thousands).
    const spill = new ThumbnailSpill();
    try {
      return await this.decide(job, spill, log);
    } finally {
      spill.close();
    }
  }

  /** Reads the job's observations, decides, writes the results and finishes the job. */
  private async decide(job: JobRecord, spill: ThumbnailSpill, log: Logger): Promise<HandlerOutcome> {
    const { jobs, bus } = this.deps;
    // A video's tracks keep embeddings of their own only for the identity index.
    const observed = await collectObservations(bus.readObservations(job.id), job.sources, {
      samplesPerTrack: job.params.index_unknowns ? MAX_EMBEDDINGS_PER_PERSON : 0,
      spill,
    });
    const deciding = performance.now();
    const models = new Set(observed.sources.map((s) => s.embeddingModel).filter(Boolean));
    const toContract = models.size > 0 ? this.deps.contractDistance([...models][0]!) : (raw: number) => raw;
    const distance = (a: ArrayLike<number>, b: ArrayLike<number>) => toContract(euclidean(a, b));
    const k = Math.max(job.params.top_k, MIN_CANDIDATES);

    // Image faces are matched one by one; a video's faces through their person units' templates.
    const faces = embeddedFaces(observed.sources);
    const matched = await this.match(faces.map((f) => f.face.embedding), faces.map((f) => f.model), job.params.modelIds, k);
    const candidates = new Map(faces.map((f, i) => [f.face, matched[i]!]));
    const videoUnits = new Map<number, VideoUnits>();
    const unitsBySource = videoPersonUnits(observed.sources, distance);
    for (const source of observed.sources) {
      const units = unitsBySource.get(source.index);
      if (!units) continue;
      const withTemplate = units.filter((u) => u.template);
      const unitMatches = await this.match(withTemplate.map((u) => u.template!), withTemplate.map(() => source.embeddingModel), job.params.modelIds, k);
      videoUnits.set(source.index, { units, candidates: new Map(withTemplate.map((u, i) => [u.id, unitMatches[i]!])) });
    }

    // Naming tightens with the number of identities searched (libs/engine/decision.ts).
    const identities = await this.identityCount(job.params.modelIds);
    const params = { ...job.params, max_distance: sizeAdjustedMaxDistance(job.params.max_distance, identities) };
    const { items, summary, unknownPersons } = buildJobResults(job.id, params, observed.sources, candidates, distance, videoUnits);
    this.deps.onDecision?.((performance.now() - deciding) / 1000);

    // This delivery's holder may have been paused past the ack wait (a GC pause, a frozen VM) while
    // another delivery of the job finished it: that one's results stand, this one writes nothing.
    if (!(await this.stillProcessing(job.id, log))) return 'ack';

    // Persistent ids for the job's unknown persons: the same person in a later job gets the same id.
    let written = items;
    if (job.params.index_unknowns && unknownPersons.length > 0) {
      const ids = await indexUnknownPersons(
        this.deps.matcher,
        unknownPersons.map((p) => ({
          embeddings: p.embeddings,
          embeddingModel: p.source.embeddingModel,
          thumbnail: p.thumbnail,
          appearance: { jobId: job.id, source: p.source.source, resultIds: p.resultIds, frameStart: p.frameStart, frameEnd: p.frameEnd },
        })),
      );
      const byResult = new Map(unknownPersons.flatMap((p, i) => p.resultIds.map((r) => [r, ids[i]!] as const)));
      written = mapItems(items, (item) => {
        item.meta.indexed_identity = byResult.get(item.id) || null;
        return item;
      });
    }

    await jobs.putResults(job.id, written);
    const completed = new Date();
    const mediaTypes = new Set(observed.sources.map((s) => s.mediaType));
    const state = observed.sources.length > 0 ? 'completed' : 'failed';
    const done = await jobs.update(
      job.id,
      {
        state,
        progress: 1,
        errors: observed.failed.map((f) => ({ source: f.source, message: f.message })),
        summary,
        mediaType: mediaTypes.size === 1 ? [...mediaTypes][0]! : mediaTypes.size > 1 ? 'mixed' : null,
        timeCompleted: completed.toISOString(),
      },
      { ifState: ['processing'] },
    );
    await bus.dropObservations(job.id);
    if (!done) {
      const now = await jobs.get(job.id);
      if (now && now.state !== 'stopped') {
        // Finished by another delivery in the moment since the check above: its results (from the
        // same observations) stand.
        log.info({ state: now.state }, 'job already finished by another delivery');
        await queueWebhook(bus, now);
        return 'ack';
      }
      log.info('job was stopped or deleted meanwhile: results discarded');
      await jobs.putResults(job.id, []);
      return 'ack';
    }
    const seconds = (completed.getTime() - Date.parse(job.timeStarted ?? job.timeCreated)) / 1000;
    log.info({ state, results: items.length, failedSources: observed.failed.length, seconds }, 'job finished');
    this.deps.onJob?.(state, seconds, { ok: observed.sources.length, failed: observed.failed.length });
    await queueWebhook(bus, done);
    await bus.publish({ type: 'job.finished', jobId: job.id, state });
    return 'ack';
  }

  /** False (after saying why) when the job left 'processing' meanwhile: stopped, deleted or finished by another delivery. */
  private async stillProcessing(jobId: string, log: Logger): Promise<boolean> {
    const now = await this.deps.jobs.get(jobId);
    if (now?.state === 'processing') return true;
    log.info({ state: now?.state ?? 'deleted' }, now && now.state !== 'stopped' ? 'job already finished by another delivery' : 'job was stopped or deleted meanwhile: results discarded');
    if (!now || now.state === 'stopped') await this.deps.jobs.putResults(jobId, []);
    else await queueWebhook(this.deps.bus, now);
    await this.deps.bus.dropObservations(jobId);
    return false;
  }

  /** Identities in the job's galleries together. */
  private async identityCount(modelIds: string[]): Promise<number> {
    if (modelIds.length === 0) return 0;
    const reply = await unary<ResolveModelsRequest, ResolveModelsReply__Output>(this.deps.matcher, this.deps.matcher.ResolveModels, { refs: modelIds }, { deadline: Date.now() + 60_000 });
    return reply.resolved.reduce((n, m) => n + m.identityCount, 0);
  }

  private async match(embeddings: (Embedding | null)[], models: string[], modelIds: string[], k: number): Promise<Candidate[][]> {
    const out: Candidate[][] = embeddings.map(() => []);
    if (modelIds.length === 0) return out;
    const wanted = embeddings.flatMap((e, i) => (e ? [i] : []));
    for (let at = 0; at < wanted.length; at += MATCH_BATCH) {
      const batch = wanted.slice(at, at + MATCH_BATCH);
      const request: MatchRequest = { embeddings: batch.map((i) => packedEmbedding(models[i]!, embeddings[i]!)), modelIds, k };
      const reply = await unary<MatchRequest, MatchReply__Output>(this.deps.matcher, this.deps.matcher.Match, request, { deadline: Date.now() + 60_000 });
      batch.forEach((faceIndex, j) => {
        out[faceIndex] = (reply.matches[j]?.candidates ?? []).map((c) => ({ person: c.person, identityId: c.identityId, distance: c.distance }));
      });
    }
    return out;
  }
}

/** A finished job with a callback_url goes on the webhook queue (again after a redelivery: the sender skips a delivered one). */
async function queueWebhook(bus: Bus, job: JobRecord): Promise<void> {
  if (job.callbackUrl && job.state !== 'stopped') await bus.enqueue('webhook', { jobId: job.id }, job.id);
}

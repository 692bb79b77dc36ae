// The decoder: takes a job from the `decode` queue, reads each source, has its faces detected and
// embedded, and appends what it saw to the job's observations for the aggregator. A source that
// cannot be read fails alone, with its reason; a fault of the services (one unreachable, say) is
// retried by redelivery, and a redelivered job starts over from clean observations.
import type { Bus, Delivery, HandlerOutcome } from '../../libs/bus/bus.js';
import { SourceFetchError, fetchUrl } from '../../libs/fetch/fetch-source.js';
import { grpc, isGrpcError, type DetectorClient, type EmbedderClient } from '../../libs/grpc/grpc.js';
import { decodeImage, ImageDecodeError } from '../../libs/image/image.js';
import { looksLikeVideo } from '../../libs/jobs/media.js';
import { FINAL_STATES, type DecodeWork, type FaceObservation, type JobRecord } from '../../libs/jobs/types.js';
import type { Logger } from '../../libs/log/logger.js';
import type { BlobStore } from '../../libs/store/blob-store.js';
import type { JobStore } from '../../libs/store/job-store.js';
import { detectFrames, embedChips } from './face-pipeline.js';

export interface DecoderDeps {
  jobs: JobStore;
  blobs: BlobStore;
  bus: Bus;
  detector: DetectorClient;
  embedder: EmbedderClient;
  fetch: { maxBytes: number; timeoutMs: number; allowPrivate: boolean };
  maxImagePixels: number;
  log: Logger;
  onSource?: (outcome: 'ok' | 'failed', faces: number) => void;
}

/** A source this job cannot use: reported in the job's errors, the other sources go on. */
export class SourceError extends Error {
  override name = 'SourceError';
}

/** Thumbnails of at most this many px per side (SPEC: a small JPEG of the face). */
const THUMBNAIL_SIZE = 160;
/** Faces per observation chunk: keeps each bus message well under NATS's 1 MB default. */
const FACES_PER_CHUNK = 24;
/** Per-call deadline for the detector and the embedder. */
const CALL_DEADLINE_MS = 120_000;
/** After this many deliveries a service fault on a source fails that source instead of retrying. */
const MAX_ATTEMPTS = 4;
/** gRPC codes that mean "try again later", not "this input is bad". */
const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED, grpc.status.ABORTED, grpc.status.CANCELLED]);

export class DecoderWorker {
  constructor(private readonly deps: DecoderDeps) {}

  async handle(work: DecodeWork, delivery: Delivery): Promise<HandlerOutcome> {
    const { jobs, bus } = this.deps;
    const log = this.deps.log.child({ jobId: work.jobId, attempt: delivery.attempt });
    const job = await jobs.get(work.jobId);
    if (!job || FINAL_STATES.includes(job.state)) return 'drop';
    const started = await jobs.update(
      job.id,
      { state: 'processing', timeStarted: job.timeStarted ?? new Date().toISOString(), progress: 0, errors: [] },
      { ifState: ['waiting', 'processing'] },
    );
    if (!started) return 'drop';
    log.info({ sources: job.sources.length }, 'decoding job');
    await bus.dropObservations(job.id);

    for (const [index, source] of job.sources.entries()) {
      if (await this.cancelled(job.id)) {
        log.info('job cancelled: stopping');
        await bus.dropObservations(job.id);
        return 'ack';
      }
      try {
        const faces = await this.observeSource(job, index, source);
        this.deps.onSource?.('ok', faces);
      } catch (err) {
        const retryable = isRetryable(err) && delivery.attempt < MAX_ATTEMPTS;
        if (retryable) throw err; // → redelivery; the next attempt starts over
        const message = err instanceof SourceError ? err.message : `processing failed: ${(err as Error).message}`;
        if (!(err instanceof SourceError)) log.error({ err, source }, 'source failed');
        else log.info({ source, reason: message }, 'source failed');
        await bus.appendObservations(job.id, { kind: 'source-failed', sourceIndex: index, source, message });
        this.deps.onSource?.('failed', 0);
      }
      // Decoding is most of a job; the aggregator takes the last step to 1.
      await jobs.update(job.id, { progress: (0.95 * (index + 1)) / job.sources.length }, { ifState: ['processing'] });
    }
    await bus.enqueue('aggregate', { jobId: job.id }, job.id);
    return 'ack';
  }

  private async cancelled(jobId: string): Promise<boolean> {
    const job = await this.deps.jobs.get(jobId);
    return !job || job.state === 'stopped';
  }

  /** Observes one source; returns how many faces it had. */
  private async observeSource(job: JobRecord, sourceIndex: number, source: string): Promise<number> {
    const { bus } = this.deps;
    const bytes = await this.load(source);
    if (looksLikeVideo(bytes.subarray(0, 256))) throw new SourceError('video sources are not supported by this version (images only)');
    let img;
    try {
      img = await decodeImage(bytes, { maxPixels: this.deps.maxImagePixels });
    } catch (err) {
      if (err instanceof ImageDecodeError) throw new SourceError(`not a readable image: ${err.message}`);
      throw err;
    }
    const [faces] = await detectFrames(
      this.deps.detector,
      [{ index: 0, width: img.width, height: img.height, rgb: Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength) }],
      { scale: job.params.face_detection_scale, chips: true, thumbnailSize: THUMBNAIL_SIZE },
      CALL_DEADLINE_MS,
    );
    const detected = faces ?? [];
    const embeddings = await embedChips(this.deps.embedder, detected.map((f) => f.chip!), CALL_DEADLINE_MS);
    const observations: FaceObservation[] = detected.map((f, i) => ({
      box: { x: f.box!.x, y: f.box!.y, w: f.box!.w, h: f.box!.h },
      score: f.score,
      landmarkScore: f.landmarkScore,
      landmarks: f.landmarks.map((p) => [p.x, p.y]),
      embedding: embeddings[i]!.values,
      thumbnail: f.thumbnail.length > 0 ? f.thumbnail.toString('base64') : null,
      trackId: null,
    }));
    const embeddingModel = embeddings[0]?.model ?? '';
    await bus.appendObservations(job.id, {
      kind: 'source-start',
      sourceIndex,
      source,
      mediaType: 'image',
      info: { resolution: [img.width, img.height] },
      embeddingModel,
    });
    for (let at = 0; at === 0 || at < observations.length; at += FACES_PER_CHUNK) {
      await bus.appendObservations(job.id, { kind: 'frames', sourceIndex, frames: [{ index: 0, faces: observations.slice(at, at + FACES_PER_CHUNK) }] });
    }
    await bus.appendObservations(job.id, { kind: 'source-end', sourceIndex });
    return observations.length;
  }

  private async load(source: string): Promise<Buffer> {
    if (source.startsWith('storage://')) {
      const id = source.slice('storage://'.length);
      const bytes = await this.deps.blobs.read(id);
      if (!bytes) throw new SourceError(`no upload ${source} (deleted, expired, or never stored)`);
      return bytes;
    }
    try {
      return (await fetchUrl(source, this.deps.fetch)).bytes;
    } catch (err) {
      if (err instanceof SourceFetchError) throw new SourceError(err.message);
      throw err;
    }
  }
}

function isRetryable(err: unknown): boolean {
  if (err instanceof SourceError) return false;
  if (isGrpcError(err)) return RETRYABLE.has(err.code);
  return true; // a store or bus fault
}

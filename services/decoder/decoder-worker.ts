// The decoder: takes a job from the `decode` queue, reads each source, has its faces detected and
// embedded, and appends what it saw to the job's observations for the aggregator. A source that
// cannot be read fails alone, with its reason; a fault of the services (one unreachable, say) is
// retried by redelivery, and a redelivered job starts over from clean observations.
import { DEFAULT_MIN_QUALITY } from '../../libs/tracking/face-tracker.js';
import type { Bus, Delivery, HandlerOutcome } from '../../libs/bus/bus.js';
import { grpc, isGrpcError, unary, type DetectorClient, type EmbedderClient } from '../../libs/grpc/grpc.js';
import type { EmbedderInfo__Output } from '../../libs/grpc/generated/facerec/v1/EmbedderInfo.js';
import { decodeImage, ImageDecodeError } from '../../libs/image/image.js';
import { ffmpegPath, ffprobePath } from '../../libs/media/binaries.js';
import { MediaError } from '../../libs/media/errors.js';
import { probeVideo, type VideoProbe } from '../../libs/media/probe.js';
import { looksLikeVideo } from '../../libs/jobs/media.js';
import { FINAL_STATES, type DecodeWork, type FaceObservation, type JobRecord } from '../../libs/jobs/types.js';
import type { Logger } from '../../libs/log/logger.js';
import type { BlobStore } from '../../libs/store/blob-store.js';
import type { JobStore } from '../../libs/store/job-store.js';
import { detectFrames, embedChips } from '../../libs/face-client/face-pipeline.js';
import { alignable, alignedChip, detectionImage, faceThumbnail, inFullImage } from '../../libs/face-client/face-crops.js';
import { alignmentFor } from '../../libs/engine/alignment.js';
import { LANDMARKS_AT_DETECTION_SCALE, type DetectorName } from '../../libs/engine/choice.js';
import { fetchSourceFile, SourceError, type SourceFile } from './source-file.js';
import { JobCancelled, observeVideo } from './video-observer.js';

export interface DecoderDeps {
  jobs: JobStore;
  blobs: BlobStore;
  bus: Bus;
  detector: DetectorClient;
  embedder: EmbedderClient;
  fetch: { maxBytes: number; timeoutMs: number; allowPrivate: boolean };
  maxImagePixels: number;
  /** The installation's detector: whether photos may cross to it scaled (LANDMARKS_AT_DETECTION_SCALE). */
  detectorName: DetectorName;
  video: { sampleSeconds: number; maxSide: number; ffmpegPath: string | null; ffprobePath: string | null; embedAll?: boolean; minQuality?: number };
  log: Logger;
  onSource?: (outcome: 'ok' | 'failed', faces: number) => void;
}

/** Thumbnails of at most this many px per side (SPEC: a small JPEG of the face). */
const THUMBNAIL_SIZE = 160;
/** Faces per observation chunk: keeps each bus message well under NATS's 1 MB default. */
const FACES_PER_CHUNK = 24;
/** Per-call deadline for the detector and the embedder. */
const CALL_DEADLINE_MS = 120_000;
/** Images larger than this (compressed) are refused before decoding. */
const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;
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
        if (err instanceof JobCancelled) {
          log.info('job cancelled: stopping');
          await bus.dropObservations(job.id);
          return 'ack';
        }
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
    const file = await fetchSourceFile(source, { blobs: this.deps.blobs, fetch: this.deps.fetch });
    try {
      if (looksLikeVideo(file.head)) return await this.observeVideo(job, sourceIndex, source, file);
      return await this.observeImage(job, sourceIndex, source, file);
    } finally {
      await file.remove();
    }
  }

  private async observeImage(job: JobRecord, sourceIndex: number, source: string, file: SourceFile): Promise<number> {
    const { bus } = this.deps;
    if (file.size > MAX_IMAGE_FILE_BYTES) throw new SourceError(`not a video ffmpeg recognises, and too large for an image (${file.size} bytes)`);
    let img;
    try {
      img = await decodeImage(file.path, { maxPixels: this.deps.maxImagePixels });
    } catch (err) {
      if (!(err instanceof ImageDecodeError)) throw err;
      // Not an image sharp reads: a video container we do not sniff (ogv, 3gp, ts…) still plays.
      const probe = await probeVideo(file.path, { ffprobePath: ffprobePath(this.deps.video.ffprobePath) }).catch(() => null);
      if (probe) return this.observeVideo(job, sourceIndex, source, file, probe);
      throw new SourceError(`not a readable image or video: ${err.message.replace(file.path, 'the source')}`);
    }
    // The detector gets the photo at the size it analyses it at; chips and thumbnails are cut here
    // from the full-resolution pixels.
    const scale = job.params.face_detection_scale;
    const { image, sx, sy } = LANDMARKS_AT_DETECTION_SCALE[this.deps.detectorName] ? await detectionImage(img, scale) : { image: img, sx: 1, sy: 1 };
    const [faces] = await detectFrames(
      this.deps.detector,
      [{ index: 0, width: image.width, height: image.height, rgb: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength) }],
      { scale },
      CALL_DEADLINE_MS,
    );
    const detected = (faces ?? []).map((f) => inFullImage(f, sx, sy));
    const alignment = alignmentFor(await this.embeddingModel());
    const chips = detected.map((f) => ({ size: alignment.size, rgb: alignedChip(img, alignable(f), alignment) }));
    const [embeddings, thumbnails] = await Promise.all([
      embedChips(this.deps.embedder, chips, CALL_DEADLINE_MS),
      Promise.all(detected.map((f) => faceThumbnail(img, f.box!, THUMBNAIL_SIZE))),
    ]);
    const observations: FaceObservation[] = detected.map((f, i) => ({
      box: { x: f.box!.x, y: f.box!.y, w: f.box!.w, h: f.box!.h },
      score: f.score,
      landmarkScore: f.landmarkScore,
      landmarks: f.landmarks.map((p) => [p.x, p.y]),
      embedding: embeddings[i]!.values,
      thumbnail: thumbnails[i]!.toString('base64'),
      trackId: null,
    }));
    await bus.appendObservations(job.id, {
      kind: 'source-start',
      sourceIndex,
      source,
      mediaType: 'image',
      info: { resolution: [img.width, img.height] },
      embeddingModel: await this.embeddingModel(),
    });
    for (let at = 0; at === 0 || at < observations.length; at += FACES_PER_CHUNK) {
      await bus.appendObservations(job.id, { kind: 'frames', sourceIndex, frames: [{ index: 0, faces: observations.slice(at, at + FACES_PER_CHUNK) }] });
    }
    await bus.appendObservations(job.id, { kind: 'source-end', sourceIndex });
    return observations.length;
  }

  private async observeVideo(job: JobRecord, sourceIndex: number, source: string, file: SourceFile, probe?: VideoProbe): Promise<number> {
    const { jobs, bus } = this.deps;
    const video = this.deps.video;
    const started = Date.now();
    const share = 0.95 / job.sources.length;
    const result = await observeVideo(
      {
        detector: this.deps.detector,
        embedder: this.deps.embedder,
        bus,
        ffmpegPath: ffmpegPath(video.ffmpegPath),
        ffprobePath: ffprobePath(video.ffprobePath),
        sampleSeconds: video.sampleSeconds,
        maxSide: video.maxSide,
        embedAll: video.embedAll ?? false,
        minQuality: video.minQuality ?? DEFAULT_MIN_QUALITY,
      },
      {
        jobId: job.id,
        sourceIndex,
        source,
        path: file.path,
        scale: job.params.face_detection_scale,
        embeddingModel: await this.embeddingModel(),
        cancelled: () => this.cancelled(job.id),
        progress: async (fraction) => {
          await jobs.update(job.id, { progress: share * (sourceIndex + fraction) }, { ifState: ['processing'] });
        },
      },
      probe,
    );
    await bus.appendObservations(job.id, { kind: 'source-end', sourceIndex });
    this.deps.log.info({ jobId: job.id, source, faces: result.faces, embedded: result.embedded, seconds: (Date.now() - started) / 1000 }, 'video observed');
    return result.faces;
  }

  private embeddingModelName: Promise<string> | undefined;

  /** The embedder's model name (asked once; vectors of different models never mix). */
  private embeddingModel(): Promise<string> {
    this.embeddingModelName ??= unary<object, EmbedderInfo__Output>(this.deps.embedder, this.deps.embedder.Describe, {}, { deadline: Date.now() + CALL_DEADLINE_MS }).then(
      (info) => info.model,
      (err: unknown) => {
        this.embeddingModelName = undefined;
        throw err;
      },
    );
    return this.embeddingModelName;
  }
}

function isRetryable(err: unknown): boolean {
  if (err instanceof SourceError || err instanceof MediaError) return false;
  if (isGrpcError(err)) return RETRYABLE.has(err.code);
  return true; // a store or bus fault
}

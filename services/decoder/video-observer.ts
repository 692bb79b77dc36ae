// A video source: probe it, decode a frame about every `sampleSeconds` (ffmpeg, streamed, never
// the whole video in memory), stream the frames to the detector with back-pressure, track faces
// online, embed only the faces worth it (the first good faces of each track, clearly better ones,
// a refresh on long tracks — DeepStream's "secondary model once per track"), and append the
// observations in chunks as they come. The detector returns boxes and landmarks only: chips for
// the faces chosen for embedding and thumbnails for a track's better faces are cut here, from the
// frame held until its reply, so no work is spent on faces nobody embeds or shows.
import { once } from 'node:events';
import type { Bus } from '../../libs/bus/bus.js';
import type { DetectorClient, EmbedderClient } from '../../libs/grpc/grpc.js';
import type { DetectReply__Output } from '../../libs/grpc/generated/facerec/v1/DetectReply.js';
import { decodeFrames, outputSize, samplingStep } from '../../libs/media/decode.js';
import { MediaError } from '../../libs/media/errors.js';
import { probeVideo, type VideoProbe } from '../../libs/media/probe.js';
import type { FaceObservation, FrameObservation } from '../../libs/jobs/types.js';
import { EmbedSelector, FaceTracker, qualityOf, ThumbnailSelector } from '../../libs/tracking/face-tracker.js';
import { ShotChangeDetector } from '../../libs/tracking/shot-change.js';
import { embedChips } from '../../libs/face-client/face-pipeline.js';
import { alignable, alignedChip, faceThumbnail } from '../../libs/face-client/face-crops.js';
import { alignmentFor } from '../../libs/engine/alignment.js';
import type { RgbImage } from '../../libs/image/image.js';
import { SourceError } from './source-file.js';

export interface VideoObserverDeps {
  detector: DetectorClient;
  embedder: EmbedderClient;
  bus: Bus;
  ffmpegPath: string;
  ffprobePath: string;
  sampleSeconds: number;
  maxSide: number;
  /** Embed every face (no selection): for measuring what selection saves and costs. */
  embedAll: boolean;
  /** Least quality (qualityOf) of a face worth embedding. */
  minQuality: number;
}

export interface VideoSource {
  jobId: string;
  sourceIndex: number;
  source: string;
  path: string;
  scale: number;
  embeddingModel: string;
  /** Polled every few frames; true stops the decoding. */
  cancelled(): Promise<boolean>;
  /** Fraction of the video done (0..1). */
  progress(fraction: number): Promise<void>;
}

export class JobCancelled extends Error {
  override name = 'JobCancelled';
}

const THUMBNAIL_SIZE = 160;
/** Frames per observation chunk, and faces at most (bus messages stay well under 1 MB). */
const FRAMES_PER_CHUNK = 16;
const FACES_PER_CHUNK = 24;
/** Sampled frames between cancellation checks and progress reports. */
const CHECK_EVERY = 10;
const EMBED_DEADLINE_MS = 60_000;
/** Frames sent to the detector and held here until their reply (enough to fill its batches). */
const MAX_HELD_FRAMES = 8;
/** Frames whose embeddings may be in flight while the next ones are tracked. */
const MAX_FRAMES_EMBEDDING = 4;

interface EmbeddingFrame {
  index: number;
  detected: DetectReply__Output['faces'];
  ids: number[];
  chosen: boolean[];
  /** The frame begins a new shot. */
  cut: boolean;
  crops: Promise<[{ values: number[] }[], (Buffer | null)[]]>;
}

/** Probes and observes one video; returns the number of faces seen. */
export async function observeVideo(deps: VideoObserverDeps, src: VideoSource, probe?: VideoProbe): Promise<{ faces: number; embedded: number }> {
  probe ??= await probeVideo(src.path, { ffprobePath: deps.ffprobePath }).catch((err: unknown) => {
    throw err instanceof MediaError ? new SourceError(err.message) : err;
  });
  const step = samplingStep(probe.fps, deps.sampleSeconds);
  const decoded = outputSize(probe, deps.maxSide);
  // Boxes are reported in the video's own pixels, whatever size it was decoded at.
  const sx = probe.width / decoded.width;
  const sy = probe.height / decoded.height;
  await deps.bus.appendObservations(src.jobId, {
    kind: 'source-start',
    sourceIndex: src.sourceIndex,
    source: src.source,
    mediaType: 'video',
    info: { fps: Math.round(probe.fps * 1000) / 1000, resolution: [probe.width, probe.height], total_frames: probe.totalFrames, duration: Math.round(probe.duration * 1000) / 1000 },
    embeddingModel: src.embeddingModel,
  });

  const abort = new AbortController();
  const call = deps.detector.Detect();
  const alignment = alignmentFor(src.embeddingModel);
  // Full-resolution frames awaiting their reply; the sender waits while the window is full.
  const held = new Map<number, RgbImage>();
  let freed: (() => void) | null = null;
  const windowOpen = () =>
    held.size < MAX_HELD_FRAMES
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(abort.signal.reason);
          abort.signal.addEventListener('abort', onAbort, { once: true });
          freed = () => {
            abort.signal.removeEventListener('abort', onAbort);
            resolve();
          };
        });
  // Sampled frames that start a new shot: tracks end there.
  const shots = new ShotChangeDetector();
  const cuts = new Set<number>();
  // Frames go to the detector as ffmpeg yields them, at the pace the detector takes them.
  const sending = (async () => {
    try {
      for await (const frame of decodeFrames(src.path, { ffmpegPath: deps.ffmpegPath, probe, step, maxSide: deps.maxSide, signal: abort.signal })) {
        if (shots.isCut(frame.rgb, frame.width, frame.height)) cuts.add(frame.index);
        await windowOpen();
        held.set(frame.index, { width: frame.width, height: frame.height, data: frame.rgb });
        const ok = call.write({ frame: { index: frame.index, width: frame.width, height: frame.height, rgb: frame.rgb }, options: { scale: src.scale } });
        if (!ok) await once(call, 'drain', { signal: abort.signal });
      }
      call.end();
    } catch (err) {
      call.cancel();
      throw err;
    }
  })();
  sending.catch(() => {}); // awaited below; an early rejection must not be unhandled meanwhile

  const tracker = new FaceTracker();
  // A refresh embedding every ~4 s of a long track catches a change of person inside it.
  const selector = new EmbedSelector({ all: deps.embedAll, minQuality: deps.minQuality, refreshFrames: Math.round(4 * probe.fps) });
  // Every track carries a thumbnail (its first face, then clearly better ones), embedded or not.
  const thumbnails = new ThumbnailSelector();
  let pending: FrameObservation[] = [];
  let pendingFaces = 0;
  let faces = 0;
  let embedded = 0;
  let samples = 0;
  /** Frames whose chips are being embedded, in frame order. */
  const embedding: EmbeddingFrame[] = [];
  /** A frame's observations once its embeddings and thumbnails are there. */
  const observe = async (e: EmbeddingFrame) => {
    const [vectors, thumbs] = await e.crops;
    let v = 0;
    const observations: FaceObservation[] = e.detected.map((f, i) => {
      const box = f.box!;
      return {
        box: { x: box.x * sx, y: box.y * sy, w: box.w * sx, h: box.h * sy },
        score: f.score,
        landmarkScore: f.landmarkScore,
        landmarks: f.landmarks.map((p) => [p.x * sx, p.y * sy]),
        embedding: e.chosen[i] ? vectors[v++]!.values : null,
        // A track's first face, clearly better ones and embedded ones carry a thumbnail: every
        // track has one (a track too small to embed too), and not every frame sends one.
        thumbnail: thumbs[i]?.toString('base64') ?? null,
        trackId: e.ids[i]!,
      };
    });
    faces += observations.length;
    pending.push(e.cut ? { index: e.index, faces: observations, cut: true } : { index: e.index, faces: observations });
    pendingFaces += observations.length;
    if (pending.length >= FRAMES_PER_CHUNK || pendingFaces >= FACES_PER_CHUNK) await flush();
  };
  const flush = async () => {
    if (pending.length === 0) return;
    await deps.bus.appendObservations(src.jobId, { kind: 'frames', sourceIndex: src.sourceIndex, frames: pending });
    pending = [];
    pendingFaces = 0;
  };

  try {
    for await (const reply of call as AsyncIterable<DetectReply__Output>) {
      const detected = reply.faces;
      const frame = held.get(reply.frameIndex);
      if (!frame) throw new Error(`the detector answered frame ${reply.frameIndex}, which was not sent`);
      held.delete(reply.frameIndex);
      const wake = freed as (() => void) | null; // set by the sender's closure
      freed = null;
      wake?.();
      const cut = cuts.delete(reply.frameIndex);
      if (cut) tracker.endAll();
      const ids = tracker.update(
        reply.frameIndex,
        detected.map((f) => ({ box: f.box!, score: f.score, landmarkScore: f.landmarkScore })),
      );
      for (const ended of tracker.takeEnded()) {
        selector.forget(ended);
        thumbnails.forget(ended);
      }
      const qualities = detected.map((f) => qualityOf({ box: f.box!, score: f.score, landmarkScore: f.landmarkScore, landmarks: f.landmarks.map((p) => [p.x, p.y] as const) }, decoded.width, decoded.height));
      const chosen = detected.map((_, i) => selector.select(ids[i]!, qualities[i]!, reply.frameIndex));
      const withThumbnail = detected.map((_, i) => thumbnails.select(ids[i]!, qualities[i]!, chosen[i]));
      const chips = detected.flatMap((f, i) => (chosen[i] ? [{ size: alignment.size, rgb: alignedChip(frame, alignable(f), alignment) }] : []));
      // Embedded while the next frames are tracked: the embedder sees the chips of several frames
      // at once (one batch), and detection, decoding and embedding overlap. Observations still go
      // out in frame order.
      const crops = Promise.all([
        embedChips(deps.embedder, chips, EMBED_DEADLINE_MS),
        Promise.all(detected.map((f, i) => (withThumbnail[i] ? faceThumbnail(frame, f.box!, THUMBNAIL_SIZE) : null))),
      ]);
      crops.catch(() => {}); // awaited in order below; an early rejection must not be unhandled meanwhile
      embedding.push({ index: reply.frameIndex, detected, ids, chosen, cut, crops });
      embedded += chips.length;
      while (embedding.length > MAX_FRAMES_EMBEDDING) await observe(embedding.shift()!);
      if (++samples % CHECK_EVERY === 0) {
        if (await src.cancelled()) throw new JobCancelled();
        await src.progress(Math.min(1, reply.frameIndex / Math.max(1, probe.totalFrames)));
      }
    }
    while (embedding.length > 0) await observe(embedding.shift()!);
    await sending;
    await flush();
  } catch (err) {
    abort.abort();
    call.cancel();
    held.clear();
    // When ffmpeg failed, the detector call was cancelled because of it: report ffmpeg's reason.
    const decodeError = await sending.then(() => null, (e: unknown) => e);
    const cause = decodeError instanceof MediaError ? decodeError : err;
    throw cause instanceof MediaError ? new SourceError(cause.message) : cause;
  }
  return { faces, embedded };
}

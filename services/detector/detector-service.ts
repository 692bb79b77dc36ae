// The Detector gRPC service: frames in, faces out — boxes, five landmarks and, when a request asks
// for them, the aligned chip the embedder needs and a small JPEG thumbnail — one reply per frame,
// in order. The locator given is normally a BatchedLocator (libs/engine/batching.ts): frames of
// every open stream are detected in shared inferences, each stream's replies still in its order.
import type { RgbImage } from '../../libs/image/image.js';
import type { ChipAlignment } from '../../libs/engine/alignment.js';
import { alignedChip, faceThumbnail } from '../../libs/face-client/face-crops.js';
import type { FaceLocator } from '../../libs/engine/engine.js';
import { MAX_DETECTION_SCALE, MIN_DETECTION_SCALE } from '../../libs/engine/detect-options.js';
import { grpc } from '../../libs/grpc/grpc.js';
import type { DetectorHandlers } from '../../libs/grpc/generated/facerec/v1/Detector.js';
import type { DetectRequest__Output } from '../../libs/grpc/generated/facerec/v1/DetectRequest.js';
import type { DetectReply } from '../../libs/grpc/generated/facerec/v1/DetectReply.js';
import type { DetectedFace } from '../../libs/grpc/generated/facerec/v1/DetectedFace.js';
import type { Logger } from '../../libs/log/logger.js';

/** Frames waiting in a call before it stops reading from the client (back-pressure). */
const MAX_QUEUED_FRAMES = 2;

export class InvalidFrameError extends Error {
  override name = 'InvalidFrameError';
}

/**
 * `onFrame` counts frames and faces; `onStream` is told +1 when a Detect call opens and -1 once
 * when it closes (ended, failed or cancelled): the in-flight streams a load signal reads.
 */
export function detectorHandlers(
  locator: Pick<FaceLocator, 'locate'>,
  /** Where the installation's embedder wants a face (its chip is cut here, from the full frame). */
  alignment: ChipAlignment,
  log: Logger,
  onFrame?: (faces: number) => void,
  onStream?: (delta: 1 | -1) => void,
  /** Frames of one stream in flight at once (replies still go out in order). */
  concurrency = 1,
): DetectorHandlers {
  return {
    Detect: (call) => {
      const queue: DetectRequest__Output[] = [];
      const started: Promise<DetectReply>[] = [];
      let running = false;
      let ended = false;
      let failed = false;
      let open = true;
      onStream?.(1);
      const closed = () => {
        if (!open) return;
        open = false;
        onStream?.(-1);
      };
      for (const event of ['finish', 'cancelled', 'close']) call.once(event, closed);

      // Frames start as soon as they arrive while fewer than `concurrency` are in flight, also
      // while the pump waits for the oldest: a batching locator sees them together.
      const startFrames = (): void => {
        while (started.length < concurrency && queue.length > 0 && !failed) {
          const work = detectFrame(locator, alignment, queue.shift()!);
          work.catch(() => {}); // awaited in order by the pump
          started.push(work);
        }
        if (queue.length < MAX_QUEUED_FRAMES) call.resume();
      };

      const pump = async (): Promise<void> => {
        if (running) return;
        running = true;
        try {
          for (;;) {
            startFrames();
            if (started.length === 0 || failed) break;
            const reply = await started.shift()!;
            onFrame?.(reply.faces?.length ?? 0);
            if (!call.write(reply)) await new Promise((r) => call.once('drain', r));
          }
          if (ended && queue.length === 0 && started.length === 0 && !failed) call.end();
        } catch (err) {
          failed = true;
          const code = err instanceof InvalidFrameError ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL;
          if (code === grpc.status.INTERNAL) log.error({ err }, 'detection failed');
          call.emit('error', { code, details: (err as Error).message });
        } finally {
          running = false;
        }
      };

      call.on('data', (request: DetectRequest__Output) => {
        queue.push(request);
        startFrames();
        if (queue.length >= MAX_QUEUED_FRAMES) call.pause();
        void pump();
      });
      call.on('end', () => {
        ended = true;
        void pump();
      });
      call.on('cancelled', () => {
        failed = true;
        queue.length = 0;
      });
    },
  };
}

async function detectFrame(locator: Pick<FaceLocator, 'locate'>, alignment: ChipAlignment, request: DetectRequest__Output): Promise<DetectReply> {
  const frame = request.frame;
  if (!frame) throw new InvalidFrameError('a request carries no frame');
  const { width, height, rgb } = frame;
  if (width < 1 || height < 1 || rgb.length !== width * height * 3) {
    throw new InvalidFrameError(`frame ${frame.index}: ${rgb.length} bytes do not make a ${width}x${height} RGB frame`);
  }
  const options = request.options;
  const scale = options?.scale || 600;
  if (scale < MIN_DETECTION_SCALE || scale > MAX_DETECTION_SCALE) {
    throw new InvalidFrameError(`scale must be from ${MIN_DETECTION_SCALE} to ${MAX_DETECTION_SCALE}, got ${scale}`);
  }
  const img: RgbImage = { width, height, data: rgb };
  const located = await locator.locate(img, { scale });
  const faces: DetectedFace[] = [];
  for (const face of located) {
    faces.push({
      box: face.box,
      score: face.score,
      landmarkScore: face.landmarkScore,
      landmarks: face.landmarks.map(([x, y]) => ({ x, y })),
      // With the landmark model: dlib's five points, so that a chip cut elsewhere aligns the same.
      dlibPoints: (face.dlibPoints ?? []).map(([x, y]) => ({ x, y })),
      chip: options?.chips ? { size: alignment.size, rgb: alignedChip(img, face, alignment) } : null,
      thumbnail: options?.thumbnailSize ? await faceThumbnail(img, face.box, options.thumbnailSize) : Buffer.alloc(0),
    });
  }
  return { frameIndex: frame.index, faces };
}

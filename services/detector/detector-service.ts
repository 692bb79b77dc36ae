// The Detector gRPC service: frames in, faces out — boxes, five landmarks and, when a request asks
// for them, the aligned chip the embedder needs and a small JPEG thumbnail — one reply per frame,
// in order. The locator given is normally a BatchedLocator (libs/engine/batching.ts): frames of
// every open stream are detected in shared inferences, each stream's replies still in its order.
import { warpToChip } from '../../libs/geometry/warp.js';
import { clipBox, type Box } from '../../libs/geometry/box.js';
import { cropImage, encodeJpeg, resizeImage, type RgbImage } from '../../libs/image/image.js';
import type { AlignableFace, ChipAlignment } from '../../libs/engine/alignment.js';
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
/** Thumbnails show the face with some context around it. */
const THUMBNAIL_CONTEXT = 1.5;

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
      chip: options?.chips ? { size: alignment.size, rgb: alignedChip(img, face, alignment) } : null,
      thumbnail: options?.thumbnailSize ? await faceThumbnail(img, face.box, options.thumbnailSize) : Buffer.alloc(0),
    });
  }
  return { frameIndex: frame.index, faces };
}

/** The embedder's chip as 8-bit RGB (rounding the warp's bilinear samples). */
function alignedChip(img: RgbImage, face: AlignableFace, alignment: ChipAlignment): Buffer {
  const size = alignment.size;
  const chip = new Float32Array(size * size * 3);
  warpToChip(img, alignment.transform(face), size, size, chip, 0);
  const bytes = Buffer.allocUnsafe(chip.length);
  for (let i = 0; i < chip.length; i++) bytes[i] = Math.min(255, Math.max(0, Math.round(chip[i]!)));
  return bytes;
}

/** A square JPEG around the face, at most `maxSize` px per side. */
export async function faceThumbnail(img: RgbImage, box: Box, maxSize: number): Promise<Buffer> {
  const side = Math.max(box.w, box.h) * THUMBNAIL_CONTEXT;
  const region = clipBox({ x: box.x + box.w / 2 - side / 2, y: box.y + box.h / 2 - side / 2, w: side, h: side }, img.width, img.height);
  let crop = cropImage(img, region.x, region.y, Math.max(1, region.w), Math.max(1, region.h));
  const { width: w, height: h } = crop;
  const s = Math.min(1, maxSize / Math.max(w, h));
  if (s < 1) crop = await resizeImage(crop, Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s)));
  return encodeJpeg(crop, 85);
}

// The detector service batches frames across streams: several Detect calls open at once share the
// real YuNet network's inferences through one BatchedLocator, every stream still gets one reply
// per frame in its own order, with the faces its frames have alone, and the options each stream
// asked for (chips, thumbnails) are honoured.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignmentFor } from '../../libs/engine/alignment.js';
import { BatchedLocator, batcherOptions, DETECTOR_BATCHING } from '../../libs/engine/batching.js';
import { loadLocator, type FaceLocator, type LocatedFace } from '../../libs/engine/engine.js';
import { detectorClient, GrpcServer, loadProtos, type DetectorClient } from '../../libs/grpc/grpc.js';
import type { DetectOptions } from '../../libs/grpc/generated/facerec/v1/DetectOptions.js';
import type { DetectReply__Output } from '../../libs/grpc/generated/facerec/v1/DetectReply.js';
import { decodeImage, resizeImage, type RgbImage } from '../../libs/image/image.js';
import { rootLogger } from '../../libs/log/logger.js';
import { detectorHandlers } from '../../services/detector/detector-service.js';
import { sharedDataFile } from '../support/shared-data.js';

const probes = sharedDataFile('faces/people/probes');
const PHOTOS = ['obama_and_biden.jpg', 'two_people.jpg', 'obama1.jpg', 'alex_lacamoire1.jpg', 'kit_with_rose.jpg', 'johnsnow_test1.jpg'];
const CPU = { providers: ['cpu' as const], intraOpThreads: 1, cudaDeviceId: 0 };

describe.skipIf(!probes)('detector service: frames of every stream batched together', () => {
  let locator: FaceLocator;
  let batched: BatchedLocator;
  let server: GrpcServer;
  let client: DetectorClient;
  let frames: RgbImage[];
  const batchSizes: number[] = [];

  beforeAll(async () => {
    locator = await loadLocator('yunet', CPU);
    batched = new BatchedLocator(locator, { maxBatch: 4, maxWaitMs: 20, concurrency: 2 }, (size) => batchSizes.push(size));
    server = new GrpcServer().add('facerec.v1.Detector', loadProtos().facerec.v1.Detector.service, detectorHandlers(batched, alignmentFor('faceplugin-fr512'), rootLogger, undefined, undefined, 8));
    const port = await server.listen('127.0.0.1:0');
    client = detectorClient(`127.0.0.1:${port}`);
    frames = [];
    for (const f of PHOTOS) frames.push(await resizeImage(await decodeImage(join(probes!, f)), 640, 360));
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await server?.stop(1000);
    batched?.batcher.close();
  });

  /** One Detect call: the frames in `order`, numbered 100 + position; its replies as they came. */
  function stream(order: number[], options: DetectOptions): Promise<DetectReply__Output[]> {
    return new Promise((resolve, reject) => {
      const call = client.Detect({ deadline: Date.now() + 60_000 });
      const replies: DetectReply__Output[] = [];
      call.on('data', (r: DetectReply__Output) => replies.push(r));
      call.on('error', reject);
      call.on('end', () => resolve(replies));
      order.forEach((k, i) => {
        const img = frames[k]!;
        call.write({ frame: { index: 100 + i, width: img.width, height: img.height, rgb: Buffer.from(img.data) }, options });
      });
      call.end();
    });
  }

  it('answers each stream in its order with its frames\' own faces, sharing inferences between streams', async () => {
    const alone: LocatedFace[][] = [];
    for (const img of frames) alone.push(await locator.locate(img, { scale: 600 }));
    const orders = [
      [0, 1, 2, 3, 4, 5, 0, 1],
      [5, 4, 3, 2, 1, 0],
      [2, 2, 0, 4, 1, 3, 5],
    ];
    const options: DetectOptions[] = [{ scale: 600, chips: true }, { scale: 600, thumbnailSize: 64 }, { scale: 600 }];
    batchSizes.length = 0;
    const replies = await Promise.all(orders.map((order, s) => stream(order, options[s]!)));

    replies.forEach((rs, s) => {
      expect(rs.map((r) => r.frameIndex), `stream ${s}`).toEqual(orders[s]!.map((_, i) => 100 + i));
      rs.forEach((r, i) => {
        const expected = alone[orders[s]![i]!]!;
        expect(r.faces.length, `stream ${s} frame ${i}`).toBe(expected.length);
        r.faces.forEach((f, k) => {
          expect(f.box!.x).toBeCloseTo(expected[k]!.box.x, 3);
          expect(f.box!.w).toBeCloseTo(expected[k]!.box.w, 3);
          expect(f.score).toBeCloseTo(expected[k]!.score, 5);
          // Options per stream: chips for stream 0 only, thumbnails for stream 1 only.
          expect(f.chip ? f.chip.rgb.length : 0).toBe(s === 0 ? 112 * 112 * 3 : 0);
          expect(f.thumbnail.length > 0).toBe(s === 1);
        });
      });
    });
    expect(replies.flat().flatMap((r) => r.faces).length).toBeGreaterThan(10);
    // 21 frames went through fewer inferences than frames: streams shared batches.
    expect(batchSizes.reduce((a, b) => a + b, 0)).toBe(21);
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    expect(batchSizes.length).toBeLessThan(21);
  }, 120_000);

  it('sizes batches by the provider the session got: small on the CPU, large on CUDA; configured values win', () => {
    expect(batcherOptions('cpu', { batchSize: null, batchWaitMs: 2, concurrency: null }, DETECTOR_BATCHING)).toEqual({ maxBatch: DETECTOR_BATCHING.cpu.batchSize, maxWaitMs: 2, concurrency: DETECTOR_BATCHING.cpu.concurrency });
    expect(batcherOptions('cuda', { batchSize: null, batchWaitMs: 2, concurrency: null }, DETECTOR_BATCHING).maxBatch).toBeGreaterThanOrEqual(4 * DETECTOR_BATCHING.cpu.batchSize);
    expect(batcherOptions('cuda', { batchSize: 8, batchWaitMs: 5, concurrency: 1 }, DETECTOR_BATCHING)).toEqual({ maxBatch: 8, maxWaitMs: 5, concurrency: 1 });
  });
});

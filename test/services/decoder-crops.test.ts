// Video chips and thumbnails are cut by the decoder from the frame it holds (libs/face-client/
// face-crops.ts), not by the detector: for both pipelines (YuNet's own points → ArcFace chip;
// BlazeFace + FaceMesh → dlib chip from FaceMesh's points, sent back as dlib_points) they must be
// the very bytes the detector would have cut from the same frame, over the real gRPC service.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alignmentFor } from '../../libs/engine/alignment.js';
import { LANDMARKS_AT_DETECTION_SCALE } from '../../libs/engine/choice.js';
import { loadLocator, type FaceLocator } from '../../libs/engine/engine.js';
import { alignable, alignedChip, detectionImage, faceThumbnail, inFullImage } from '../../libs/face-client/face-crops.js';
import { detectFrames } from '../../libs/face-client/face-pipeline.js';
import { detectorClient, GrpcServer, loadProtos } from '../../libs/grpc/grpc.js';
import { decodeImage, type RgbImage } from '../../libs/image/image.js';
import { rootLogger } from '../../libs/log/logger.js';
import { detectorHandlers } from '../../services/detector/detector-service.js';
import { sharedDataFile } from '../support/shared-data.js';

const probes = sharedDataFile('faces/people/probes');
const CPU = { providers: ['cpu' as const], intraOpThreads: 1, cudaDeviceId: 0 };
const PIPELINES = [
  { detector: 'yunet', embedder: 'faceplugin-fr512', dlibPoints: false },
  { detector: 'blazeface', embedder: 'dlib-resnet', dlibPoints: true },
] as const;

describe.skipIf(!probes)('chips and thumbnails cut from the held frame', () => {
  const servers: GrpcServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop(1000);
  });

  for (const p of PIPELINES) {
    it(`${p.detector} → ${p.embedder}: the decoder's chips and thumbnails equal the detector's, byte for byte`, async () => {
      const locator: FaceLocator = await loadLocator(p.detector, CPU);
      const alignment = alignmentFor(p.embedder);
      const server = new GrpcServer().add('facerec.v1.Detector', loadProtos().facerec.v1.Detector.service, detectorHandlers(locator, alignment, rootLogger));
      servers.push(server);
      const client = detectorClient(`127.0.0.1:${await server.listen('127.0.0.1:0')}`);
      try {
        const img: RgbImage = await decodeImage(join(probes!, 'obama_and_biden.jpg'));
        const frame = { index: 0, width: img.width, height: img.height, rgb: Buffer.from(img.data) };
        const [withCrops] = await detectFrames(client, [frame], { scale: 600, chips: true, thumbnailSize: 160 }, 60_000);
        const [bare] = await detectFrames(client, [frame], { scale: 600 }, 60_000);
        expect(withCrops!.length).toBeGreaterThanOrEqual(2);
        expect(bare!.length).toBe(withCrops!.length);
        for (const [i, face] of bare!.entries()) {
          expect(face.chip).toBeNull();
          expect(face.thumbnail.length).toBe(0);
          expect(face.dlibPoints.length).toBe(p.dlibPoints ? 5 : 0);
          const chip = alignedChip(img, alignable(face), alignment);
          expect(chip.length).toBe(alignment.size * alignment.size * 3);
          expect(chip.equals(withCrops![i]!.chip!.rgb)).toBe(true);
          expect((await faceThumbnail(img, face.box!, 160)).equals(withCrops![i]!.thumbnail)).toBe(true);
        }

        // A photo sent at the size it is analysed at (2000x1428 → 600x428): the same faces, at the
        // same places in the full image once mapped back — for detectors whose landmarks come at
        // the detection scale; FaceMesh refines on full-resolution crops, so BlazeFace gets it all.
        if (!LANDMARKS_AT_DETECTION_SCALE[p.detector]) return;
        const { image, sx, sy } = await detectionImage(img, 600);
        expect(Math.max(image.width, image.height)).toBe(600);
        const [small] = await detectFrames(client, [{ index: 0, width: image.width, height: image.height, rgb: Buffer.from(image.data) }], { scale: 600 }, 60_000);
        const mapped = small!.map((f) => inFullImage(f, sx, sy));
        expect(mapped.length).toBe(bare!.length);
        for (const [i, f] of mapped.entries()) {
          const want = bare![i]!;
          for (const k of ['x', 'y', 'w', 'h'] as const) expect(Math.abs(f.box![k] - want.box![k]), k).toBeLessThan(1);
          f.landmarks.forEach((p, j) => expect(Math.hypot(p.x - want.landmarks[j]!.x, p.y - want.landmarks[j]!.y)).toBeLessThan(1));
        }
        expect(await detectionImage(image, 600)).toMatchObject({ image, sx: 1, sy: 1 }); // small enough already
      } finally {
        client.close();
      }
    }, 120_000);
  }
});

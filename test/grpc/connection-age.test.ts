// A video's Detect stream lasts as long as the video: it must outlive the server ending its
// connection (GOAWAY at the max connection age, which lets clients find new replicas). With
// keepalive pings on the client, grpc-js dropped every call in flight at the first ping after the
// GOAWAY (a 30-minute video failed at 2 minutes); the production client options must not.
import { describe, expect, it } from 'vitest';
import { loadLocator } from '../../libs/engine/engine.js';
import { alignmentFor } from '../../libs/engine/alignment.js';
import { detectorClient, GrpcServer, loadProtos } from '../../libs/grpc/grpc.js';
import type { DetectReply__Output } from '../../libs/grpc/generated/facerec/v1/DetectReply.js';
import { rootLogger } from '../../libs/log/logger.js';
import { detectorHandlers } from '../../services/detector/detector-service.js';

describe('connection age', () => {
  it('a Detect stream of 35 s outlives a 1 s max connection age, with the production client options', async () => {
    const locator = await loadLocator('yunet', { providers: ['cpu'], intraOpThreads: 1, cudaDeviceId: 0 });
    const server = new GrpcServer({ maxConnectionAgeMs: 1000 }).add('facerec.v1.Detector', loadProtos().facerec.v1.Detector.service, detectorHandlers(locator, alignmentFor('faceplugin-fr512'), rootLogger));
    const client = detectorClient(`127.0.0.1:${await server.listen('127.0.0.1:0')}`);
    try {
      const frames = 35;
      const replies = await new Promise<DetectReply__Output[]>((resolve, reject) => {
        const call = client.Detect();
        const got: DetectReply__Output[] = [];
        call.on('data', (r: DetectReply__Output) => got.push(r));
        call.on('error', reject);
        call.on('end', () => resolve(got));
        const rgb = Buffer.alloc(64 * 64 * 3, 100);
        let i = 0;
        // One small frame a second, past the GOAWAY and past a 30 s keepalive interval.
        const timer = setInterval(() => {
          call.write({ frame: { index: i, width: 64, height: 64, rgb }, options: { scale: 100 } });
          if (++i === frames) {
            clearInterval(timer);
            call.end();
          }
        }, 1000);
      });
      expect(replies.map((r) => r.frameIndex)).toEqual(Array.from({ length: 35 }, (_, i) => i));
    } finally {
      client.close();
      await server.stop(1000);
    }
  }, 60_000);
});

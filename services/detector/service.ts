// Starts the Detector gRPC service (FACEREC_DETECTOR: YuNet by default; chips cut for FACEREC_EMBEDDER).
// Frames of every Detect stream share one batcher, sized by the provider the session got.
import { alignmentFor } from '../../libs/engine/alignment.js';
import { BatchedLocator, batcherOptions, DETECTOR_BATCHING } from '../../libs/engine/batching.js';
import { loadLocator } from '../../libs/engine/engine.js';
import { sessionConfigFromEnv } from '../../libs/engine/session.js';
import { GrpcServer, loadProtos } from '../../libs/grpc/grpc.js';
import { metrics } from '../../libs/service/metrics.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { detectorHandlers } from './detector-service.js';

export async function startDetector(rt: Runtime): Promise<RunningService> {
  const log = rt.log.child({ service: 'detector' });
  const locator = await loadLocator(rt.config.engine.detector, sessionConfigFromEnv());
  const batching = batcherOptions(locator.provider, rt.config.detector, DETECTOR_BATCHING);
  const batched = new BatchedLocator(locator, batching);
  const handlers = detectorHandlers(
    batched,
    alignmentFor(rt.config.engine.embedder),
    log,
    (faces) => {
      metrics.detectorFrames.inc();
      metrics.detectorFaces.inc(faces);
    },
    (delta) => metrics.detectorInFlight.inc(delta),
    // A stream may fill every batch slot by itself (one long video on a GPU).
    batching.maxBatch * batching.concurrency,
  );
  const server = new GrpcServer().add('facerec.v1.Detector', loadProtos().facerec.v1.Detector.service, handlers);
  const port = await server.listen(rt.config.listen.detector);
  server.setServing(true);
  log.info({ port, provider: locator.provider, batch: batching.maxBatch, batchWaitMs: batching.maxWaitMs, concurrency: batching.concurrency }, 'detector serving');
  return {
    name: 'detector',
    port,
    checks: [{ name: 'detector', ready: () => true }],
    stop: async () => {
      await server.stop(rt.config.shutdownGraceMs);
      batched.batcher.close();
    },
  };
}

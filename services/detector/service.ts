// Starts the Detector gRPC service (FACEREC_DETECTOR: YuNet by default; chips cut for FACEREC_EMBEDDER).
// Frames of every Detect stream share one batcher, sized by the provider the session got.
import { alignmentFor } from '../../libs/engine/alignment.js';
import { BatchedLocator, batcherOptions, DETECTOR_BATCHING } from '../../libs/engine/batching.js';
import { loadLocator, type FaceLocator } from '../../libs/engine/engine.js';
import { sessionConfigFromEnv } from '../../libs/engine/session.js';
import { loadProtos } from '../../libs/grpc/grpc.js';
import { metrics } from '../../libs/service/metrics.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { serveGrpc } from '../../libs/service/serve.js';
import { detectorHandlers } from './detector-service.js';

export async function startDetector(rt: Runtime): Promise<RunningService> {
  return serveDetector(rt, await loadLocator(rt.config.engine.detector, sessionConfigFromEnv()));
}

/** A grey 640x360 frame at the default scale: the first inference, before the detector says it is ready. */
const WARM_UP_FRAME = { width: 640, height: 360, data: new Uint8Array(640 * 360 * 3).fill(128) };

/** Serves a loaded locator; ready once a first frame went through it. */
export async function serveDetector(rt: Runtime, locator: FaceLocator): Promise<RunningService> {
  const log = rt.log.child({ service: 'detector' });
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
  return serveGrpc(rt, {
    name: 'detector',
    service: 'facerec.v1.Detector',
    definition: loadProtos().facerec.v1.Detector.service,
    handlers,
    listen: rt.config.listen.detector,
    log,
    describe: { provider: locator.provider, batch: batching.maxBatch, batchWaitMs: batching.maxWaitMs, concurrency: batching.concurrency },
    warmUp: () => locator.locate(WARM_UP_FRAME, { scale: 600 }),
    close: () => batched.batcher.close(),
  });
}

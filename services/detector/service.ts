// Starts the Detector gRPC service (FACEREC_DETECTOR: YuNet by default; chips cut for FACEREC_EMBEDDER).
import { alignmentFor } from '../../libs/engine/alignment.js';
import { loadLocator } from '../../libs/engine/engine.js';
import { sessionConfigFromEnv } from '../../libs/engine/session.js';
import { GrpcServer, loadProtos } from '../../libs/grpc/grpc.js';
import { metrics } from '../../libs/service/metrics.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { detectorHandlers } from './detector-service.js';

export async function startDetector(rt: Runtime): Promise<RunningService> {
  const log = rt.log.child({ service: 'detector' });
  const locator = await loadLocator(rt.config.engine.detector, sessionConfigFromEnv());
  const handlers = detectorHandlers(
    locator,
    alignmentFor(rt.config.engine.embedder),
    log,
    (faces) => {
      metrics.detectorFrames.inc();
      metrics.detectorFaces.inc(faces);
    },
    (delta) => metrics.detectorInFlight.inc(delta),
    rt.config.detector.concurrency,
  );
  const server = new GrpcServer().add('facerec.v1.Detector', loadProtos().facerec.v1.Detector.service, handlers);
  const port = await server.listen(rt.config.listen.detector);
  server.setServing(true);
  log.info({ port }, 'detector serving');
  return { name: 'detector', port, checks: [{ name: 'detector', ready: () => true }], stop: () => server.stop(rt.config.shutdownGraceMs) };
}

// Starts the Embedder gRPC service (FACEREC_EMBEDDER from the engine, batched across callers, sized by the provider the session got).
import { batcherOptions, EMBEDDER_BATCHING } from '../../libs/engine/batching.js';
import { FaceEmbedder } from '../../libs/engine/embedder.js';
import { sessionConfigFromEnv } from '../../libs/engine/session.js';
import { GrpcServer, loadProtos } from '../../libs/grpc/grpc.js';
import { metrics } from '../../libs/service/metrics.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { EmbedderService } from './embedder-service.js';

export async function startEmbedder(rt: Runtime): Promise<RunningService> {
  const log = rt.log.child({ service: 'embedder' });
  const embedder = await FaceEmbedder.load(sessionConfigFromEnv(), rt.config.engine.embedder);
  const batching = batcherOptions(embedder.provider, rt.config.embedder, EMBEDDER_BATCHING);
  const service: EmbedderService = new EmbedderService(embedder, batching, log, (size, ms) => {
    metrics.embedderBatchSize.observe(size);
    metrics.embedderBatchSeconds.observe(ms / 1000);
    metrics.embedderQueued.set(service.batcher.inFlight);
  });
  const server = new GrpcServer().add('facerec.v1.Embedder', loadProtos().facerec.v1.Embedder.service, service.handlers());
  const port = await server.listen(rt.config.listen.embedder);
  server.setServing(true);
  log.info({ port, provider: embedder.provider, batch: batching.maxBatch, batchWaitMs: batching.maxWaitMs, concurrency: batching.concurrency }, 'embedder serving');
  return {
    name: 'embedder',
    port,
    checks: [{ name: 'embedder', ready: () => true }],
    stop: async () => {
      await server.stop(rt.config.shutdownGraceMs);
      service.batcher.close();
    },
  };
}

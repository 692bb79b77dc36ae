// Starts the Embedder gRPC service (FACEREC_EMBEDDER from the engine, batched across callers, sized by the provider the session got).
import { batcherOptions, EMBEDDER_BATCHING } from '../../libs/engine/batching.js';
import { FaceEmbedder } from '../../libs/engine/embedder.js';
import { sessionConfigFromEnv } from '../../libs/engine/session.js';
import { loadProtos } from '../../libs/grpc/grpc.js';
import { metrics } from '../../libs/service/metrics.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { serveGrpc } from '../../libs/service/serve.js';
import { EmbedderService } from './embedder-service.js';

export async function startEmbedder(rt: Runtime): Promise<RunningService> {
  return serveEmbedder(rt, await FaceEmbedder.load(sessionConfigFromEnv(), rt.config.engine.embedder));
}

/** Serves a loaded embedder; ready once a first chip (and its mirror image) went through it. */
export async function serveEmbedder(rt: Runtime, embedder: FaceEmbedder): Promise<RunningService> {
  const log = rt.log.child({ service: 'embedder' });
  const batching = batcherOptions(embedder.provider, rt.config.embedder, EMBEDDER_BATCHING);
  const service: EmbedderService = new EmbedderService(embedder, batching, log, (size, ms) => {
    metrics.embedderBatchSize.observe(size);
    metrics.embedderBatchSeconds.observe(ms / 1000);
    metrics.embedderQueued.set(service.batcher.inFlight);
  });
  return serveGrpc(rt, {
    name: 'embedder',
    service: 'facerec.v1.Embedder',
    definition: loadProtos().facerec.v1.Embedder.service,
    handlers: service.handlers(),
    listen: rt.config.listen.embedder,
    log,
    describe: { provider: embedder.provider, batch: batching.maxBatch, batchWaitMs: batching.maxWaitMs, concurrency: batching.concurrency },
    warmUp: () => embedder.embedChips(new Uint8Array(embedder.chipSize * embedder.chipSize * 3).fill(128), 1, { flip: true }),
    close: () => service.batcher.close(),
  });
}

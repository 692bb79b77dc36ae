// Starts the decoder: a consumer of the `decode` work queue.
import { detectorClient, embedderClient } from '../../libs/grpc/grpc.js';
import { metrics } from '../../libs/service/metrics.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { consumeQueue } from '../../libs/service/serve.js';
import { DecoderWorker } from './decoder-worker.js';

export async function startDecoder(rt: Runtime): Promise<RunningService> {
  const log = rt.log.child({ service: 'decoder' });
  const { config, adapters } = rt;
  const detector = detectorClient(config.addresses.detector);
  const embedder = embedderClient(config.addresses.embedder);
  const worker = new DecoderWorker({
    jobs: await adapters.jobStore(),
    blobs: await adapters.blobStore(),
    bus: await adapters.bus(),
    detector,
    embedder,
    fetch: config.fetch,
    maxImagePixels: config.decoder.maxImagePixels,
    detectorName: config.engine.detector,
    video: config.video,
    log,
    onSource: (outcome) => metrics.sourceAttempts.inc({ outcome }),
  });
  return consumeQueue(rt, {
    name: 'decoder',
    queue: 'decode',
    concurrency: config.decoder.concurrency,
    handle: (work, delivery) => worker.handle(work, delivery),
    log,
    describe: { detector: config.addresses.detector, embedder: config.addresses.embedder },
    close: () => {
      detector.close();
      embedder.close();
    },
  });
}

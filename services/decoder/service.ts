// Starts the decoder: a consumer of the `decode` work queue.
import { detectorClient, embedderClient } from '../../libs/grpc/grpc.js';
import { metrics } from '../../libs/service/metrics.js';
import { InFlight, type Runtime, type RunningService } from '../../libs/service/runtime.js';
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
  const inFlight = new InFlight();
  const consumer = (await adapters.bus()).consume('decode', inFlight.wrap((work, delivery) => worker.handle(work, delivery)), { concurrency: config.decoder.concurrency });
  log.info({ concurrency: config.decoder.concurrency, detector: config.addresses.detector, embedder: config.addresses.embedder }, 'decoder consuming');
  return {
    name: 'decoder',
    checks: [{ name: 'decoder', ready: () => true }],
    stop: async () => {
      const jobs = inFlight.count;
      if (jobs > 0) log.info({ jobs }, 'finishing the jobs in flight');
      await consumer.stop();
      detector.close();
      embedder.close();
      return { jobs };
    },
  };
}

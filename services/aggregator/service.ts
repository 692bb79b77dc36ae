// Starts the aggregator: a consumer of the `aggregate` work queue.
import { catalogEntry } from '../../models/catalog.js';
import { contractDistanceFor } from '../../libs/engine/calibration.js';
import { matcherClient } from '../../libs/grpc/grpc.js';
import { metrics } from '../../libs/service/metrics.js';
import { InFlight, type Runtime, type RunningService } from '../../libs/service/runtime.js';
import { AggregatorWorker } from './aggregator-worker.js';

export async function startAggregator(rt: Runtime): Promise<RunningService> {
  const log = rt.log.child({ service: 'aggregator' });
  const { config, adapters } = rt;
  const matcher = matcherClient(config.addresses.matcher);
  const worker = new AggregatorWorker({
    jobs: await adapters.jobStore(),
    bus: await adapters.bus(),
    matcher,
    contractDistance: (model) => contractDistanceFor(catalogEntry(model).calibration),
    log,
    onDecision: (seconds) => metrics.decisionSeconds.observe(seconds),
    onJob: (state, seconds, sources) => {
      metrics.jobsFinished.inc({ state });
      metrics.jobSeconds.observe(seconds);
      metrics.sources.inc({ outcome: 'ok' }, sources.ok);
      metrics.sources.inc({ outcome: 'failed' }, sources.failed);
    },
  });
  const inFlight = new InFlight();
  const consumer = (await adapters.bus()).consume('aggregate', inFlight.wrap((work, delivery) => worker.handle(work, delivery)), { concurrency: config.aggregator.concurrency });
  log.info({ concurrency: config.aggregator.concurrency, matcher: config.addresses.matcher }, 'aggregator consuming');
  return {
    name: 'aggregator',
    checks: [{ name: 'aggregator', ready: () => true }],
    stop: async () => {
      const jobs = inFlight.count;
      if (jobs > 0) log.info({ jobs }, 'finishing the jobs in flight');
      await consumer.stop();
      matcher.close();
      return { jobs };
    },
  };
}

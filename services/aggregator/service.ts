// Starts the aggregator: a consumer of the `aggregate` work queue.
import { catalogEntry } from '../../models/catalog.js';
import { contractDistanceFor } from '../../libs/engine/calibration.js';
import { matcherClient } from '../../libs/grpc/grpc.js';
import { metrics } from '../../libs/service/metrics.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { consumeQueue } from '../../libs/service/serve.js';
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
  return consumeQueue(rt, {
    name: 'aggregator',
    queue: 'aggregate',
    concurrency: config.aggregator.concurrency,
    handle: (work, delivery) => worker.handle(work, delivery),
    log,
    describe: { matcher: config.addresses.matcher },
    close: () => matcher.close(),
  });
}

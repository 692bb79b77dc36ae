// Prometheus metrics, served on /metrics. The process metrics (CPU, memory, event loop: prefix
// `facerec_`) are always there; each service's families are registered when that service starts
// in the process, so a process exports only what it measures (the embedded product: all of them).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import type { ServiceName } from '../config/config.js';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'facerec_' });

export const metrics = {
  httpRequests: new Counter({ name: 'facerec_http_requests_total', help: 'REST requests answered', labelNames: ['method', 'route', 'status'], registers: [] }),
  httpSeconds: new Histogram({ name: 'facerec_http_request_seconds', help: 'REST request latency', labelNames: ['method', 'route'], buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [] }),
  jobsSubmitted: new Counter({ name: 'facerec_jobs_submitted_total', help: 'Jobs accepted by the gateway', registers: [] }),
  jobsFinished: new Counter({ name: 'facerec_jobs_finished_total', help: 'Jobs finished, by final state', labelNames: ['state'], registers: [] }),
  jobSeconds: new Histogram({ name: 'facerec_job_seconds', help: 'Processing time of finished jobs', buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800], registers: [] }),
  decisionSeconds: new Histogram({
    name: 'facerec_aggregator_decision_seconds',
    help: "Time a job spends in the aggregator deciding: forming its videos' person units, matching their templates and its photos' faces, building the results",
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [],
  }),
  sources: new Counter({
    name: 'facerec_sources_total',
    help: 'Sources of finished jobs, by outcome: each source once, when its job finishes, however many times it was decoded',
    labelNames: ['outcome'],
    registers: [],
  }),
  sourceAttempts: new Counter({
    name: 'facerec_source_attempts_total',
    help: 'Source decodings, by outcome: a source decoded again after a redelivery counts again',
    labelNames: ['outcome'],
    registers: [],
  }),
  detectorFrames: new Counter({ name: 'facerec_detector_frames_total', help: 'Frames the detector processed', registers: [] }),
  detectorFaces: new Counter({ name: 'facerec_detector_faces_total', help: 'Faces the detector found', registers: [] }),
  detectorInFlight: new Gauge({ name: 'facerec_detector_inflight_streams', help: 'Detect streams open (a load signal for autoscaling)', registers: [] }),
  embedderBatchSize: new Histogram({ name: 'facerec_embedder_batch_size', help: 'Chips per inference batch', buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers: [] }),
  embedderBatchSeconds: new Histogram({ name: 'facerec_embedder_batch_seconds', help: 'Inference time per batch', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [] }),
  embedderQueued: new Gauge({ name: 'facerec_embedder_queued_chips', help: 'Chips waiting for a batch (a load signal for autoscaling)', registers: [] }),
};

/** The families each service measures. */
export const SERVICE_METRICS: Readonly<Record<ServiceName, readonly Metric[]>> = {
  gateway: [metrics.httpRequests, metrics.httpSeconds, metrics.jobsSubmitted],
  decoder: [metrics.sourceAttempts],
  aggregator: [metrics.jobsFinished, metrics.jobSeconds, metrics.decisionSeconds, metrics.sources],
  detector: [metrics.detectorFrames, metrics.detectorFaces, metrics.detectorInFlight],
  embedder: [metrics.embedderBatchSize, metrics.embedderBatchSeconds, metrics.embedderQueued],
  matcher: [],
};

/** Adds a service's families to /metrics (once, however often the service starts in this process). */
export function registerServiceMetrics(name: ServiceName): void {
  for (const metric of SERVICE_METRICS[name]) {
    if (registry.getSingleMetric((metric as unknown as { name: string }).name) !== metric) registry.registerMetric(metric);
  }
}

// Prometheus metrics of the process (every service in it adds its own), served on /metrics.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'facerec_process_' });

export const metrics = {
  httpRequests: new Counter({ name: 'facerec_http_requests_total', help: 'REST requests answered', labelNames: ['method', 'route', 'status'], registers: [registry] }),
  httpSeconds: new Histogram({ name: 'facerec_http_request_seconds', help: 'REST request latency', labelNames: ['method', 'route'], buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10], registers: [registry] }),
  jobsSubmitted: new Counter({ name: 'facerec_jobs_submitted_total', help: 'Jobs accepted by the gateway', registers: [registry] }),
  jobsFinished: new Counter({ name: 'facerec_jobs_finished_total', help: 'Jobs finished, by final state', labelNames: ['state'], registers: [registry] }),
  jobSeconds: new Histogram({ name: 'facerec_job_seconds', help: 'Processing time of finished jobs', buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800], registers: [registry] }),
  sources: new Counter({ name: 'facerec_sources_total', help: 'Sources decoded, by outcome', labelNames: ['outcome'], registers: [registry] }),
  detectorFrames: new Counter({ name: 'facerec_detector_frames_total', help: 'Frames the detector processed', registers: [registry] }),
  detectorFaces: new Counter({ name: 'facerec_detector_faces_total', help: 'Faces the detector found', registers: [registry] }),
  detectorInFlight: new Gauge({ name: 'facerec_detector_inflight_streams', help: 'Detect streams open (a load signal for autoscaling)', registers: [registry] }),
  embedderBatchSize: new Histogram({ name: 'facerec_embedder_batch_size', help: 'Chips per inference batch', buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers: [registry] }),
  embedderBatchSeconds: new Histogram({ name: 'facerec_embedder_batch_seconds', help: 'Inference time per batch', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [registry] }),
  embedderQueued: new Gauge({ name: 'facerec_embedder_queued_chips', help: 'Chips waiting for a batch (a load signal for autoscaling)', registers: [registry] }),
};

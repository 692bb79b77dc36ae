// /metrics of each service: the process metrics (prefix `facerec_`, not doubled) and the families
// of the services running in that process, nothing else; a job's sources counted once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../libs/bus/memory-bus.js';
import { matcherClient } from '../../libs/grpc/grpc.js';
import { rootLogger } from '../../libs/log/logger.js';
import type { ObservationChunk } from '../../libs/jobs/types.js';
import { SERVICE_METRICS } from '../../libs/service/metrics.js';
import { freePort, spawnService, waitReady, deleteNatsPrefix, type ServiceProcess } from '../../services/spawn.js';
import { SqliteJobStore } from '../../libs/store/sqlite-job-store.js';
import { AggregatorWorker } from '../../services/aggregator/aggregator-worker.js';
import { availableNats, uniqueName } from '../support/nats.js';
import { makeJob } from '../store/job-store.contract.js';

const SERVICE_FAMILIES = new Set(Object.values(SERVICE_METRICS).flatMap((list) => list.map((m) => (m as unknown as { name: string }).name)));

function families(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
}

async function metricsOf(service: ServiceProcess): Promise<string[]> {
  const res = await fetch(`${service.healthUrl}/metrics`);
  expect(res.status).toBe(200);
  return families(await res.text());
}

function expectOnly(found: string[], service: keyof typeof SERVICE_METRICS): void {
  const own = SERVICE_METRICS[service].map((m) => (m as unknown as { name: string }).name);
  expect(found.filter((f) => SERVICE_FAMILIES.has(f)).sort(), service).toEqual([...own].sort());
  expect(found, service).toContain('facerec_process_cpu_seconds_total');
  expect(found, service).toContain('facerec_nodejs_heap_size_used_bytes');
  expect(found.filter((f) => f.includes('process_process') || !f.startsWith('facerec_')), service).toEqual([]);
}

describe('a service process exports only its own metric families', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'facerec-metrics-'));
  let natsUrl: string | null = null;
  const prefix = uniqueName('metrics');
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    natsUrl = await availableNats();
  });
  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop()));
    if (natsUrl) await deleteNatsPrefix(natsUrl, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(service: string, env: Record<string, string>): Promise<ServiceProcess> {
    const healthPort = await freePort();
    const port: Record<string, string> = service === 'gateway' ? { PORT: String(healthPort), HOST: '127.0.0.1' } : {};
    const s = spawnService(service, { FACEREC_DATA_DIR: join(dataDir, service), HEALTH_PORT: String(healthPort), ...port, ...env }, healthPort);
    running.push(s);
    await waitReady(s);
    return s;
  }

  it('matcher (embedded stores): process metrics only', async () => {
    const matcher = await start('matcher', { MATCHER_LISTEN: `127.0.0.1:${await freePort()}`, NATS_URL: '' });
    expectOnly(await metricsOf(matcher), 'matcher');
  });

  it('decoder, aggregator and gateway over NATS: each its own', async ({ skip }) => {
    if (!natsUrl) return skip('NATS not reachable');
    const env = { NATS_URL: natsUrl, FACEREC_NATS_PREFIX: prefix, MATCHER_ADDR: '127.0.0.1:1', DETECTOR_ADDR: '127.0.0.1:1', EMBEDDER_ADDR: '127.0.0.1:1' };
    const [decoder, aggregator, gateway] = await Promise.all([start('decoder', env), start('aggregator', env), start('gateway', env)]);
    expectOnly(await metricsOf(decoder), 'decoder');
    expectOnly(await metricsOf(aggregator), 'aggregator');
    expectOnly(await metricsOf(gateway), 'gateway');
  });

  it('the gateway labels a request with its route template, answered or failed', async ({ skip }) => {
    const gateway = running.find((s) => s.service === 'gateway');
    if (!gateway) return skip('no gateway (NATS not reachable)');
    expect((await fetch(`${gateway.healthUrl}/api/v1/jobs/?limit=1`)).status).toBe(200);
    expect((await fetch(`${gateway.healthUrl}/api/v1/jobs/no-such-job/`)).status).toBe(404);
    expect((await fetch(`${gateway.healthUrl}/api/v1/jobs/?limit=x`)).status).toBe(400);
    const text = await (await fetch(`${gateway.healthUrl}/metrics`)).text();
    const routes = [...text.matchAll(/^facerec_http_requests_total\{method="GET",route="([^"]*)",status="(\d+)"\} 1$/gm)].map((m) => `${m[2]} ${m[1]}`);
    expect(routes.filter((r) => r.includes('/api/')).sort()).toEqual(['200 /api/v1/jobs/', '400 /api/v1/jobs/', '404 /api/v1/jobs/:id']);
  });
});

describe('sources of a job are counted once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facerec-agg-'));
  const jobs = new SqliteJobStore(join(dir, 'jobs.sqlite'));
  const bus = new MemoryBus();
  const matcher = matcherClient('127.0.0.1:1'); // never called: the job names no gallery
  afterAll(async () => {
    matcher.close();
    await bus.close();
    await jobs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the aggregator reports a job\'s source outcomes when it finishes it, and not again for a redelivery', async () => {
    const sources = ['storage://a', 'storage://b', 'storage://c'];
    const job = makeJob('job-1', { state: 'processing', sources, timeStarted: new Date().toISOString(), params: { ...makeJob('x').params, models: [], modelIds: [] } });
    await jobs.create(job);
    const observe = async () => {
      const chunks: ObservationChunk[] = [
        { kind: 'source-start', sourceIndex: 0, source: sources[0]!, mediaType: 'image', info: { resolution: [64, 64] }, embeddingModel: 'dlib-resnet' },
        { kind: 'source-end', sourceIndex: 0 },
        { kind: 'source-start', sourceIndex: 1, source: sources[1]!, mediaType: 'image', info: { resolution: [64, 64] }, embeddingModel: 'dlib-resnet' },
        { kind: 'source-end', sourceIndex: 1 },
        { kind: 'source-failed', sourceIndex: 2, source: sources[2]!, message: 'not a readable image' },
      ];
      for (const c of chunks) await bus.appendObservations(job.id, c);
    };
    const reported: { ok: number; failed: number }[] = [];
    const worker = new AggregatorWorker({
      jobs,
      bus,
      matcher,
      contractDistance: () => (raw: number) => raw, // no face here has an embedding
      log: rootLogger,
      onJob: (_state, _seconds, counts) => reported.push(counts),
    });
    await observe();
    expect(await worker.handle({ jobId: job.id }, { attempt: 1 })).toBe('ack');
    // The decoder did the job again (a redelivery) and the aggregation comes a second time.
    await observe();
    expect(await worker.handle({ jobId: job.id }, { attempt: 2 })).toBe('drop');
    expect(reported).toEqual([{ ok: 2, failed: 1 }]);
    expect((await jobs.get(job.id))?.state).toBe('completed');
  });
});

// Starts a set of services in one process: all six for the embedded product (`npm start`), or one
// per process when distributed (`npm run service -- <name>`). Same services, same code path; the
// configuration picks the adapters and the addresses.
import type { Server } from 'node:http';
import type { Config, ServiceName } from '../libs/config/config.js';
import { rootLogger } from '../libs/log/logger.js';
import { Adapters } from '../libs/service/adapters.js';
import { startHealthServer, type ReadinessCheck } from '../libs/service/health-server.js';
import { registerServiceMetrics } from '../libs/service/metrics.js';
import { Readiness } from '../libs/service/readiness.js';
import type { DrainReport, Runtime, RunningService } from '../libs/service/runtime.js';

/** Start order: servers before their clients; stop order is the reverse. */
const START_ORDER: readonly ServiceName[] = ['matcher', 'detector', 'embedder', 'aggregator', 'decoder', 'gateway'];
const GRPC_SERVICES = ['matcher', 'detector', 'embedder'] as const;

export interface Product {
  config: Config;
  adapters: Adapters;
  services: RunningService[];
  /** The gateway's port when it runs here. */
  gatewayPort: number | null;
  /** Stops the services (clients before servers); what each finished meanwhile and how long it took. */
  stop(): Promise<Record<string, DrainReport>>;
}

/**
 * Starts `names`. When a gRPC service runs in this process its clients here use it directly:
 * with `loopback`, servers bind free loopback ports (the embedded product needs no port plan).
 */
export async function startServices(names: readonly ServiceName[], baseConfig: Config, opts: { loopback?: boolean } = {}): Promise<Product> {
  const config: Config = structuredClone(baseConfig);
  if (opts.loopback) for (const s of GRPC_SERVICES) if (names.includes(s)) config.listen[s] = '127.0.0.1:0';
  const log = rootLogger;
  const adapters = new Adapters(config);
  const rt: Runtime = { config, adapters, log };
  const services: RunningService[] = [];
  let healthServer: Server | undefined;
  // Until every service of the process has started (and warmed up), and from the moment it stops.
  let started = false;
  const lifecycle = new Readiness('process').need('starting its services', () => started);
  const checks = (): ReadinessCheck[] => [lifecycle, ...services.flatMap((s) => s.checks)];

  const stop = async (): Promise<Record<string, DrainReport>> => {
    lifecycle.drain();
    const drained: Record<string, DrainReport> = {};
    for (const service of [...services].reverse()) {
      const started = Date.now();
      const report = await service.stop().catch((err: unknown) => {
        log.error({ err, service: service.name }, 'stopping failed');
        return { failed: 1 };
      });
      drained[service.name] = { ...(report ?? {}), ms: Date.now() - started };
    }
    services.length = 0;
    await new Promise<void>((resolve) => (healthServer ? healthServer.close(() => resolve()) : resolve()));
    await adapters.close();
    return drained;
  };

  try {
    // First, so that /healthz answers while models load (and /readyz says what is awaited).
    if (!names.includes('gateway') && config.healthPort > 0) healthServer = await startHealthServer(config.healthPort, '0.0.0.0', checks);
    for (const name of START_ORDER.filter((n) => names.includes(n))) {
      const service = await startService(name, rt, checks);
      services.push(service);
      if ((GRPC_SERVICES as readonly string[]).includes(name) && opts.loopback) {
        config.addresses[name as (typeof GRPC_SERVICES)[number]] = `127.0.0.1:${service.port}`;
      }
    }
    // Warm-ups take one inference each; a failed one leaves its service not ready, with the reason.
    await Promise.all(services.map((s) => s.warmUp));
    if (names.includes('decoder') && !adapters.distributed) await recoverJobs(rt);
    started = true;
  } catch (err) {
    await stop();
    throw err;
  }
  const gateway = services.find((s) => s.name === 'gateway');
  return { config, adapters, services, gatewayPort: gateway?.port ?? null, stop };
}

/** Each service's code is loaded when it starts: a process loads only what it runs (no inference runtime in a decoder, say). */
async function startService(name: ServiceName, rt: Runtime, checks: () => ReadinessCheck[]): Promise<RunningService> {
  registerServiceMetrics(name);
  switch (name) {
    case 'matcher':
      return (await import('./matcher/service.js')).startMatcher(rt);
    case 'detector':
      return (await import('./detector/service.js')).startDetector(rt);
    case 'embedder':
      return (await import('./embedder/service.js')).startEmbedder(rt);
    case 'aggregator':
      return (await import('./aggregator/service.js')).startAggregator(rt);
    case 'decoder':
      return (await import('./decoder/service.js')).startDecoder(rt);
    case 'gateway':
      return (await import('./gateway/service.js')).startGateway(rt, checks);
  }
}

/**
 * The in-process bus forgets its queue when the process stops; the job store does not. Jobs it
 * holds as waiting or processing are queued again (a job restarts from its first source).
 */
async function recoverJobs(rt: Runtime): Promise<void> {
  const jobs = await rt.adapters.jobStore();
  const bus = await rt.adapters.bus();
  const pending = await jobs.listByState(['waiting', 'processing']);
  for (const job of pending) await bus.enqueue('decode', { jobId: job.id }, job.id);
  if (pending.length > 0) rt.log.info({ jobs: pending.length }, 'queued again the jobs left unfinished by the last run');
}

// Starts the REST gateway.
import type { Server } from 'node:http';
import { detectorClient, embedderClient, matcherClient } from '../../libs/grpc/grpc.js';
import type { ReadinessCheck } from '../../libs/service/health-server.js';
import { Readiness } from '../../libs/service/readiness.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { createGatewayApp } from './app.js';
import { requeuePendingWebhooks, WebhookSender } from './webhooks.js';
import { startRetention } from './retention.js';
import { JobWaiters } from './job-waiters.js';

/** Loopback names and addresses: the only ones the gateway listens on without keys, unless allowed. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Where to listen: HOST, unless no key is set and anonymous access is not allowed, then loopback. */
export function listenHost(host: string, auth: { apiKey: string | null; allowAnonymous: boolean }): string {
  if (auth.apiKey || auth.allowAnonymous || isLoopbackHost(host)) return host;
  return host.includes(':') ? '::1' : '127.0.0.1';
}

export async function startGateway(rt: Runtime, readiness: () => readonly ReadinessCheck[]): Promise<RunningService> {
  const log = rt.log.child({ service: 'gateway' });
  const { config, adapters } = rt;
  const matcher = matcherClient(config.addresses.matcher);
  const detector = detectorClient(config.addresses.detector);
  const embedder = embedderClient(config.addresses.embedder);
  const jobWaiters = new JobWaiters(await adapters.bus());
  const app = createGatewayApp({
    jobs: await adapters.jobStore(),
    blobs: await adapters.blobStore(),
    bus: await adapters.bus(),
    jobWaiters,
    matcher,
    detector,
    embedder,
    log,
    limits: { maxSources: config.gateway.maxSources, maxUploadBytes: config.gateway.maxUploadBytes, maxImagePixels: config.decoder.maxImagePixels },
    fetch: config.fetch,
    importRoot: config.gateway.importRoot,
    publicUrl: config.gateway.publicUrl,
    readiness,
    keys: await adapters.keyStore(),
    audit: await adapters.auditLog(),
    auth: config.auth,
    webhooks: config.webhooks,
  });
  const host = listenHost(config.gateway.host, config.auth);
  if (config.auth.apiKey) log.info('API keys required (FACEREC_API_KEY is set)');
  else if (config.auth.allowAnonymous) log.warn({ host }, 'no FACEREC_API_KEY and FACEREC_ALLOW_ANONYMOUS=true: anyone who reaches the port may read and delete every job, gallery and face');
  else if (host !== config.gateway.host) log.warn({ host, configured: config.gateway.host }, 'no FACEREC_API_KEY: listening on loopback only (set FACEREC_API_KEY, or FACEREC_ALLOW_ANONYMOUS=true to listen on HOST without keys)');
  else log.info({ host }, 'no FACEREC_API_KEY: requests without a key are accepted on this loopback address');
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.gateway.port, host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.gateway.port;
  log.info({ port }, 'gateway listening');
  // Webhooks of finished jobs: one gateway takes each from the queue.
  const jobs = await adapters.jobStore();
  const bus = await adapters.bus();
  const webhooks = new WebhookSender(jobs, log, {
    ...config.webhooks,
    allowPrivate: config.fetch.allowPrivate,
    allowPrivateHosts: config.fetch.allowPrivateHosts,
    apiBase: `${config.gateway.publicUrl?.replace(/\/$/, '') ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`}/api/v1`,
  }).start(bus);
  const retention = startRetention(jobs, await adapters.blobStore(), config.retentionDays, log.child({ retention: true }));
  if (!adapters.distributed) {
    const requeued = await requeuePendingWebhooks(jobs, bus);
    if (requeued > 0) log.info({ jobs: requeued }, 'queued again the webhooks left pending by the last run');
  }
  const ready = new Readiness('gateway')
    .need('listening', () => server.listening)
    .need('bus connected', () => bus.connected())
    .need('consumer of the webhook queue bound', () => webhooks.bound());
  return {
    name: 'gateway',
    port,
    checks: [ready],
    stop: async () => {
      ready.drain();
      jobWaiters.close(); // waiting readers answer now, with the state as it is
      await webhooks.stop();
      await retention.stop();
      // Stop accepting, let requests in flight finish, then drop idle keep-alive connections.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, config.shutdownGraceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      matcher.close();
      detector.close();
      embedder.close();
    },
  };
}

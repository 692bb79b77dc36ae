// Starts the REST gateway.
import type { Server } from 'node:http';
import { detectorClient, embedderClient, matcherClient } from '../../libs/grpc/grpc.js';
import type { ReadinessCheck } from '../../libs/service/health-server.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { createGatewayApp } from './app.js';

export async function startGateway(rt: Runtime, readiness: () => readonly ReadinessCheck[]): Promise<RunningService> {
  const log = rt.log.child({ service: 'gateway' });
  const { config, adapters } = rt;
  const matcher = matcherClient(config.addresses.matcher);
  const detector = detectorClient(config.addresses.detector);
  const embedder = embedderClient(config.addresses.embedder);
  const app = createGatewayApp({
    jobs: await adapters.jobStore(),
    blobs: await adapters.blobStore(),
    bus: await adapters.bus(),
    matcher,
    detector,
    embedder,
    log,
    limits: { maxSources: config.gateway.maxSources, maxUploadBytes: config.gateway.maxUploadBytes, maxImagePixels: config.decoder.maxImagePixels },
    fetch: config.fetch,
    importRoot: config.gateway.importRoot,
    publicUrl: config.gateway.publicUrl,
    readiness,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.gateway.port, config.gateway.host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.gateway.port;
  log.info({ port }, 'gateway listening');
  return {
    name: 'gateway',
    port,
    checks: [{ name: 'gateway', ready: () => server.listening }],
    stop: async () => {
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

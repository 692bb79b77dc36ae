// Starts the real gateway service alone (its stores real: SQLite in a temp dir, or NATS), for
// tests of what the gateway decides by itself — keys, scopes, rate limits, webhooks' bookkeeping —
// without the face engine. Routes that need the matcher answer 503 here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../libs/config/config.js';
import { rootLogger } from '../../libs/log/logger.js';
import { Adapters } from '../../libs/service/adapters.js';
import type { ReadinessCheck } from '../../libs/service/health-server.js';
import type { RunningService } from '../../libs/service/runtime.js';
import { startGateway } from '../../services/gateway/service.js';

export interface RunningGateway {
  url: string;
  port: number;
  dataDir: string;
  adapters: Adapters;
  service: RunningService;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startGatewayOnly(opts: { dataDir?: string; env?: Record<string, string> } = {}): Promise<RunningGateway> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'facerec-gw-'));
  const config = loadConfig({
    FACEREC_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    FACEREC_SHUTDOWN_GRACE_S: '2',
    // nothing listens there: routes that ask the matcher answer 503
    MATCHER_ADDR: '127.0.0.1:1',
    DETECTOR_ADDR: '127.0.0.1:1',
    EMBEDDER_ADDR: '127.0.0.1:1',
    ...opts.env,
  });
  const adapters = new Adapters(config);
  // /readyz answers for the gateway itself, as in a process that runs only it.
  let checks: readonly ReadinessCheck[] = [];
  const service = await startGateway({ config, adapters, log: rootLogger }, () => checks);
  checks = service.checks;
  return {
    url: `http://127.0.0.1:${service.port}`,
    port: service.port!,
    dataDir,
    adapters,
    service,
    stop: async ({ keepData = false } = {}) => {
      await service.stop();
      await adapters.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// The same end-to-end scenario with every service in its own process, over the real NATS
// (bus, job store, uploads on JetStream) and gRPC between processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine } from '../../libs/engine/engine.js';
import { availableNats, uniqueName } from '../support/nats.js';
import { deleteNatsPrefix, freePort, spawnService, waitReady, type ServiceProcess } from '../support/processes.js';
import { sharedDataFile } from '../support/shared-data.js';
import { photoScenario } from './photo-scenario.js';

const gallery = sharedDataFile('faces/people/gallery');
const probes = sharedDataFile('faces/people/probes');
const natsUrl = await availableNats();

describe.skipIf(!gallery || !probes || !natsUrl)('distributed product (one process per service, NATS), end to end', () => {
  const prefix = uniqueName('e2e');
  const dataDir = mkdtempSync(join(tmpdir(), 'facerec-dist-'));
  const services: ServiceProcess[] = [];
  let gatewayUrl = '';
  let engine: FaceEngine;

  beforeAll(async () => {
    const [detector, embedder, matcher, gatewayPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const common = {
      NATS_URL: natsUrl!,
      FACEREC_NATS_PREFIX: prefix,
      DETECTOR_ADDR: `127.0.0.1:${detector}`,
      EMBEDDER_ADDR: `127.0.0.1:${embedder}`,
      MATCHER_ADDR: `127.0.0.1:${matcher}`,
      FACEREC_SHUTDOWN_GRACE_S: '5',
    };
    const specific: Record<string, Record<string, string>> = {
      detector: { DETECTOR_LISTEN: `127.0.0.1:${detector}` },
      embedder: { EMBEDDER_LISTEN: `127.0.0.1:${embedder}` },
      matcher: { MATCHER_LISTEN: `127.0.0.1:${matcher}`, FACEREC_DATA_DIR: join(dataDir, 'matcher') },
      decoder: {},
      aggregator: {},
      gateway: { PORT: String(gatewayPort), HOST: '127.0.0.1' },
    };
    for (const [name, env] of Object.entries(specific)) {
      const healthPort = name === 'gateway' ? gatewayPort : await freePort();
      services.push(spawnService(name, { ...common, FACEREC_DATA_DIR: join(dataDir, name), HEALTH_PORT: String(healthPort), ...env }, healthPort));
    }
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    [engine] = await Promise.all([FaceEngine.load(), ...services.map((s) => waitReady(s))]);
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await deleteNatsPrefix(natsUrl!, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds galleries through the API and names the people in the probes', async () => {
    await photoScenario(gatewayUrl, { gallery: gallery!, probes: probes! }, engine);
  });

  it('every service reports readiness and metrics, and stops cleanly on SIGTERM', async () => {
    for (const s of services) {
      const ready = await fetch(`${s.healthUrl}/readyz`);
      expect(ready.status, s.name).toBe(200);
      expect(await (await fetch(`${s.healthUrl}/metrics`)).text()).toContain('facerec_process_');
    }
    const codes = await Promise.all(services.map(async (s) => [s.name, await s.stop()] as const));
    for (const [name, code] of codes) expect(code, `${name} exit code`).toBe(0);
  });
});

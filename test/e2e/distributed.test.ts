// The same end-to-end scenario with every service in its own process, over the real NATS
// (bus, job store, uploads on JetStream) and gRPC between processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine } from '../../libs/engine/engine.js';
import { availableNats, uniqueName } from '../support/nats.js';
import { deleteNatsPrefix, startDistributed, type DistributedProduct } from '../../services/spawn.js';
import { sharedDataFile } from '../support/shared-data.js';
import { photoScenario } from './photo-scenario.js';

const gallery = sharedDataFile('faces/people/gallery');
const probes = sharedDataFile('faces/people/probes');
const natsUrl = await availableNats();

describe.skipIf(!gallery || !probes || !natsUrl)('distributed product (one process per service, NATS), end to end', () => {
  const prefix = uniqueName('e2e');
  const dataDir = mkdtempSync(join(tmpdir(), 'facerec-dist-'));
  let product: DistributedProduct;
  let engine: FaceEngine;

  beforeAll(async () => {
    [product, engine] = await Promise.all([startDistributed({ natsUrl: natsUrl!, prefix, dataDir }), FaceEngine.load()]);
  });

  afterAll(async () => {
    await product?.stop();
    await deleteNatsPrefix(natsUrl!, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds galleries through the API and names the people in the probes', async () => {
    await photoScenario(product.gatewayUrl, { gallery: gallery!, probes: probes! }, engine);
  });

  it('every service reports readiness and metrics, and stops cleanly on SIGTERM', async () => {
    for (const s of product.services) {
      const ready = await fetch(`${s.healthUrl}/readyz`);
      expect(ready.status, s.name).toBe(200);
      // Its own service's check, and nothing awaited.
      expect(await ready.json(), s.name).toEqual({ ready: true, checks: { process: true, [s.service]: true }, waiting: {} });
      expect(await (await fetch(`${s.healthUrl}/metrics`)).text()).toContain('facerec_process_');
    }
    const codes = await product.stop();
    for (const [name, code] of Object.entries(codes)) expect(code, `${name} exit code`).toBe(0);
  });
});

// Readiness means ready: each service answers not-ready until what it needs is there (a warm-up
// inference, its galleries re-embedded, its bus and consumer), ready then, and not-ready again from
// the moment it starts to stop. Driven with gated fakes of the slow parts, so each state is seen.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../libs/config/config.js';
import type { FaceLocator, LocatedFace } from '../../libs/engine/engine.js';
import type { FaceEmbedder } from '../../libs/engine/embedder.js';
import { SqliteGalleryStore } from '../../libs/gallery/sqlite-gallery-store.js';
import { rootLogger } from '../../libs/log/logger.js';
import { Adapters } from '../../libs/service/adapters.js';
import { readiness } from '../../libs/service/health-server.js';
import { Readiness } from '../../libs/service/readiness.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { startAggregator } from '../../services/aggregator/service.js';
import { startDecoder } from '../../services/decoder/service.js';
import { serveDetector } from '../../services/detector/service.js';
import { serveEmbedder } from '../../services/embedder/service.js';
import { startGateway } from '../../services/gateway/service.js';
import { startMatcher } from '../../services/matcher/service.js';
import { availableNats, uniqueName } from '../support/nats.js';
import { natsServerBinary, startNatsServer } from '../campaigns/common.js';
import { gate, waitFor } from '../bus/bus.contract.js';

const natsUrl = await availableNats();
const natsServer = natsServerBinary();
if (!natsServer) {
  if (process.env.CI === 'true') throw new Error('readiness over a restarted NATS: no nats-server binary (set NATS_SERVER; required when CI=true)');
  console.warn('skipping the NATS restart readiness test: no nats-server binary (set NATS_SERVER)');
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function runtime(env: Record<string, string> = {}): Runtime {
  const dir = mkdtempSync(join(tmpdir(), 'facerec-ready-'));
  const config = loadConfig({
    FACEREC_DATA_DIR: dir,
    FACEREC_CELEBRITIES: 'none',
    DETECTOR_LISTEN: '127.0.0.1:0',
    EMBEDDER_LISTEN: '127.0.0.1:0',
    MATCHER_LISTEN: '127.0.0.1:0',
    HOST: '127.0.0.1',
    PORT: '0',
    FACEREC_SHUTDOWN_GRACE_S: '1',
    ...env,
  });
  const adapters = new Adapters(config);
  cleanups.push(async () => {
    await adapters.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { config, adapters, log: rootLogger };
}

/** Stops the service at the end of the test unless the test did. */
function started(service: RunningService): RunningService {
  let stopped = false;
  const stop = service.stop;
  service.stop = () => ((stopped = true), stop());
  cleanups.push(async () => void (stopped || (await service.stop())));
  return service;
}

const check = (service: RunningService) => service.checks[0]!;
const waiting = (service: RunningService) => check(service).missing?.() ?? [];

describe('Readiness', () => {
  it('is ready when every need is met, names those that are not, and never again once draining', async () => {
    let bound = false;
    const step = gate();
    const r = new Readiness('x').need('consumer bound', () => bound).after('warm-up inference', step.promise);
    expect(r.missing()).toEqual(['consumer bound', 'warm-up inference']);
    bound = true;
    step.open();
    await waitFor(() => r.ready());
    expect(r.missing()).toEqual([]);
    r.drain();
    expect(r.ready()).toBe(false);
    expect(r.missing()).toEqual(['draining']);
  });

  it('never becomes ready after a failed step, and says why', async () => {
    const r = new Readiness('x').after('warm-up inference', Promise.reject(new Error('no such file')));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(r.ready()).toBe(false);
    expect(r.missing()).toEqual(['warm-up inference failed: no such file']);
  });

  it('/readyz of a process with no service started is not ready', async () => {
    expect((await readiness([])).ready).toBe(false);
  });
});

describe('detector and embedder: ready after a warm-up inference', () => {
  it('detector', async () => {
    const warm = gate();
    let calls = 0;
    const locator: FaceLocator = {
      name: 'yunet',
      provider: 'cpu',
      locate: async () => (calls++ === 0 ? await warm.promise : undefined, [] as LocatedFace[]),
      locateBatch: async (images) => images.map(() => []),
    };
    const detector = started(await serveDetector(runtime(), locator));
    expect(check(detector).ready()).toBe(false);
    expect(waiting(detector)).toEqual(['warm-up inference']);
    warm.open();
    await detector.warmUp;
    expect(check(detector).ready()).toBe(true);
    const stopping = detector.stop();
    expect(check(detector).ready()).toBe(false);
    expect(waiting(detector)).toEqual(['draining']);
    await stopping;
  });

  it('embedder', async () => {
    const warm = gate();
    const embedder = {
      model: 'faceplugin-fr512',
      provider: 'cpu',
      dimension: 512,
      chipSize: 112,
      embedChips: async (_chips: Uint8Array, count: number) => (await warm.promise, Array.from({ length: count }, () => new Float32Array(512))),
    } as unknown as FaceEmbedder;
    const service = started(await serveEmbedder(runtime(), embedder));
    expect(waiting(service)).toEqual(['warm-up inference']);
    warm.open();
    await service.warmUp;
    expect(check(service).ready()).toBe(true);
    const stopping = service.stop();
    expect(waiting(service)).toEqual(['draining']);
    await stopping;
  });

  it('a warm-up that fails leaves the service not ready, with the reason', async () => {
    const locator: FaceLocator = {
      name: 'yunet',
      provider: 'cpu',
      locate: async () => {
        throw new Error('broken network');
      },
      locateBatch: async (images) => images.map(() => []),
    };
    const detector = started(await serveDetector(runtime(), locator));
    await detector.warmUp;
    expect(check(detector).ready()).toBe(false);
    expect(waiting(detector)).toEqual(['warm-up inference failed: broken network']);
  });
});

describe('matcher: not ready while it re-embeds the galleries of another embedder', () => {
  it('answers not-ready during a long re-embedding, then ready', async () => {
    const rt = runtime();
    // A gallery made by the previous embedder (dlib, 128-d), with one sample and its crop.
    const store = new SqliteGalleryStore(join(rt.config.dataDir, 'galleries.db'));
    const modelId = randomUUID();
    const identityId = randomUUID();
    await store.createModel({ id: modelId, name: 'old', description: '', embeddingModel: 'dlib-resnet', embeddingSha256: '' });
    await store.createIdentity({ id: identityId, modelId, name: 'someone' });
    await store.addSamples([{ id: randomUUID(), identityId, modelId, embedding: new Float32Array(128).fill(0.1), crop: Buffer.from('jpeg'), origin: 'a.jpg', created: new Date().toISOString() }]);
    await store.close();

    const reembedded = gate();
    let asked = 0;
    const matcher = started(
      await startMatcher(rt, {
        cropEmbedder: () => ({
          embedCrop: async () => {
            asked++;
            await reembedded.promise;
            const v = new Float32Array(512);
            v[0] = 1;
            return v;
          },
          close: () => {},
        }),
      }),
    );
    await waitFor(() => asked === 1);
    expect(check(matcher).ready()).toBe(false);
    expect(waiting(matcher)).toEqual(['re-embedding the galleries of another embedder']);
    reembedded.open();
    await waitFor(() => check(matcher).ready() === true);
    const stopping = matcher.stop();
    expect(waiting(matcher)).toEqual(['draining']);
    await stopping;
  });

  it('is ready at once when no gallery needs re-embedding', async () => {
    const matcher = started(await startMatcher(runtime()));
    expect(check(matcher).ready()).toBe(true);
  });
});

describe('decoder, aggregator, gateway: ready while the bus is connected and their consumer bound', () => {
  for (const [name, start] of [
    ['decoder', startDecoder],
    ['aggregator', startAggregator],
  ] as const) {
    it(`${name}, embedded bus: ready, not ready once the bus is gone, draining on stop`, async () => {
      const rt = runtime();
      const service = started(await start(rt));
      expect(check(service).ready()).toBe(true);
      const stopping = service.stop();
      expect(waiting(service)).toContain('draining');
      await stopping;
    });

    it(`${name}, embedded bus closed: not ready`, async () => {
      const rt = runtime();
      const service = started(await start(rt));
      await (await rt.adapters.bus()).close();
      expect(waiting(service)).toEqual(['bus connected', `consumer of the ${name === 'decoder' ? 'decode' : 'aggregate'} queue bound`]);
    });
  }

  it.skipIf(!natsUrl)('decoder over NATS: not ready until its consumer is bound, and not once the connection is closed', async () => {
    const rt = runtime({ NATS_URL: natsUrl ?? '', FACEREC_NATS_PREFIX: uniqueName('ready') });
    cleanups.push(async () => {
      // The streams this test made.
      const nc = await connect({ servers: natsUrl! });
      const jsm = await (await import('@nats-io/jetstream')).jetstreamManager(nc);
      for await (const stream of jsm.streams.names()) if (stream.startsWith(`${rt.config.natsPrefix}_`)) await jsm.streams.delete(stream);
      await nc.close();
    });
    const service = started(await startDecoder(rt));
    await waitFor(() => check(service).ready() === true);
    await (await rt.adapters.nats()).close();
    expect(check(service).ready()).toBe(false);
    expect(waiting(service)).toContain('bus connected');
  });

  it.skipIf(!natsServer)('aggregator over NATS: not ready while nats-server is down, ready again once it is back', { timeout: 60_000 }, async () => {
    const nats = await startNatsServer(natsServer!);
    const rt = runtime({ NATS_URL: nats.url });
    cleanups.push(() => nats.stop());
    const service = started(await startAggregator(rt));
    await waitFor(() => check(service).ready() === true);
    const restarted = nats.restart(3000);
    await waitFor(() => check(service).ready() === false);
    expect(waiting(service)).toContain('bus connected');
    await restarted;
    await waitFor(() => check(service).ready() === true, 30_000);
    expect(waiting(service)).toEqual([]);
  });

  it('gateway: ready once listening with its webhook consumer bound; draining on stop', async () => {
    const rt = runtime({ FACEREC_ALLOW_ANONYMOUS: 'true' });
    const gateway = started(await startGateway(rt, () => []));
    expect(check(gateway).ready()).toBe(true);
    const stopping = gateway.stop();
    expect(waiting(gateway)).toContain('draining');
    await stopping;
  });
});

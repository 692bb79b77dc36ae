// Starts the Matcher gRPC service over the gallery store and the vector index.
import { catalogEntry } from '../../models/catalog.js';
import { contractDistanceFor } from '../../libs/engine/calibration.js';
import { embedderIdentity } from '../../libs/engine/embedder.js';
import { Enroller } from '../../libs/face-client/enrol.js';
import { detectorClient, embedderClient, loadProtos } from '../../libs/grpc/grpc.js';
import type { Logger } from '../../libs/log/logger.js';
import { REEMBEDDING } from '../../libs/service/readiness.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { serveGrpc } from '../../libs/service/serve.js';
import { loadCelebrities } from './celebrities.js';
import { Galleries } from './galleries.js';
import { followChanges } from './follow-changes.js';
import { IdentityIndex } from './identity-index.js';
import { matcherHandlers } from './matcher-service.js';

/** How the matcher embeds a stored crop again (through the detector and embedder services; tests give their own). */
export type CropEmbedderFactory = (rt: Runtime) => { embedCrop: (crop: Buffer) => Promise<Float32Array | string>; close: () => void };

/**
 * Ready once its galleries and indexes are loaded (before it listens) and no gallery of another
 * embedder is being re-embedded at start: until then it would refuse those galleries.
 */
export async function startMatcher(rt: Runtime, opts: { cropEmbedder?: CropEmbedderFactory } = {}): Promise<RunningService> {
  const embedCrops = opts.cropEmbedder ?? cropEmbedder;
  const log = rt.log.child({ service: 'matcher' });
  // The matcher compares the vectors of the embedder this installation runs (FACEREC_EMBEDDER).
  const embedder = embedderIdentity(rt.config.engine.embedder);
  const vectors = await rt.adapters.vectorIndex();
  const store = await rt.adapters.galleryStore();
  const galleries = new Galleries(store, vectors, { ...embedder, name: embedder.model, toContract: contractDistanceFor(catalogEntry(embedder.model).calibration) });
  const index = new IdentityIndex(await rt.adapters.identityIndexStore(), vectors, galleries);
  // Several replicas over PostgreSQL, each with its own embedded index: listening starts before
  // the index is filled from the store, so that no change falls between the two; what is heard
  // meanwhile is applied once both are loaded.
  const feed = await rt.adapters.galleryChanges();
  let loaded!: () => void;
  if (feed) await followChanges(feed, galleries, index, log, new Promise<void>((resolve) => (loaded = resolve)));
  await galleries.init();
  if (rt.config.celebritiesArtefact) await loadCelebrities(store, vectors, galleries, rt.config.celebritiesArtefact, log);
  await index.init();
  loaded?.();
  const reembedding = galleries.staleModels().size > 0 ? reembedInBackground(galleries, rt, log, embedCrops) : undefined;
  return serveGrpc(rt, {
    name: 'matcher',
    service: 'facerec.v1.Matcher',
    definition: loadProtos().facerec.v1.Matcher.service,
    handlers: matcherHandlers(galleries, index, log, () => embedCrops(rt)),
    listen: rt.config.listen.matcher,
    log,
    describe: { vectors: rt.config.qdrantUrl ? 'qdrant' : 'embedded' },
    needs: (readiness) => {
      if (reembedding) readiness.after(REEMBEDDING, reembedding.done);
    },
    close: () => reembedding?.stop(),
  });
}

/**
 * Stored source crops embedded through the detector and embedder services. Addresses are read at
 * each call: the embedded mode learns its services' ports as they start.
 */
function cropEmbedder(rt: Runtime): ReturnType<CropEmbedderFactory> {
  const detector = detectorClient(rt.config.addresses.detector);
  const embedder = embedderClient(rt.config.addresses.embedder);
  const enroller = new Enroller(detector, embedder, rt.config.decoder.maxImagePixels);
  return {
    embedCrop: async (crop) => {
      const e = await enroller.reembed(crop);
      return typeof e === 'string' ? e : Float32Array.from(e.values);
    },
    close: () => {
      detector.close();
      embedder.close();
    },
  };
}

/**
 * Galleries made by another embedder are re-embedded from their stored source crops through the
 * detector and embedder services, once those answer (in the embedded mode they start beside the
 * matcher); until then matching against them is refused with the reason.
 */
function reembedInBackground(galleries: Galleries, rt: Runtime, log: Logger, embedCrops: CropEmbedderFactory): { stop: () => void; done: Promise<void> } {
  let stopped = false;
  const done = (async () => {
    for (let attempt = 0; !stopped; attempt++) {
      const { embedCrop, close } = embedCrops(rt);
      try {
        await galleries.reembedStale(embedCrop, log);
        stopped = true;
      } catch (err) {
        // The detector or embedder is not up yet: try again shortly.
        if (attempt > 0 && attempt % 15 === 0) log.warn({ err: (err as Error).message }, 're-embedding waits for the detector and embedder');
        await new Promise((r) => setTimeout(r, 2000));
      } finally {
        close();
      }
    }
  })();
  return { stop: () => void (stopped = true), done };
}

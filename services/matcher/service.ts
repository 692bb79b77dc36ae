// Starts the Matcher gRPC service over the gallery store and the vector index.
import { catalogEntry } from '../../models/catalog.js';
import { contractDistanceFor } from '../../libs/engine/calibration.js';
import { embedderIdentity } from '../../libs/engine/embedder.js';
import { Enroller } from '../../libs/face-client/enrol.js';
import { detectorClient, embedderClient, GrpcServer, loadProtos } from '../../libs/grpc/grpc.js';
import type { Logger } from '../../libs/log/logger.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { loadCelebrities } from './celebrities.js';
import { Galleries } from './galleries.js';
import { IdentityIndex } from './identity-index.js';
import { matcherHandlers } from './matcher-service.js';

export async function startMatcher(rt: Runtime): Promise<RunningService> {
  const log = rt.log.child({ service: 'matcher' });
  // The matcher compares the vectors of the embedder this installation runs (FACEREC_EMBEDDER).
  const embedder = embedderIdentity(rt.config.engine.embedder);
  const vectors = await rt.adapters.vectorIndex();
  const store = await rt.adapters.galleryStore();
  const galleries = new Galleries(store, vectors, { ...embedder, name: embedder.model, toContract: contractDistanceFor(catalogEntry(embedder.model).calibration) });
  await galleries.init();
  if (rt.config.celebritiesArtefact) await loadCelebrities(store, vectors, galleries, rt.config.celebritiesArtefact, log);
  const index = new IdentityIndex(await rt.adapters.identityIndexStore(), vectors, galleries);
  await index.init();
  const reembedding = galleries.staleModels().size > 0 ? reembedInBackground(galleries, rt, log) : undefined;
  const server = new GrpcServer().add('facerec.v1.Matcher', loadProtos().facerec.v1.Matcher.service, matcherHandlers(galleries, index, log, () => cropEmbedder(rt)));
  const port = await server.listen(rt.config.listen.matcher);
  server.setServing(true);
  log.info({ port, vectors: rt.config.qdrantUrl ? 'qdrant' : 'embedded' }, 'matcher serving');
  return {
    name: 'matcher',
    port,
    checks: [{ name: 'matcher', ready: () => true }],
    stop: async () => {
      reembedding?.stop();
      await server.stop(rt.config.shutdownGraceMs);
    },
  };
}

/**
 * Stored source crops embedded through the detector and embedder services. Addresses are read at
 * each call: the embedded mode learns its services' ports as they start.
 */
function cropEmbedder(rt: Runtime): { embedCrop: (crop: Buffer) => Promise<Float32Array | string>; close: () => void } {
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
function reembedInBackground(galleries: Galleries, rt: Runtime, log: Logger): { stop: () => void } {
  let stopped = false;
  void (async () => {
    for (let attempt = 0; !stopped; attempt++) {
      const { embedCrop, close } = cropEmbedder(rt);
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
  return { stop: () => void (stopped = true) };
}

// Starts the Matcher gRPC service over the gallery store and the vector index.
import { catalogEntry } from '../../models/catalog.js';
import { contractDistanceFor } from '../../libs/engine/calibration.js';
import { embedderFromEnv, embedderIdentity } from '../../libs/engine/embedder.js';
import { GrpcServer, loadProtos } from '../../libs/grpc/grpc.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { Galleries } from './galleries.js';
import { IdentityIndex } from './identity-index.js';
import { matcherHandlers } from './matcher-service.js';

export async function startMatcher(rt: Runtime): Promise<RunningService> {
  const log = rt.log.child({ service: 'matcher' });
  // The matcher compares the vectors of the embedder this installation runs (FACEREC_EMBEDDER).
  const embedder = embedderIdentity(embedderFromEnv());
  const vectors = await rt.adapters.vectorIndex();
  const galleries = new Galleries(await rt.adapters.galleryStore(), vectors, { ...embedder, name: embedder.model, toContract: contractDistanceFor(catalogEntry(embedder.model).calibration) });
  await galleries.init();
  const index = new IdentityIndex(await rt.adapters.identityIndexStore(), vectors, galleries);
  await index.init();
  const server = new GrpcServer().add('facerec.v1.Matcher', loadProtos().facerec.v1.Matcher.service, matcherHandlers(galleries, index, log));
  const port = await server.listen(rt.config.listen.matcher);
  server.setServing(true);
  log.info({ port, vectors: rt.config.qdrantUrl ? 'qdrant' : 'embedded' }, 'matcher serving');
  return { name: 'matcher', port, checks: [{ name: 'matcher', ready: () => true }], stop: () => server.stop(rt.config.shutdownGraceMs) };
}

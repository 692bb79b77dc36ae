// Starts the Matcher gRPC service over the gallery store and the vector index.
import { catalogEntry } from '../../models/catalog.js';
import { EMBEDDING_MODEL, EMBEDDING_SIZE } from '../../libs/engine/embedder.js';
import { GrpcServer, loadProtos } from '../../libs/grpc/grpc.js';
import type { Runtime, RunningService } from '../../libs/service/runtime.js';
import { Galleries } from './galleries.js';
import { IdentityIndex } from './identity-index.js';
import { matcherHandlers } from './matcher-service.js';

export async function startMatcher(rt: Runtime): Promise<RunningService> {
  const log = rt.log.child({ service: 'matcher' });
  const threshold = catalogEntry(EMBEDDING_MODEL).calibration?.threshold;
  if (!threshold) throw new Error(`models/catalog.json has no calibration for ${EMBEDDING_MODEL}`);
  const vectors = await rt.adapters.vectorIndex();
  const galleries = new Galleries(await rt.adapters.galleryStore(), vectors, { name: EMBEDDING_MODEL, dimension: EMBEDDING_SIZE, threshold });
  await galleries.init();
  const index = new IdentityIndex(await rt.adapters.identityIndexStore(), vectors, galleries);
  await index.init();
  const server = new GrpcServer().add('facerec.v1.Matcher', loadProtos().facerec.v1.Matcher.service, matcherHandlers(galleries, index, log));
  const port = await server.listen(rt.config.listen.matcher);
  server.setServing(true);
  log.info({ port, vectors: rt.config.qdrantUrl ? 'qdrant' : 'embedded' }, 'matcher serving');
  return { name: 'matcher', port, checks: [{ name: 'matcher', ready: () => true }], stop: () => server.stop(rt.config.shutdownGraceMs) };
}

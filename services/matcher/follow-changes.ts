// A matcher replica keeping its own embedded vector index in step with galleries and an identity
// index that other replicas change too (DATABASE_URL without QDRANT_URL): every change heard on
// the feed is applied by reading the store again, one at a time and in the order heard. Through
// Qdrant the vectors are shared and nothing needs following.
import type { ChangeFeed, GalleryChange } from '../../libs/gallery/gallery-changes.js';
import type { Logger } from '../../libs/log/logger.js';
import type { Galleries } from './galleries.js';
import type { IdentityIndex } from './identity-index.js';

/** Changes are applied once `loaded` resolves (the index filled from the store); `idle` resolves when those heard so far are applied. */
export async function followChanges(feed: ChangeFeed, galleries: Galleries, index: IdentityIndex, log: Logger, loaded: Promise<void> = Promise.resolve()): Promise<{ idle: () => Promise<void> }> {
  let queue: Promise<void> = loaded;
  const apply = async (change: GalleryChange): Promise<void> => {
    switch (change.kind) {
      case 'identity':
        return galleries.reloadIdentityVectors(change.id);
      case 'model':
        return galleries.modelChanged(change.id);
      case 'index-identity':
        return index.reloadIdentityVectors(change.id);
      case 'resync': {
        const models = await galleries.syncVectors();
        const indexVectors = await index.syncVectors();
        log.info({ models, indexVectors }, 'vector index compared with the store after the change feed reconnected');
      }
    }
  };
  await feed.subscribe((change) => {
    queue = queue.then(() =>
      apply(change).catch((err: unknown) => {
        // The next change of the same thing, or a resync, repairs it; the store stays right meanwhile.
        log.warn({ err: (err as Error).message, change }, 'a gallery change could not be applied to the vector index');
      }),
    );
  });
  return { idle: () => queue };
}

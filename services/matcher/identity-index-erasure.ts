// Removing an indexed identity from the identity index's store (erasure, issue 12 part 3).
// IdentityIndexStore has no delete yet, and libs/gallery is being reworked by the engine change;
// until the store offers `delete(id)` (it is used as soon as it does), the SQLite store's rows are
// deleted here, on its own connection: the identity row, and with it (ON DELETE CASCADE, foreign
// keys on in openSqlite) its samples and appearances.
import type { IdentityIndexStore } from '../../libs/gallery/identity-index.js';
import type { SqliteDatabase } from '../../libs/store/sqlite.js';

/** A store that can delete: true when the identity existed. */
interface DeletingStore {
  delete(id: string): Promise<boolean>;
}

const canDelete = (store: object): store is DeletingStore => typeof (store as Partial<DeletingStore>).delete === 'function';

/** Deletes the indexed identity, its samples (crops, embeddings) and appearances; false when there was none. */
export async function deleteIndexedRecord(store: IdentityIndexStore, id: string): Promise<boolean> {
  if (canDelete(store)) return store.delete(id);
  // SqliteIdentityIndex keeps its connection in `db` (the only store there is today).
  const db = (store as unknown as { db?: SqliteDatabase }).db;
  if (!db || typeof db.prepare !== 'function') throw new Error('this identity index store cannot delete identities');
  const deleted = db.transaction((identityId: string) => {
    db.prepare('DELETE FROM index_samples WHERE identity_id = ?').run(identityId);
    db.prepare('DELETE FROM index_appearances WHERE identity_id = ?').run(identityId);
    return db.prepare('DELETE FROM index_identities WHERE id = ?').run(identityId).changes > 0;
  })(id);
  return deleted;
}

// What changed in the galleries or the identity index, as far as a matcher's own vector index is
// concerned: several matcher replicas over one PostgreSQL, each with an embedded index, follow the
// writes of the others through these (PostgresChangeFeed: LISTEN/NOTIFY, sent in the writing
// transaction, so only committed changes are heard). Each change names what to read again from
// the store, never the vectors themselves: reading again is idempotent and cannot go out of order.
export type GalleryChange =
  /** The samples of a gallery identity were added to or removed (with the identity). */
  | { kind: 'identity'; id: string }
  /** A whole gallery: deleted, its contents replaced, re-embedded, or copied in. */
  | { kind: 'model'; id: string }
  /** The samples of an indexed identity: added, moved out by naming, or deleted with it. */
  | { kind: 'index-identity'; id: string }
  /** Changes may have been missed (the feed's connection was lost): compare everything. */
  | { kind: 'resync' };

export interface ChangeFeed {
  /** Calls `listener` for every change committed from now on (by any replica, this one included). */
  subscribe(listener: (change: GalleryChange) => void): Promise<void>;
  close(): Promise<void>;
}

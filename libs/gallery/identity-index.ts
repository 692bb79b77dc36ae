// The identity index (SPEC §1 `index_unknowns`, §3): unknown persons of jobs with a persistent id
// across jobs. Each indexed identity keeps a thumbnail, a few samples (embedding + face crop, like
// a gallery's) and where it appeared. Owned by the matcher, next to the galleries; the samples'
// vectors are also in the VectorIndex, under the reserved model id INDEX_MODEL_ID, so searching
// the index is the galleries' code path. Naming an identity moves its samples into a gallery.
import type { Page } from '../store/job-store.js';

/** The VectorIndex "model" the index's vectors live under (gallery model ids are UUIDs). */
export const INDEX_MODEL_ID = '__index__';

/** Where an indexed person was seen: result items of one job's source. */
export interface AppearanceRecord {
  jobId: string;
  source: string;
  resultIds: string[];
  frameStart: number;
  frameEnd: number;
  /** ISO-8601 UTC; when first recorded. */
  created: string;
}

/** Set once an indexed identity is named: the gallery identity its samples went to. */
export interface NamedTo {
  name: string;
  modelId: string;
  modelName: string;
  identityId: string;
  /** ISO-8601 UTC. */
  at: string;
}

export interface IndexedIdentityRecord {
  id: string;
  /** ISO-8601 UTC. */
  created: string;
  /** JPEG (may be empty). */
  thumbnail: Buffer;
  /** Samples held; once named, the samples moved into the gallery. */
  sampleCount: number;
  appearanceCount: number;
  named: NamedTo | null;
}

export interface IndexSampleRecord {
  id: string;
  identityId: string;
  embedding: Float32Array;
  /** Face crop, JPEG (may be empty). */
  crop: Buffer;
  created: string;
}

export interface IdentityIndexStore {
  create(identity: { id: string; thumbnail: Buffer; created?: string }): Promise<IndexedIdentityRecord>;
  get(id: string): Promise<IndexedIdentityRecord | undefined>;
  /** Newest first (created, then id); `named` filters named or unnamed ones. */
  list(query: { limit: number; offset: number; named?: boolean }): Promise<Page<IndexedIdentityRecord>>;
  /** Replaces the thumbnail (e.g. when it had none). */
  setThumbnail(id: string, thumbnail: Buffer): Promise<void>;

  addSamples(samples: readonly IndexSampleRecord[]): Promise<void>;
  /** In creation order. */
  listSamples(identityId: string): Promise<IndexSampleRecord[]>;

  /**
   * Records an appearance. One per (identity, job, source): recording the same job and source
   * again merges (result ids united, frame range widened), so a redelivered job adds nothing.
   */
  addAppearance(identityId: string, appearance: Omit<AppearanceRecord, 'created'>): Promise<void>;
  /** Most recent first, at most `limit`. */
  listAppearances(identityId: string, limit: number): Promise<AppearanceRecord[]>;

  /**
   * Marks the identity named and drops its samples (they now live in the gallery), in one
   * transaction. Undefined when there is no such identity; rejects with AlreadyNamedError.
   */
  markNamed(id: string, named: NamedTo): Promise<IndexedIdentityRecord | undefined>;
  /** Deletes the identity with its samples (crops, embeddings) and appearances; false when there was none. */
  delete(id: string): Promise<boolean>;
  close(): Promise<void>;
}

export class AlreadyNamedError extends Error {
  constructor(id: string, name: string) {
    super(`indexed identity ${id} is already named "${name}"`);
    this.name = 'AlreadyNamedError';
  }
}

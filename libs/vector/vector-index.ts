// Nearest-neighbour search over gallery embeddings. Embedded: exact search in memory, persisted in
// the data directory (EmbeddedVectorIndex); distributed: Qdrant (QdrantVectorIndex). Both pass the
// same suite (test/vector/vector-index.contract.ts).
//
// Distances are raw Euclidean distances between the stored vectors (the embedding model's native
// comparison; the matcher maps them onto the contract's scale).

export interface VectorPayload {
  modelId: string;
  identityId: string;
}

export interface VectorPoint {
  /** UUID. */
  id: string;
  vector: readonly number[] | Float32Array;
  payload: VectorPayload;
}

export interface VectorHit {
  id: string;
  distance: number;
  payload: VectorPayload;
}

export interface VectorIndex {
  /** Creates the collection for vectors of `dimension` if it does not exist (idempotent). */
  init(dimension: number): Promise<void>;
  upsert(points: readonly VectorPoint[]): Promise<void>;
  /** Deletes points by id, or every point of an identity or a model. */
  delete(selector: { ids: readonly string[] } | { identityId: string } | { modelId: string }): Promise<void>;
  /** The `limit` nearest points among those of `modelIds`, nearest first. */
  search(vector: readonly number[] | Float32Array, opts: { modelIds: readonly string[]; limit: number }): Promise<VectorHit[]>;
  /** Points stored for the models (all when omitted). */
  count(modelIds?: readonly string[]): Promise<number>;
  close(): Promise<void>;
}

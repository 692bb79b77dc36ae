// Gallery metadata: models (named galleries), their identities, and each identity's samples —
// the aligned face crop (small JPEG) with its embedding, so a gallery can be re-embedded when the
// embedding model changes and exported without the original photos. Owned by the matcher; the
// vectors are also in the VectorIndex, which is what searches them.
import type { Page } from '../store/job-store.js';

export interface ModelRecord {
  id: string;
  name: string;
  description: string;
  /** Embedding model the samples were made with (catalog name, e.g. 'faceplugin-fr512'). */
  embeddingModel: string;
  /** SHA-256 of that model's network file ('' for galleries made before it was recorded). */
  embeddingSha256?: string;
  /** ISO-8601 UTC. */
  created: string;
}

export interface ModelStats {
  identityCount: number;
  sampleCount: number;
}

/** The categories of public figures (SPEC §3: politics, sports, business, entertainment). */
export const IDENTITY_CATEGORIES = ['politics', 'sports', 'business', 'entertainment'] as const;
export type IdentityCategory = (typeof IDENTITY_CATEGORIES)[number];

/** What a pre-built gallery knows of a person beyond the name (the celebrities artefact, version 2). */
export interface IdentityMetadata {
  /** Other names of the person, searchable with the name. */
  aliases?: string[];
  /** politics, sports, business or entertainment. */
  category?: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
  /** Where the person's photos came from (artefact source ids). */
  sources?: string[];
}

export interface IdentityRecord extends IdentityMetadata {
  id: string;
  modelId: string;
  name: string;
  created: string;
  sampleCount: number;
}

/** Which identities a listing returns: a part of the name or of an alias (ignoring case), a category, a country. */
export interface IdentityFilter {
  query?: string;
  category?: string;
  country?: string;
}

export interface SampleRecord {
  id: string;
  identityId: string;
  modelId: string;
  embedding: Float32Array;
  /**
   * The face's source crop, JPEG: the face box doubled, so that any recogniser's alignment can be
   * cut from it and the sample re-embedded (older samples hold the aligned chip of their embedder).
   */
  crop: Buffer;
  /** Where the sample came from (source string or file name), for review. */
  origin: string;
  created: string;
}

export interface GalleryStore {
  /** Rejects with ModelNameTakenError when the name exists. */
  createModel(model: Omit<ModelRecord, 'created'> & { created?: string }): Promise<ModelRecord>;
  /** By id, or else by name. */
  findModel(idOrName: string): Promise<ModelRecord | undefined>;
  listModels(): Promise<(ModelRecord & ModelStats)[]>;
  modelStats(modelId: string): Promise<ModelStats>;
  /** Deletes the model, its identities and samples. */
  deleteModel(modelId: string): Promise<boolean>;

  /** Rejects with IdentityNameTakenError when the model has an identity of that name. */
  createIdentity(identity: { id: string; modelId: string; name: string; created?: string }): Promise<IdentityRecord>;
  getIdentity(identityId: string): Promise<IdentityRecord | undefined>;
  findIdentityByName(modelId: string, name: string): Promise<IdentityRecord | undefined>;
  /**
   * By name, then id; with `query`, only those whose name or an alias contains it, ignoring case;
   * with `category` / `country`, only those of it.
   */
  listIdentities(modelId: string, page: { limit: number; offset: number }, filter?: string | IdentityFilter): Promise<Page<IdentityRecord>>;
  /** Rejects with IdentityNameTakenError on a clash within the model. */
  renameIdentity(identityId: string, name: string): Promise<IdentityRecord | undefined>;
  deleteIdentity(identityId: string): Promise<boolean>;
  /** Names of identities by id (missing ids are left out). */
  identityNames(identityIds: readonly string[]): Promise<Map<string, string>>;

  addSamples(samples: readonly SampleRecord[]): Promise<void>;
  /** Samples of one identity, or of a whole model, in creation order. */
  listSamples(selector: { identityId: string } | { modelId: string }): Promise<SampleRecord[]>;
  /**
   * Replaces everything a model holds — identities, samples, description and embedder — in one
   * transaction (a pre-built gallery loaded in bulk).
   */
  replaceModelContents(
    modelId: string,
    contents: { description: string; embedder: { model: string; sha256: string }; identities: ({ id: string; name: string } & IdentityMetadata)[]; samples: SampleRecord[] },
  ): Promise<void>;
  /** Replaces a model's sample embeddings and records the embedder that made them, in one transaction. */
  replaceEmbeddings(modelId: string, embedder: { model: string; sha256: string }, embeddings: ReadonlyMap<string, Float32Array>): Promise<void>;
  /**
   * Runs `work` while no other holder of the store (another matcher replica) runs work under the
   * same key: re-embedding a gallery is done by one replica, the others wait.
   */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class ModelNameTakenError extends Error {
  constructor(name: string) {
    super(`a model named "${name}" already exists`);
    this.name = 'ModelNameTakenError';
  }
}

export class IdentityNameTakenError extends Error {
  constructor(name: string) {
    super(`the model already has an identity named "${name}"`);
    this.name = 'IdentityNameTakenError';
  }
}

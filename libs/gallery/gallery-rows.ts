// The rows of the gallery tables as both SQL stores (SQLite, PostgreSQL) read them — the same
// columns under the same names — and the records they make.
import { blobToVector } from '../store/vector-bytes.js';
import type { IdentityRecord, ModelRecord, SampleRecord } from './gallery-store.js';

export interface ModelRow {
  id: string;
  name: string;
  description: string;
  embedding_model: string;
  embedding_sha256: string;
  created: string;
}

export interface IdentityRow {
  id: string;
  model_id: string;
  name: string;
  created: string;
  sample_count: number;
  /** Newline-separated. */
  aliases: string;
  category: string;
  country: string;
  /** Comma-separated. */
  sources: string;
}

export interface SampleRow {
  id: string;
  identity_id: string;
  model_id: string;
  embedding: Buffer;
  crop: Buffer;
  origin: string;
  created: string;
}

export function toModel(row: ModelRow): ModelRecord {
  return { id: row.id, name: row.name, description: row.description, embeddingModel: row.embedding_model, embeddingSha256: row.embedding_sha256, created: row.created };
}

export function toIdentity(row: IdentityRow): IdentityRecord {
  return {
    id: row.id,
    modelId: row.model_id,
    name: row.name,
    created: row.created,
    sampleCount: row.sample_count,
    ...(row.aliases ? { aliases: row.aliases.split('\n') } : {}),
    ...(row.category ? { category: row.category } : {}),
    ...(row.country ? { country: row.country } : {}),
    ...(row.sources ? { sources: row.sources.split(',') } : {}),
  };
}

export function toSample(row: SampleRow): SampleRecord {
  return {
    id: row.id,
    identityId: row.identity_id,
    modelId: row.model_id,
    // Copied into a fresh vector: the driver's buffer may be pooled or not 4-byte aligned.
    embedding: blobToVector(row.embedding),
    crop: row.crop,
    origin: row.origin,
    created: row.created,
  };
}

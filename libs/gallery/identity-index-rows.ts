// The rows of the identity index's tables as both SQL stores (SQLite, PostgreSQL) read them — the
// same columns under the same names — the records they make, and how an appearance recorded again
// merges into its row.
import { blobToVector } from '../store/vector-bytes.js';
import type { AppearanceRecord, IndexedIdentityRecord, IndexSampleRecord, NamedTo } from './identity-index.js';

export interface IdentityRow {
  id: string;
  created: string;
  thumbnail: Buffer;
  name: string | null;
  model_id: string | null;
  model_name: string | null;
  identity_id: string | null;
  named_at: string | null;
  moved_samples: number;
  sample_count: number;
  appearance_count: number;
}

export interface SampleRow {
  id: string;
  identity_id: string;
  embedding: Buffer;
  crop: Buffer;
  created: string;
}

export interface AppearanceRow {
  job_id: string;
  source: string;
  /** JSON array, in the order the ids were first recorded. */
  result_ids: string;
  frame_start: number;
  frame_end: number;
  created: string;
}

export function toIdentity(row: IdentityRow): IndexedIdentityRecord {
  const named: NamedTo | null =
    row.name === null
      ? null
      : { name: row.name, modelId: row.model_id ?? '', modelName: row.model_name ?? '', identityId: row.identity_id ?? '', at: row.named_at ?? '' };
  return {
    id: row.id,
    created: row.created,
    thumbnail: row.thumbnail,
    sampleCount: named ? row.moved_samples : row.sample_count,
    appearanceCount: row.appearance_count,
    named,
  };
}

export function toSample(row: SampleRow): IndexSampleRecord {
  return {
    id: row.id,
    identityId: row.identity_id,
    // A copy: the driver's buffer may be pooled or not 4-byte aligned.
    embedding: blobToVector(row.embedding),
    crop: row.crop,
    created: row.created,
  };
}

export function toAppearance(row: AppearanceRow): AppearanceRecord {
  return {
    jobId: row.job_id,
    source: row.source,
    resultIds: JSON.parse(row.result_ids) as string[],
    frameStart: row.frame_start,
    frameEnd: row.frame_end,
    created: row.created,
  };
}

/** A new appearance row's columns: result ids once each. */
export function newAppearanceColumns(a: Omit<AppearanceRecord, 'created'>): { resultIds: string; frameStart: number; frameEnd: number } {
  return { resultIds: JSON.stringify([...new Set(a.resultIds)]), frameStart: a.frameStart, frameEnd: a.frameEnd };
}

/** The same job and source recorded again: result ids united (first recorded first), frame range widened. */
export function mergedAppearanceColumns(existing: Pick<AppearanceRow, 'result_ids' | 'frame_start' | 'frame_end'>, a: Omit<AppearanceRecord, 'created'>): { resultIds: string; frameStart: number; frameEnd: number } {
  return {
    resultIds: JSON.stringify([...new Set([...(JSON.parse(existing.result_ids) as string[]), ...a.resultIds])]),
    frameStart: Math.min(existing.frame_start, a.frameStart),
    frameEnd: Math.max(existing.frame_end, a.frameEnd),
  };
}

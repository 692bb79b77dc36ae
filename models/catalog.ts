// Typed access to models/catalog.json: which networks the product uses and where their ONNX files live.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BatchRewrite } from './tools/batch-dimension.js';
import type { QuantiseRewrite } from './tools/quantise.js';
import type { GraphConversionOptions } from './tools/tfjs-graph.js';

export const MODELS_DIR = dirname(fileURLToPath(import.meta.url));
export const CATALOG_PATH = join(MODELS_DIR, 'catalog.json');
/** The pre-trained `celebrities` gallery (committed; built by `facerec celebrities build`). */
export const CELEBRITIES_ARTEFACT = join(MODELS_DIR, 'galleries', 'celebrities.fgal');
/** Where the converted ONNX files are written (a build output, not committed). */
export const ONNX_DIR = process.env.FACEREC_MODELS_DIR ?? join(MODELS_DIR, 'onnx');

export type ConverterSpec =
  | ({ kind: 'tfjs-graph'; model: string } & Omit<GraphConversionOptions, 'name'>)
  | { kind: 'faceapi-recognition'; manifest: string };

/**
 * A published ONNX file: from a mirror folder or its upstream address, or from an npm tarball.
 * `sha256` pins the published bytes when the entry rewrites them (`rewrite`); without a rewrite
 * the file is used as it is and `onnx.sha256` pins it.
 */
export type PublishedSource = (
  | { kind: 'published-file'; file: string; upstream: string }
  | { kind: 'npm-tarball'; package: string; version: string; file: string }
) & { sha256?: string };

export type ModelRole = 'detector' | 'detector-candidate' | 'landmarks' | 'embedder' | 'embedder-candidate';

export interface CatalogEntry {
  role: ModelRole;
  description: string;
  licence: string;
  /** Converted models: the npm package and version they are built from. */
  package?: string;
  version?: string;
  /** Converted models: package-relative file → SHA-256 of the file the conversion reads. */
  sources?: Record<string, string>;
  converter?: ConverterSpec;
  /** Published models: where the file comes from (its bytes must match source.sha256, or onnx.sha256 when it is used as it is). */
  source?: PublishedSource;
  /** Published models whose batch is fixed at 1: rewritten with a symbolic batch dimension (tools/batch-dimension.ts). */
  rewrite?: BatchRewrite;
  /**
   * Models derived from another entry's ONNX file: int8 QDQ (tools/quantise.ts) of `base`'s built
   * file, with the activation ranges of `calibration` (a file under models/, committed).
   */
  quantise?: QuantiseRewrite & { base: string };
  input: Record<string, string>;
  output: string;
  onnx: { file: string; sha256: string };
  /** Embedders: how their native distance maps onto the contract's 0..2 scale (see libs/engine/calibration.ts). */
  calibration?: { kind: 'hyperbolic'; threshold: number; fittedOn: string };
}

export interface Catalog {
  models: Record<string, CatalogEntry>;
}

export function readCatalog(): Catalog {
  return JSON.parse(readFileSync(CATALOG_PATH, 'utf8')) as Catalog;
}

export function catalogEntry(id: string): CatalogEntry {
  const entry = readCatalog().models[id];
  if (!entry) throw new Error(`model '${id}' is not in ${CATALOG_PATH}`);
  return entry;
}

/**
 * The identity of the network a vector was made by: the SHA-256 of its weights as published or
 * converted. For a published file rewritten only to take a batch (`rewrite`), that is the published
 * file's SHA-256: the rewrite changes shapes, not weights, and gives the same vectors (measured in
 * test/models/batch-dimension.test.ts), so galleries and the celebrities artefact stay valid.
 * A quantised model (`quantise`, built from its base's file, no `rewrite`) gives other vectors:
 * its identity is its own file's SHA-256, which changes with the quantisation or its calibration,
 * so galleries re-embed.
 */
export function modelSha256(id: string): string {
  const entry = catalogEntry(id);
  return (entry.rewrite && entry.source?.sha256) || entry.onnx.sha256;
}

export function onnxPath(id: string): string {
  return join(ONNX_DIR, catalogEntry(id).onnx.file);
}

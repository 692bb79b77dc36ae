// Typed access to models/catalog.json: which networks the product uses and where their ONNX files live.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** A published ONNX file used as it is: from a mirror folder or its upstream address, or from an npm tarball. */
export type PublishedSource =
  | { kind: 'published-file'; file: string; upstream: string }
  | { kind: 'npm-tarball'; package: string; version: string; file: string };

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
  /** Published models: where the file comes from (its bytes must match onnx.sha256). */
  source?: PublishedSource;
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

/** The catalog's SHA-256 of a model's ONNX file: the identity of the model a vector was made by. */
export function modelSha256(id: string): string {
  return catalogEntry(id).onnx.sha256;
}

export function onnxPath(id: string): string {
  return join(ONNX_DIR, catalogEntry(id).onnx.file);
}

// Typed access to models/catalog.json: which networks the product uses and where their ONNX files live.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphConversionOptions } from './tools/tfjs-graph.js';

export const MODELS_DIR = dirname(fileURLToPath(import.meta.url));
export const CATALOG_PATH = join(MODELS_DIR, 'catalog.json');
/** Where the converted ONNX files are written (a build output, not committed). */
export const ONNX_DIR = process.env.FACEREC_MODELS_DIR ?? join(MODELS_DIR, 'onnx');

export type ConverterSpec =
  | ({ kind: 'tfjs-graph'; model: string } & Omit<GraphConversionOptions, 'name'>)
  | { kind: 'faceapi-recognition'; manifest: string };

export interface CatalogEntry {
  role: 'detector' | 'landmarks' | 'embedder' | 'embedder-candidate';
  description: string;
  licence: string;
  package: string;
  version: string;
  /** Package-relative file → SHA-256 of the file the conversion reads. */
  sources: Record<string, string>;
  converter: ConverterSpec;
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

export function onnxPath(id: string): string {
  return join(ONNX_DIR, catalogEntry(id).onnx.file);
}

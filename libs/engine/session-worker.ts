// Runs an ONNX Runtime session on its own thread. onnxruntime-node's `run` is synchronous under its
// promise (a setImmediate around the native call), so inference on the main thread stalls every
// other piece of work in the process — gRPC, HTTP, the decoder's bookkeeping — and keeps two
// networks (detector, embedder) from running side by side. One worker thread per session: its runs
// queue in that thread, the process's other threads go on.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type * as ort from 'onnxruntime-node';

/** What callers use of a session: run feeds, read output data and dims. */
export interface InferenceRunner {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, OutputTensor>>;
  release(): Promise<void>;
}

export interface OutputTensor {
  type: string;
  data: Float32Array;
  dims: readonly number[];
}

interface WireTensor {
  type: ort.Tensor.Type;
  data: ort.Tensor.DataType;
  dims: readonly number[];
}

type Reply =
  | { kind: 'ready'; inputNames: string[]; outputNames: string[] }
  | { kind: 'failed'; message: string }
  | { kind: 'result'; id: number; outputs: Record<string, OutputTensor> }
  | { kind: 'error'; id: number; message: string };

// Plain JavaScript (CommonJS, evaluated by the Worker) so that it runs the same from the TypeScript
// sources, the compiled dist/ and under the test runner; onnxruntime-node is required by the path
// this module resolved.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
let session;
ort.InferenceSession.create(workerData.model, workerData.options).then(
  (s) => { session = s; parentPort.postMessage({ kind: 'ready', inputNames: s.inputNames, outputNames: s.outputNames }); },
  (err) => parentPort.postMessage({ kind: 'failed', message: String(err && err.message || err) }),
);
parentPort.on('message', async ({ id, feeds }) => {
  try {
    const inputs = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(t.type, t.data, t.dims);
    const out = await session.run(inputs);
    const outputs = {};
    const transfer = [];
    for (const [name, t] of Object.entries(out)) {
      outputs[name] = { type: t.type, data: t.data, dims: t.dims };
      transfer.push(t.data.buffer);
    }
    parentPort.postMessage({ kind: 'result', id, outputs }, transfer);
  } catch (err) {
    parentPort.postMessage({ kind: 'error', id, message: String(err && err.message || err) });
  }
});
`;

/** Creates the session in a new worker thread; rejects with ONNX Runtime's reason when it cannot. */
export async function startWorkerSession(model: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<InferenceRunner> {
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath, model, options } });
  const pending = new Map<number, { resolve: (o: Record<string, OutputTensor>) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let stopped: Error | null = null;
  const failAll = (err: Error) => {
    stopped ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const ready = await new Promise<{ inputNames: string[]; outputNames: string[] }>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (reply: Reply) => {
      worker.off('error', reject);
      if (reply.kind === 'ready') resolve(reply);
      else reject(new Error(reply.kind === 'failed' ? reply.message : 'the inference worker answered out of turn'));
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });

  worker.on('message', (reply: Reply) => {
    if (reply.kind !== 'result' && reply.kind !== 'error') return;
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.kind === 'result') p.resolve(reply.outputs);
    else p.reject(new Error(`inference failed: ${reply.message}`));
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`the inference worker stopped (exit code ${code})`)));
  // An idle worker must not keep the process alive; one with work in flight must.
  worker.unref();

  return {
    inputNames: ready.inputNames,
    outputNames: ready.outputNames,
    run(feeds) {
      if (stopped) return Promise.reject(stopped);
      const id = nextId++;
      const wire: Record<string, WireTensor> = {};
      for (const [name, t] of Object.entries(feeds)) wire[name] = { type: t.type, data: t.data, dims: t.dims };
      return new Promise((resolve, reject) => {
        pending.set(id, {
          resolve: (o) => {
            if (pending.size === 0) worker.unref();
            resolve(o);
          },
          reject: (e) => {
            if (pending.size === 0) worker.unref();
            reject(e);
          },
        });
        worker.ref();
        // The feeds are copied (structured clone): callers may reuse their buffers at once.
        worker.postMessage({ id, feeds: wire });
      });
    },
    async release() {
      failAll(new Error('the inference session was released'));
      await worker.terminate();
    },
  };
}

/**
 * Several workers running the same network: a run goes to the worker with the fewest runs queued,
 * so that as many inferences as there are workers run at once (one thread each, on CPU).
 */
export function workerPool(workers: readonly InferenceRunner[]): InferenceRunner {
  if (workers.length === 1) return workers[0]!;
  const queued = workers.map(() => 0);
  return {
    inputNames: workers[0]!.inputNames,
    outputNames: workers[0]!.outputNames,
    async run(feeds) {
      const i = queued.indexOf(Math.min(...queued));
      queued[i]!++;
      try {
        return await workers[i]!.run(feeds);
      } finally {
        queued[i]!--;
      }
    },
    async release() {
      await Promise.all(workers.map((w) => w.release()));
    },
  };
}

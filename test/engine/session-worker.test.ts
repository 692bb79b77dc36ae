// Sessions run on their own worker thread: the same numbers as ONNX Runtime on the main thread,
// the main thread free while a network runs, and clear errors for a bad model or a released session.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { startWorkerSession, workerPool } from '../../libs/engine/session-worker.js';
import { onnxPath } from '../../models/catalog.js';

const OPTIONS: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: 1, graphOptimizationLevel: 'extended' };

function chipInput(): ort.Tensor {
  const data = new Float32Array(3 * 112 * 112);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) * 0.9; // deterministic, face-free
  return new ort.Tensor('float32', data, [1, 3, 112, 112]);
}

describe('startWorkerSession', () => {
  it('gives the same output as a session on the main thread, and keeps the input buffer usable', async () => {
    const model = readFileSync(onnxPath('faceplugin-fr512'));
    const worker = await startWorkerSession(model, OPTIONS);
    const direct = await ort.InferenceSession.create(model, OPTIONS);
    try {
      expect(worker.inputNames).toEqual(direct.inputNames);
      const input = chipInput();
      const a = await worker.run({ input });
      const b = await direct.run({ input });
      expect(a.output!.dims).toEqual([1, 512]);
      expect(Array.from(a.output!.data)).toEqual(Array.from(b.output!.data as Float32Array));
      expect((input.data as Float32Array).length).toBe(3 * 112 * 112); // not transferred away
    } finally {
      await worker.release();
      await direct.release();
    }
  });

  it('leaves the main thread free while the network runs', async () => {
    const worker = await startWorkerSession(readFileSync(onnxPath('faceplugin-fr512')), OPTIONS);
    try {
      const input = chipInput();
      await worker.run({ input });
      // On the main thread a run would block the event loop for its whole length: no tick at all.
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 1);
      for (let i = 0; i < 5; i++) await worker.run({ input });
      clearInterval(ticker);
      expect(ticks).toBeGreaterThan(20);
    } finally {
      await worker.release();
    }
  });

  it('runs several requests in order and answers each with its own output', async () => {
    const worker = await startWorkerSession(readFileSync(onnxPath('faceplugin-fr512')), OPTIONS);
    try {
      const inputs = [0.1, -0.4, 0.7].map((v) => new ort.Tensor('float32', new Float32Array(3 * 112 * 112).fill(v), [1, 3, 112, 112]));
      const together = await Promise.all(inputs.map((input) => worker.run({ input })));
      for (const [i, input] of inputs.entries()) {
        const alone = await worker.run({ input });
        expect(Array.from(together[i]!.output!.data)).toEqual(Array.from(alone.output!.data));
      }
      expect(Array.from(together[0]!.output!.data)).not.toEqual(Array.from(together[1]!.output!.data));
    } finally {
      await worker.release();
    }
  });

  it('rejects a file that is not a model with ONNX Runtime\'s reason, and runs after release', async () => {
    await expect(startWorkerSession(new Uint8Array([1, 2, 3, 4]), OPTIONS)).rejects.toThrow(/protobuf|model|parse|load/i);
    const worker = await startWorkerSession(readFileSync(onnxPath('faceplugin-fr512')), OPTIONS);
    await worker.release();
    await expect(worker.run({ input: chipInput() })).rejects.toThrow(/released/);
  });

  it('reports a bad input as a failed run, and the session goes on working', async () => {
    const worker = await startWorkerSession(readFileSync(onnxPath('faceplugin-fr512')), OPTIONS);
    try {
      await expect(worker.run({ input: new ort.Tensor('float32', new Float32Array(12), [1, 3, 2, 2]) })).rejects.toThrow(/inference failed/);
      expect((await worker.run({ input: chipInput() })).output!.dims).toEqual([1, 512]);
    } finally {
      await worker.release();
    }
  });

  it('a pool of workers answers every run with its own output, and releases them all', async () => {
    const model = readFileSync(onnxPath('faceplugin-fr512'));
    const pool = workerPool([await startWorkerSession(model, OPTIONS), await startWorkerSession(model, OPTIONS)]);
    const single = await startWorkerSession(model, OPTIONS);
    try {
      const inputs = [0.1, -0.4, 0.7, 0.2, -0.9].map((v) => new ort.Tensor('float32', new Float32Array(3 * 112 * 112).fill(v), [1, 3, 112, 112]));
      const pooled = await Promise.all(inputs.map((input) => pool.run({ input })));
      for (const [i, input] of inputs.entries()) expect(Array.from(pooled[i]!.output!.data)).toEqual(Array.from((await single.run({ input })).output!.data));
    } finally {
      await pool.release();
      await single.release();
    }
    await expect(pool.run({ input: chipInput() })).rejects.toThrow(/released/);
  });
});

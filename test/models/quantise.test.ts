// The int8 QDQ rewrite (models/tools/quantise.ts) on a small MobileFaceNet-like graph built here
// (Conv → PRelu → depthwise Conv → Conv, a residual Add, a last Conv read by a Reshape): ranges
// calibrated by running the float graph with its activations as outputs, as `facerec calibrate
// int8` does; the quantised graph runs in ONNX Runtime with its integer kernels (QLinearConv,
// QLinearAdd), stays close to the float one, and the rewrite is deterministic; a YuNet-like graph
// (Relu, MaxPool, Resize, a float head) likewise. Then the catalog's int8 recogniser and detector:
// each rebuilt from its float file and the committed ranges has the catalog's SHA-256 and an
// identity of its own.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { catalogEntry, modelSha256, onnxPath, readCatalog } from '../../models/catalog.js';
import { quantised } from '../../models/tools/build-models.js';
import { DataType, OnnxGraph } from '../../models/tools/onnx/graph.js';
import { bytesOf, parseMessage, stringField } from '../../models/tools/onnx/reader.js';
import { activationParams, quantiseQdq, quantisedActivations, withExtraOutputs, type ActivationRanges } from '../../models/tools/quantise.js';
import { leastErrorRange } from '../../libs/eval/quantise-calibration.js';

/** A deterministic pseudo-random stream in [-1, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function tinyNetwork(): Uint8Array {
  const r = random(7);
  const fill = (n: number, k: number) => Float32Array.from({ length: n }, () => r() * k);
  const g = new OnnxGraph('tiny');
  const x = g.input('input', ['N', 3, 16, 16]);
  const conv = (input: string, cin: number, cout: number, kernel: number, group = 1) =>
    g.op('Conv', [input, g.floats('w', [cout, cin / group, kernel, kernel], fill((cout * cin * kernel * kernel) / group, 0.4)), g.floats('b', [cout], fill(cout, 0.2))], {
      group: { i: group },
      kernel_shape: { ints: [kernel, kernel] },
      pads: { ints: Array(4).fill((kernel - 1) / 2) },
    });
  const prelu = (input: string, c: number) => g.op('PRelu', [input, g.floats('slope', [c, 1, 1], fill(c, 0.25))]);
  const a = prelu(conv(x, 3, 8, 3), 8);
  const b = prelu(conv(a, 8, 8, 3, 8), 8);
  const c = conv(b, 8, 8, 1);
  const sum = g.op('Add', [a, c]);
  const last = conv(sum, 8, 4, 1);
  const out = g.op('Reshape', [last, g.int64s('shape', [0, -1])]);
  g.rename(out, 'output');
  g.output('output', ['N', 4 * 16 * 16], DataType.FLOAT);
  return g.toBytes();
}

/** YuNet's operators in miniature: Conv → Relu → MaxPool, an upsampling Resize added to an earlier map, a head Conv read by Transpose → Reshape → Sigmoid. */
function tinyDetector(): Uint8Array {
  const r = random(11);
  const fill = (n: number, k: number) => Float32Array.from({ length: n }, () => r() * k);
  const g = new OnnxGraph('tiny-detector');
  const x = g.input('input', ['N', 3, 16, 16]);
  const conv = (input: string, cin: number, cout: number, kernel: number) =>
    g.op('Conv', [input, g.floats('w', [cout, cin, kernel, kernel], fill(cout * cin * kernel * kernel, 0.4)), g.floats('b', [cout], fill(cout, 0.2))], {
      kernel_shape: { ints: [kernel, kernel] },
      pads: { ints: Array(4).fill((kernel - 1) / 2) },
    });
  const a = g.op('Relu', [conv(x, 3, 8, 3)]);
  const pooled = g.op('MaxPool', [a], { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } });
  const b = g.op('Relu', [conv(pooled, 8, 8, 1)]);
  const up = g.op('Resize', [b, '', g.floats('scales', [4], [1, 1, 2, 2])], { mode: { s: 'nearest' } });
  const sum = g.op('Add', [a, up]);
  const head = conv(conv(sum, 8, 8, 1), 8, 4, 1);
  const flat = g.op('Reshape', [g.op('Transpose', [head], { perm: { ints: [0, 2, 3, 1] } }), g.int64s('shape', [0, -1])]);
  g.rename(g.op('Sigmoid', [flat]), 'output');
  g.output('output', ['N', 4 * 16 * 16], DataType.FLOAT);
  return g.toBytes();
}

function inputs(n: number, seed: number): Float32Array {
  const r = random(seed);
  return Float32Array.from({ length: n * 3 * 16 * 16 }, () => r());
}

async function run(model: Uint8Array, x: Float32Array, n: number, names = ['output'], level: 'disabled' | 'extended' = 'extended'): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: level, intraOpNumThreads: 1 });
  const out = await session.run({ input: new ort.Tensor('float32', x, [n, 3, 16, 16]) }, names);
  await session.release();
  return Object.fromEntries(names.map((k) => [k, out[k]!.data as Float32Array]));
}

async function calibrated(model: Uint8Array): Promise<ActivationRanges> {
  const names = quantisedActivations(model);
  const out = await run(withExtraOutputs(model, names), inputs(16, 1), 16, names, 'disabled');
  return Object.fromEntries(names.map((k) => [k, [Math.min(...out[k]!), Math.max(...out[k]!)] as [number, number]]));
}

function opTypes(model: Uint8Array): Record<string, number> {
  const graph = parseMessage(bytesOf(parseMessage(model).find((f) => f.field === 7)!));
  const counts: Record<string, number> = {};
  for (const f of graph.filter((x) => x.field === 1)) {
    const op = stringField(parseMessage(bytesOf(f)), 4)!;
    counts[op] = (counts[op] ?? 0) + 1;
  }
  return counts;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('int8 QDQ rewrite of a small graph', () => {
  it('quantises every activation read by a Conv, Add or PRelu, and every Conv but none reading a float input', async () => {
    const model = tinyNetwork();
    const names = quantisedActivations(model);
    // input; each Conv's output read by a PRelu or the Add; each PRelu's output; the Add's output.
    expect(names).toHaveLength(7);
    const { report } = quantiseQdq(model, await calibrated(model));
    expect(report).toMatchObject({ convs: 4, floatConvs: 0, activations: 7 });
    expect(report.floatConvOutputs).toHaveLength(1); // the last Conv, read only by the Reshape
    const kept = quantiseQdq(model, await calibrated(model), ['input']).report;
    expect(kept).toMatchObject({ convs: 3, floatConvs: 1, activations: 6 });
  });

  it('runs in ONNX Runtime as integer kernels, close to the float graph, and deterministically', async () => {
    const model = tinyNetwork();
    const ranges = await calibrated(model);
    const { bytes } = quantiseQdq(model, ranges);
    expect(sha256(quantiseQdq(model, ranges).bytes)).toBe(sha256(bytes));
    // Inputs other than the calibration's.
    const x = inputs(4, 99);
    const [f, q] = [(await run(model, x, 4)).output!, (await run(bytes, x, 4)).output!];
    let err = 0;
    let range = 0;
    for (let i = 0; i < f.length; i++) [err, range] = [Math.max(err, Math.abs(f[i]! - q[i]!)), Math.max(range, Math.abs(f[i]!))];
    console.log(`tiny graph: max abs difference ${err.toFixed(4)} against outputs up to ${range.toFixed(3)}`);
    expect(err).toBeLessThan(0.05 * range);
    // ONNX Runtime fuses the pairs into integer kernels at 'extended'.
    const dir = mkdtempSync(join(tmpdir(), 'facerec-qdq-'));
    const optimised = join(dir, 'optimised.onnx');
    await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'extended', optimizedModelFilePath: optimised });
    const ops = opTypes(new Uint8Array(readFileSync(optimised)));
    expect(ops.QLinearConv).toBe(3);
    expect(ops.QLinearAdd).toBe(1);
    expect(ops.Conv).toBe(1);
  });

  it('refuses an operator it does not handle, and a missing range', async () => {
    const g = new OnnxGraph('other');
    g.rename(g.op('Sqrt', [g.input('input', [1, 3, 16, 16])]), 'output');
    g.output('output', [1, 3, 16, 16]);
    expect(() => quantisedActivations(g.toBytes())).toThrow(/Sqrt is not handled/);
    const model = tinyNetwork();
    const ranges = await calibrated(model);
    delete ranges.input;
    expect(() => quantiseQdq(model, ranges)).toThrow(/no calibrated range for tensor input/);
  });

  it("a detector's Relu, MaxPool and Resize run on uint8 between integer kernels; its head Conv stays float", async () => {
    const model = tinyDetector();
    // input; the first Relu's output (read by the MaxPool and the Add); the MaxPool's; the second
    // Relu's (read by the Resize); the Resize's; the Add's; the head's first Conv output.
    expect(quantisedActivations(model)).toHaveLength(7);
    const ranges = await calibrated(model);
    const { bytes, report } = quantiseQdq(model, ranges);
    expect(report).toMatchObject({ convs: 4, floatConvs: 0, activations: 7 });
    expect(report.floatConvOutputs).toHaveLength(1);
    const x = inputs(4, 99);
    const [f, q] = [(await run(model, x, 4)).output!, (await run(bytes, x, 4)).output!];
    let err = 0;
    for (let i = 0; i < f.length; i++) err = Math.max(err, Math.abs(f[i]! - q[i]!));
    console.log(`tiny detector: max abs difference of the sigmoid outputs ${err.toFixed(4)}`);
    expect(err).toBeLessThan(0.05);
    const dir = mkdtempSync(join(tmpdir(), 'facerec-qdq-'));
    const optimised = join(dir, 'optimised.onnx');
    await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'extended', optimizedModelFilePath: optimised });
    const ops = opTypes(new Uint8Array(readFileSync(optimised)));
    // The Relus went with their QuantizeLinear (zero point 0); the MaxPool and the Resize lost the
    // pairs around them (same scale in and out), so no DequantizeLinear is left but the float
    // head Conv's (its input, weights and bias) and one QuantizeLinear, the graph input's.
    expect(ops).toMatchObject({ QLinearConv: 3, QLinearAdd: 1, Conv: 1, MaxPool: 1, Resize: 1, QuantizeLinear: 1 });
    expect(ops.Relu).toBeUndefined();
    expect(ops.DequantizeLinear).toBeLessThanOrEqual(3);
  });

  it('gives activations a uint8 scale whose zero is exact, and clips the tails where that lowers the error', () => {
    expect(activationParams(-1, 3)).toEqual({ scale: Math.fround(4 / 255), zeroPoint: 64 });
    expect(activationParams(0.5, 2).zeroPoint).toBe(0); // widened to hold 0
    // A histogram with a far outlier: the least-error range leaves it out.
    const h = new Float64Array(1000);
    for (let i = 0; i < 100; i++) h[i] = 100_000;
    h[999] = 1;
    const [lo, hi] = leastErrorRange(h, 0, 100);
    expect(lo).toBe(0);
    expect(hi).toBeLessThan(20);
  });
});

describe.each(['faceplugin-fr512-int8', 'yunet-int8'])('the catalog\'s %s', (id) => {
  const entry = catalogEntry(id);
  const base = entry.quantise!.base;
  const built = existsSync(onnxPath(base)) && sha256(new Uint8Array(readFileSync(onnxPath(base)))) === catalogEntry(base).onnx.sha256;

  it('names vectors by its own SHA-256, not the float network\'s', () => {
    expect(modelSha256(id)).toBe(entry.onnx.sha256);
    expect(modelSha256(id)).not.toBe(modelSha256(base));
  });

  it.skipIf(!built)('is rebuilt from the float file and the committed ranges with the catalog\'s SHA-256', () => {
    const { bytes } = quantised(id, entry, readCatalog());
    expect(sha256(bytes)).toBe(entry.onnx.sha256);
  });
});

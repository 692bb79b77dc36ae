// Static int8 quantisation of a float ONNX graph, written as QuantizeLinear/DequantizeLinear pairs
// (the "QDQ" form ONNX Runtime fuses into integer kernels: QLinearConv, QLinearAdd, uint8 MaxPool
// and Resize):
//
//   - Conv weights: symmetric int8 per output channel (scale_c = max|W_c| / 127, zero point 0),
//     stored as int8 and dequantised by a DequantizeLinear with axis 0;
//   - Conv biases: int32 with scale_c = input scale × weight scale_c (what an integer kernel adds
//     to its int32 accumulator), dequantised the same way;
//   - activations: uint8, one scale and zero point per tensor from calibrated ranges (min/max over
//     a calibration set, see calibrationRanges), as a QuantizeLinear → DequantizeLinear pair after
//     the tensor. Every float tensor read by a Conv (its input), an Add, a PRelu, a MaxPool or a
//     Resize is quantised, so an integer kernel sees quantised inputs and a quantised output; a
//     Conv read only by other operators (the recogniser's last, YuNet's heads) keeps a float
//     output. PRelu slopes stay float. A Relu between a Conv and its quantised output goes with the
//     QuantizeLinear (zero point 0: ONNX Runtime drops the Relu, the uint8 floor does its work). The
//     output of a MaxPool or a Resize (nearest) takes its input's scale and zero point: it holds
//     the same values, so ONNX Runtime runs it on the uint8 tensor between the two pairs.
//
// The rewrite reads the file as protobuf fields (onnx/reader.ts): nodes are rewritten, the
// replaced float weights dropped, every other message written back as it was, so the same graph
// and the same ranges give the same bytes. The opset becomes 13 (per-axis QuantizeLinear).
// Which graphs it accepts is narrow on purpose: Conv, PRelu, Add, Relu, MaxPool, Resize, and
// Reshape, Transpose, Sigmoid (left in float: YuNet's heads); anything else is refused rather than
// guessed at.
import { GRAPH, MODEL, NODE, TENSOR } from './onnx/fields.js';
import { DataType as T, writeNode, writeTensor, writeValueInfo } from './onnx/graph.js';
import { ProtoWriter } from './onnx/protobuf.js';
import { bytesOf, encodeMessage, intOf, parseMessage, repeatedInts, stringField, stringFieldBytes, text, type Field } from './onnx/reader.js';

export interface QuantiseRewrite {
  kind: 'qdq-int8';
  /** The calibrated activation ranges, a JSON file relative to models/ (see CalibrationFile). */
  calibration: string;
  /** Activations left in float (the Convs reading them too): those whose rounding moved the vectors most. */
  keepFloat?: string[];
}

/** Per tensor, the [min, max] of its values over the calibration set. */
export type ActivationRanges = Record<string, [number, number]>;

/** What `facerec calibrate` writes and the build reads: derived figures, no photos. */
export interface CalibrationFile {
  /** The catalog entry whose float graph was run (its ONNX SHA-256: ranges belong to those bytes). */
  model: string;
  onnxSha256: string;
  /** How the chips were chosen, for the record (folder, rule, count). */
  chips: { source: string; rule: string; count: number; views: string };
  /** How each range was read off the activations. */
  method: string;
  ranges: ActivationRanges;
}

export interface QuantiseReport {
  convs: number;
  activations: number;
  floatConvOutputs: string[];
  /** Convs left in float (their input is kept float). */
  floatConvs: number;
}

const OPSET = 13;
const SUPPORTED = new Set(['Conv', 'PRelu', 'Add', 'Relu', 'MaxPool', 'Resize', 'Reshape', 'Transpose', 'Sigmoid']);
/** Operators whose output holds a subset of their input's values: the output is quantised as the input is. */
const SAME_RANGE = new Set(['MaxPool', 'Resize']);

interface ParsedNode {
  fields: Field[];
  op: string;
  inputs: string[];
  outputs: string[];
}

function parseGraph(model: Uint8Array): { modelFields: Field[]; graphField: Field; graph: Field[]; nodes: ParsedNode[] } {
  const modelFields = parseMessage(model);
  const graphField = modelFields.find((f) => f.field === MODEL.graph);
  if (!graphField) throw new Error('quantise: the file has no graph');
  const graph = parseMessage(bytesOf(graphField));
  const nodes = graph
    .filter((f) => f.field === GRAPH.node)
    .map((f) => {
      const fields = parseMessage(bytesOf(f));
      return { fields, op: stringField(fields, NODE.opType) ?? '', inputs: fields.filter((x) => x.field === NODE.input).map(text), outputs: fields.filter((x) => x.field === NODE.output).map(text) };
    });
  return { modelFields, graphField, graph, nodes };
}

/**
 * The float activations the rewrite quantises (and calibration must measure): every tensor read by
 * a Conv, a PRelu, a MaxPool or a Resize (input 0), or by an Add. (The outputs of MaxPool and
 * Resize among them are quantised with their input's range, whatever calibration measured.)
 */
export function quantisedActivations(model: Uint8Array): string[] {
  return activationsOf(parseGraph(model).nodes);
}

function activationsOf(nodes: readonly ParsedNode[]): string[] {
  for (const n of nodes) if (!SUPPORTED.has(n.op)) throw new Error(`quantise: operator ${n.op} is not handled (${[...SUPPORTED].join(', ')})`);
  const names = new Set<string>();
  for (const n of nodes) {
    if (n.op === 'Conv' || n.op === 'PRelu' || SAME_RANGE.has(n.op)) names.add(n.inputs[0]!);
    if (n.op === 'Add') n.inputs.forEach((i) => names.add(i));
  }
  return [...names].sort();
}

/** The float graph with `names` added as graph outputs (shape left open), for a calibration pass. */
export function withExtraOutputs(model: Uint8Array, names: readonly string[]): Uint8Array {
  const { modelFields, graphField, graph } = parseGraph(model);
  const extra: Field[] = names.map((name) => ({ field: GRAPH.output, wire: 2, value: written((w) => writeValueInfo(w, { name, type: T.FLOAT })) }));
  return encodeMessage(modelFields.map((f) => (f === graphField ? { ...f, value: encodeMessage([...graph, ...extra]) } : f)));
}

/** Scale and zero point of a uint8 activation over [min, max] (widened to hold 0, which must be exact). */
export function activationParams(min: number, max: number): { scale: number; zeroPoint: number } {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (!(hi > lo)) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((hi - lo) / 255);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zeroPoint };
}

/**
 * The QDQ rewrite. `keepFloat` names activations left in float: a Conv reading one keeps its float
 * weights and runs in float.
 */
export function quantiseQdq(model: Uint8Array, ranges: ActivationRanges, keepFloat: readonly string[] = []): { bytes: Uint8Array; report: QuantiseReport } {
  const { modelFields, graphField, graph, nodes } = parseGraph(model);
  // In name order (a set keeps it): the same graph and ranges give the same bytes.
  const quantised = new Set(activationsOf(nodes).filter((a) => !keepFloat.includes(a)));
  for (const a of quantised) if (!ranges[a]) throw new Error(`quantise: no calibrated range for tensor ${a}`);
  // A MaxPool's or Resize's output is quantised with its (quantised) input's range, so the pair
  // around the operator cancels out.
  const rangeOf: ActivationRanges = { ...ranges };
  for (const n of nodes) if (SAME_RANGE.has(n.op) && quantised.has(n.inputs[0]!)) rangeOf[n.outputs[0]!] = ranges[n.inputs[0]!]!;

  const initialisers = new Map<string, Field[]>();
  for (const f of graph) {
    if (f.field !== GRAPH.initializer) continue;
    const t = parseMessage(bytesOf(f));
    initialisers.set(stringField(t, TENSOR.name) ?? '', t);
  }
  const readers = new Map<string, number>();
  for (const n of nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);

  const newInits: Uint8Array[] = [];
  const dropped = new Set<string>();
  const out: Uint8Array[] = [];
  const actScale = new Map<string, number>();
  const report: QuantiseReport = { convs: 0, activations: quantised.size, floatConvOutputs: [], floatConvs: 0 };

  const addInit = (name: string, dims: readonly number[], type: T, data: Float32Array | Int32Array | Int8Array | Uint8Array): string => {
    newInits.push(written((w) => writeTensor(w, name, { dims, type, data })));
    return name;
  };
  const qdq = (name: string): void => {
    const { scale, zeroPoint } = activationParams(...rangeOf[name]!);
    actScale.set(name, scale);
    const s = addInit(`${name}/act_scale`, [], T.FLOAT, Float32Array.of(scale));
    const z = addInit(`${name}/act_zero_point`, [], T.UINT8, Uint8Array.of(zeroPoint));
    out.push(nodeBytes('QuantizeLinear', `${name}/quantise`, [name, s, z], [`${name}/q`]));
    out.push(nodeBytes('DequantizeLinear', `${name}/dequantise`, [`${name}/q`, s, z], [`${name}/dq`]));
  };
  const use = (name: string): string => (quantised.has(name) ? `${name}/dq` : name);
  // A Conv's output is quantised as it is, or through the one Relu that reads it.
  const reluOf = new Map(nodes.filter((n) => n.op === 'Relu').map((n) => [n.inputs[0]!, n.outputs[0]!]));
  const quantisedOutput = (name: string): boolean => quantised.has(name) || (readers.get(name) === 1 && quantised.has(reluOf.get(name) ?? ''));

  // Graph inputs that are quantised get their pair first.
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  for (const a of quantised) if (!produced.has(a)) qdq(a);

  for (const n of nodes) {
    let fields = n.fields;
    if (n.op === 'Conv' && !quantised.has(n.inputs[0]!)) report.floatConvs++;
    else if (n.op === 'Conv') {
      report.convs++;
      const [x, w, b] = n.inputs as [string, string, string | undefined];
      const inScale = actScale.get(x);
      if (inScale === undefined) throw new Error(`quantise: Conv input ${x} is not quantised before the Conv`);
      const wt = initialisers.get(w);
      if (!wt) throw new Error(`quantise: Conv weight ${w} is not an initialiser`);
      if ((readers.get(w) ?? 0) > 1 || (b && (readers.get(b) ?? 0) > 1)) throw new Error(`quantise: Conv weights ${w} are shared`);
      const dims = repeatedInts(wt, TENSOR.dims).map(Number);
      const wf = floatsOf(wt, w);
      const channels = dims[0]!;
      const per = wf.length / channels;
      const wScale = new Float32Array(channels);
      const wq = new Int8Array(wf.length);
      for (let c = 0; c < channels; c++) {
        let m = 0;
        for (let k = 0; k < per; k++) m = Math.max(m, Math.abs(wf[c * per + k]!));
        const s = m > 0 ? Math.fround(m / 127) : 1;
        wScale[c] = s;
        for (let k = 0; k < per; k++) wq[c * per + k] = Math.max(-127, Math.min(127, Math.round(wf[c * per + k]! / s)));
      }
      dropped.add(w);
      addInit(`${w}/int8`, dims, T.INT8, wq);
      addInit(`${w}/scale`, [channels], T.FLOAT, wScale);
      addInit(`${w}/zero_point`, [channels], T.INT8, new Int8Array(channels));
      out.push(nodeBytes('DequantizeLinear', `${w}/dequantise`, [`${w}/int8`, `${w}/scale`, `${w}/zero_point`], [`${w}/dq`], 0));
      const newInputs = [use(x), `${w}/dq`];
      if (b) {
        const bt = initialisers.get(b);
        if (!bt) throw new Error(`quantise: Conv bias ${b} is not an initialiser`);
        const bf = floatsOf(bt, b);
        const bScale = new Float32Array(channels);
        const bq = new Int32Array(channels);
        for (let c = 0; c < channels; c++) {
          bScale[c] = Math.fround(inScale * wScale[c]!);
          bq[c] = Math.round(bf[c]! / bScale[c]!);
        }
        dropped.add(b);
        addInit(`${b}/int32`, [channels], T.INT32, bq);
        addInit(`${b}/scale`, [channels], T.FLOAT, bScale);
        addInit(`${b}/zero_point`, [channels], T.INT32, new Int32Array(channels));
        out.push(nodeBytes('DequantizeLinear', `${b}/dequantise`, [`${b}/int32`, `${b}/scale`, `${b}/zero_point`], [`${b}/dq`], 0));
        newInputs.push(`${b}/dq`);
      }
      fields = withInputs(n.fields, newInputs);
      if (!quantisedOutput(n.outputs[0]!)) report.floatConvOutputs.push(n.outputs[0]!);
    } else if (n.op === 'PRelu') fields = withInputs(n.fields, [use(n.inputs[0]!), ...n.inputs.slice(1)]);
    else if (n.op === 'Add') fields = withInputs(n.fields, n.inputs.map(use));
    else if (SAME_RANGE.has(n.op)) fields = withInputs(n.fields, [use(n.inputs[0]!), ...n.inputs.slice(1)]);
    out.push(encodeMessage(fields));
    for (const o of n.outputs) if (quantised.has(o)) qdq(o);
  }

  const newGraph: Field[] = [];
  let nodesWritten = false;
  for (const f of graph) {
    if (f.field === GRAPH.node) {
      if (!nodesWritten) newGraph.push(...out.map((value) => ({ field: GRAPH.node, wire: 2 as const, value })));
      nodesWritten = true;
      continue;
    }
    if (f.field === GRAPH.initializer && dropped.has(stringField(parseMessage(bytesOf(f)), TENSOR.name) ?? '')) continue;
    if (f.field === GRAPH.input && dropped.has(stringField(parseMessage(bytesOf(f)), 1) ?? '')) continue;
    newGraph.push(f);
  }
  // New initialisers after the graph's own (field order within a message does not matter to readers).
  newGraph.push(...newInits.map((value) => ({ field: GRAPH.initializer, wire: 2 as const, value })));
  const opset = new ProtoWriter().string(1, '').int(2, OPSET).finish();
  const fields = modelFields.map((f) => {
    if (f === graphField) return { ...f, value: encodeMessage(newGraph) };
    if (f.field === MODEL.opsetImport) return { ...f, value: opset };
    if (f.field === MODEL.irVersion && intOf(f) < 7n) return { ...f, value: 7n };
    return f;
  });
  return { bytes: encodeMessage(fields), report };
}

function floatsOf(tensor: Field[], name: string): Float32Array {
  const type = tensor.find((x) => x.field === TENSOR.dataType);
  const raw = tensor.find((x) => x.field === TENSOR.rawData);
  if (!type || Number(type.value) !== T.FLOAT || !raw) throw new Error(`quantise: ${name} is not a float tensor in raw_data`);
  const b = bytesOf(raw);
  const copy = new Uint8Array(b); // aligned
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

function withInputs(fields: Field[], inputs: readonly string[]): Field[] {
  const first = fields.findIndex((x) => x.field === NODE.input);
  return fields.flatMap((x, i) => (x.field !== NODE.input ? [x] : i === first ? inputs.map((name) => ({ field: NODE.input, wire: 2 as const, value: stringFieldBytes(name) })) : []));
}

function nodeBytes(op: string, name: string, inputs: readonly string[], outputs: readonly string[], axis?: number): Uint8Array {
  return written((w) => writeNode(w, { op, name, inputs, outputs, attrs: axis === undefined ? [] : [['axis', { i: axis }]] }));
}

/** One message's bytes, as graph.ts writes it. */
function written(write: (w: ProtoWriter) => void): Uint8Array {
  const w = new ProtoWriter();
  write(w);
  return w.finish();
}

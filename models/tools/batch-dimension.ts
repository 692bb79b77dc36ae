// Gives a published ONNX graph whose batch is fixed at 1 a symbolic batch dimension, so that one
// inference can take several images. The published file is read as protobuf fields and only
// these messages change (every other byte is written back as it was, so the rewrite is
// deterministic and the weights untouched):
//
//   - graph inputs and outputs: dimension 0, when it is the number 1, becomes dim_param `dim`;
//   - Reshape nodes whose target shape is a constant starting with 1 (PyTorch's export of
//     `x.view(1, -1, k)` / `x.view(1, -1)`): that 1 becomes 0, which Reshape (opset ≥ 5) reads as
//     "the input's own dimension 0" — the batch, carried through.
//
// Anything else that could pin the batch is refused rather than guessed at: intermediate shapes
// (value_info) stating a batch of 1, a shape constant shared with another kind of node, a graph
// with no fixed batch to rewrite. Whether the result computes, image for image, what the
// published graph computes is a measurement, not an assumption: test/models/batch-dimension.test.ts
// runs real inputs through both at batch 1 and through the rewritten one at batch N.
import { GRAPH, MODEL, NODE, TENSOR } from './onnx/fields.js';
import { DataType } from './onnx/graph.js';
import { bytesOf, encodeMessage, intOf, packVarints, parseMessage, repeatedInts, stringField, stringFieldBytes, text, type Field } from './onnx/reader.js';

export interface BatchRewrite {
  kind: 'batch-dimension';
  /** The symbolic name of the batch dimension. */
  dim: string;
}

export interface BatchRewriteReport {
  /** Graph inputs and outputs whose dimension 0 became symbolic. */
  values: string[];
  /** Reshape shape constants whose leading 1 became 0 (initialiser or Constant output names). */
  reshapeShapes: string[];
}

export function withBatchDimension(model: Uint8Array, rewrite: BatchRewrite): { bytes: Uint8Array; report: BatchRewriteReport } {
  const modelFields = parseMessage(model);
  const graphField = modelFields.find((f) => f.field === MODEL.graph);
  if (!graphField) throw new Error('batch rewrite: the file has no graph');
  const graph = parseMessage(bytesOf(graphField));
  const report: BatchRewriteReport = { values: [], reshapeShapes: [] };

  if (graph.some((f) => f.field === GRAPH.valueInfo && leadingDim(f) === 1n)) {
    throw new Error('batch rewrite: intermediate shapes (value_info) state a batch of 1; this rewrite does not handle them');
  }

  // Which value names are Reshape target shapes, and which are read by any other node.
  const nodes = graph.filter((f) => f.field === GRAPH.node).map((f) => parseMessage(bytesOf(f)));
  const reshapeShapes = new Set<string>();
  const otherUses = new Set<string>();
  for (const node of nodes) {
    const inputs = node.filter((f) => f.field === NODE.input).map(text);
    if (stringField(node, NODE.opType) === 'Reshape') {
      reshapeShapes.add(inputs[1]!);
      otherUses.add(inputs[0]!);
    } else inputs.forEach((i) => otherUses.add(i));
  }

  const rewriteShape = (tensor: Field[], name: string): Field[] | undefined => {
    if (!reshapeShapes.has(name)) return undefined;
    const values = int64Values(tensor);
    if (values === undefined || values.length === 0 || values[0] !== 1n) return undefined;
    if (otherUses.has(name)) throw new Error(`batch rewrite: the Reshape shape ${name} is also read by another node`);
    report.reshapeShapes.push(name);
    return withInt64Values(tensor, [0n, ...values.slice(1)]);
  };

  const newGraph: Field[] = graph.map((f) => {
    if (f.field === GRAPH.input || f.field === GRAPH.output) {
      const rewritten = withSymbolicLeadingDim(bytesOf(f), rewrite.dim);
      if (!rewritten) return f;
      report.values.push(stringField(parseMessage(bytesOf(f)), 1) ?? '?');
      return { ...f, value: rewritten };
    }
    if (f.field === GRAPH.initializer) {
      const tensor = parseMessage(bytesOf(f));
      const changed = rewriteShape(tensor, stringField(tensor, TENSOR.name) ?? '');
      return changed ? { ...f, value: encodeMessage(changed) } : f;
    }
    if (f.field === GRAPH.node) {
      const node = parseMessage(bytesOf(f));
      if (stringField(node, NODE.opType) !== 'Constant') return f;
      const output = stringField(node, NODE.output) ?? '';
      let changed = false;
      const newNode = node.map((a) => {
        if (a.field !== NODE.attribute) return a;
        const attr = parseMessage(bytesOf(a));
        if (stringField(attr, 1) !== 'value') return a;
        const tensorField = attr.find((x) => x.field === 5);
        if (!tensorField) return a;
        const t = rewriteShape(parseMessage(bytesOf(tensorField)), output);
        if (!t) return a;
        changed = true;
        return { ...a, value: encodeMessage(attr.map((x) => (x === tensorField ? { ...x, value: encodeMessage(t) } : x))) };
      });
      return changed ? { ...f, value: encodeMessage(newNode) } : f;
    }
    return f;
  });

  if (report.values.length === 0) throw new Error('batch rewrite: no graph input or output has a fixed batch of 1');
  const bytes = encodeMessage(modelFields.map((f) => (f === graphField ? { ...f, value: encodeMessage(newGraph) } : f)));
  return { bytes, report };
}

/** ValueInfoProto → TypeProto.tensor_type → TensorShapeProto: its first Dimension's number, if any. */
function leadingDim(valueInfo: Field): bigint | undefined {
  const dim = firstDim(parseMessage(bytesOf(valueInfo)));
  const v = dim && parseMessage(bytesOf(dim)).find((x) => x.field === 1);
  return v ? intOf(v) : undefined;
}

function firstDim(valueInfo: Field[]): Field | undefined {
  const type = valueInfo.find((x) => x.field === 2);
  const tensor = type && parseMessage(bytesOf(type)).find((x) => x.field === 1);
  const shape = tensor && parseMessage(bytesOf(tensor)).find((x) => x.field === 2);
  return shape && parseMessage(bytesOf(shape)).find((x) => x.field === 1);
}

/** The ValueInfoProto with its dimension 0 made `dim` when it is the number 1; undefined otherwise. */
function withSymbolicLeadingDim(valueInfoBytes: Uint8Array, dim: string): Uint8Array | undefined {
  const path = [2, 1, 2, 1]; // type → tensor_type → shape → first dim
  const rewrite = (bytes: Uint8Array, depth: number): Uint8Array | undefined => {
    const fields = parseMessage(bytes);
    if (depth === path.length) {
      const value = fields.find((x) => x.field === 1);
      if (!value || intOf(value) !== 1n) return undefined;
      return encodeMessage([...fields.filter((x) => x.field !== 1), { field: 2, wire: 2, value: stringFieldBytes(dim) }]);
    }
    const at = fields.findIndex((x) => x.field === path[depth]);
    if (at < 0) return undefined;
    const inner = rewrite(bytesOf(fields[at]!), depth + 1);
    if (!inner) return undefined;
    return encodeMessage(fields.map((x, i) => (i === at ? { ...x, value: inner } : x)));
  };
  return rewrite(valueInfoBytes, 0);
}

function int64Values(tensor: Field[]): bigint[] | undefined {
  const type = tensor.find((x) => x.field === TENSOR.dataType);
  if (!type || Number(type.value) !== DataType.INT64) return undefined;
  const raw = tensor.find((x) => x.field === TENSOR.rawData);
  if (raw) {
    const b = bytesOf(raw);
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return Array.from({ length: b.byteLength / 8 }, (_, i) => view.getBigInt64(i * 8, true));
  }
  return repeatedInts(tensor, TENSOR.int64Data);
}

function withInt64Values(tensor: Field[], values: bigint[]): Field[] {
  const raw = tensor.find((x) => x.field === TENSOR.rawData);
  if (raw) {
    const b = new Uint8Array(values.length * 8);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
    return tensor.map((x) => (x === raw ? { ...x, value: b } : x));
  }
  // int64_data: replaced by one packed field where the first value stood.
  const first = tensor.findIndex((x) => x.field === TENSOR.int64Data);
  return tensor.flatMap((x, i) => (x.field !== TENSOR.int64Data ? [x] : i === first ? [{ field: TENSOR.int64Data, wire: 2 as const, value: packVarints(values) }] : []));
}


// Builds an ONNX model (IR 8, opset 17) node by node and serialises it deterministically.
// Field numbers follow onnx/onnx.proto.
import { ProtoWriter } from './protobuf.js';

export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

export const OPSET = 17;
const IR_VERSION = 8;

export type Attr =
  | { i: number }
  | { f: number }
  | { s: string }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { t: ConstTensor };

export interface ConstTensor {
  dims: readonly number[];
  type: DataType;
  data: Float32Array | Int32Array | BigInt64Array | Int8Array | Uint8Array;
}

export interface Node {
  op: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attrs: readonly [string, Attr][];
}

export interface ValueInfo {
  name: string;
  type: DataType;
  /** Absent: the shape is left open. */
  dims?: readonly (number | string)[];
}

export class OnnxGraph {
  private nodes: Node[] = [];
  private initializers: (ConstTensor & { name: string })[] = [];
  private inputs: ValueInfo[] = [];
  private outputs: ValueInfo[] = [];
  private counter = 0;
  private readonly metadata: [string, string][] = [];

  constructor(private readonly name: string) {}

  /** A fresh, readable value name (`prefix_N`). */
  fresh(prefix: string): string {
    return `${prefix.replace(/[^A-Za-z0-9_./-]/g, '_')}_${this.counter++}`;
  }

  input(name: string, dims: readonly (number | string)[], type: DataType = DataType.FLOAT): string {
    this.inputs.push({ name, type, dims });
    return name;
  }

  output(name: string, dims: readonly (number | string)[], type: DataType = DataType.FLOAT): void {
    this.outputs.push({ name, type, dims });
  }

  /** Adds a weight and returns its value name. */
  initializer(name: string, dims: readonly number[], data: Float32Array | Int32Array | BigInt64Array): string {
    const type = data instanceof Float32Array ? DataType.FLOAT : data instanceof Int32Array ? DataType.INT32 : DataType.INT64;
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`initializer ${name}: ${data.length} values for dims [${dims}]`);
    this.initializers.push({ name, dims, type, data });
    return name;
  }

  floats(prefix: string, dims: readonly number[], data: ArrayLike<number>): string {
    return this.initializer(this.fresh(prefix), dims, Float32Array.from(data));
  }

  int64s(prefix: string, values: readonly number[]): string {
    return this.initializer(this.fresh(prefix), [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /** Adds a node; returns its output names (one unless `outputCount` says more). */
  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}, outputCount = 1, name?: string): string[] {
    const nodeName = name ?? this.fresh(op);
    const outputs = Array.from({ length: outputCount }, (_, k) => (outputCount === 1 ? nodeName : `${nodeName}:${k}`));
    this.nodes.push({ op, name: nodeName, inputs, outputs, attrs: Object.entries(attrs) });
    return outputs;
  }

  /** Single-output node shorthand. */
  op(op: string, inputs: string[], attrs: Record<string, Attr> = {}, name?: string): string {
    return this.node(op, inputs, attrs, 1, name)[0]!;
  }

  /** Renames the value a node produced so a graph output can carry a chosen name. */
  rename(from: string, to: string): void {
    for (const n of this.nodes) {
      n.outputs = n.outputs.map((o) => (o === from ? to : o));
      n.inputs = n.inputs.map((i) => (i === from ? to : i));
    }
  }

  meta(key: string, value: string): void {
    this.metadata.push([key, value]);
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  toBytes(producer = 'facerec-model-converter'): Uint8Array {
    const w = new ProtoWriter();
    w.int(1, IR_VERSION);
    w.string(2, producer);
    w.string(3, '1');
    w.message(7, (g) => this.writeGraph(g));
    w.message(8, (o) => o.string(1, '').int(2, OPSET));
    for (const [key, value] of this.metadata) w.message(14, (m) => m.string(1, key).string(2, value));
    return w.finish();
  }

  private writeGraph(g: ProtoWriter): void {
    for (const n of this.nodes) g.message(1, (m) => writeNode(m, n));
    g.string(2, this.name);
    for (const t of this.initializers) g.message(5, (m) => writeTensor(m, t.name, t));
    for (const v of this.inputs) g.message(11, (m) => writeValueInfo(m, v));
    for (const v of this.outputs) g.message(12, (m) => writeValueInfo(m, v));
  }
}

export function writeNode(m: ProtoWriter, n: Node): void {
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, n.name);
  m.string(4, n.op);
  for (const [name, a] of n.attrs) m.message(5, (am) => writeAttr(am, name, a));
}

// AttributeProto.AttributeType
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

function writeAttr(m: ProtoWriter, name: string, a: Attr): void {
  m.string(1, name);
  if ('i' in a) m.int(3, a.i).int(20, AttrType.INT);
  else if ('f' in a) m.float(2, a.f).int(20, AttrType.FLOAT);
  else if ('s' in a) m.string(4, a.s).int(20, AttrType.STRING);
  else if ('ints' in a) m.packedInts(8, a.ints).int(20, AttrType.INTS);
  else if ('floats' in a) m.packedFloats(7, a.floats).int(20, AttrType.FLOATS);
  else m.message(5, (t) => writeTensor(t, '', a.t)).int(20, AttrType.TENSOR);
}

export function writeTensor(m: ProtoWriter, name: string, t: ConstTensor): void {
  if (t.dims.length > 0) m.packedInts(1, t.dims);
  m.int(2, t.type);
  if (name) m.string(8, name);
  // raw_data is little-endian, which is what typed arrays hold on every platform Node runs on.
  m.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

export function writeValueInfo(m: ProtoWriter, v: ValueInfo): void {
  m.string(1, v.name);
  m.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.type);
      const dims = v.dims;
      if (dims)
        tensor.message(2, (shape) => {
          for (const d of dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        });
    }),
  );
}

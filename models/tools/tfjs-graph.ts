// Converts a TF.js graph model (model.json + weight shards) into ONNX, op by op.
//
// TF.js graphs are NHWC; ONNX convolutions are NCHW. Rather than wrapping every convolution in a
// pair of transposes, each value carries its layout: convolutions and pooling produce NCHW,
// element-wise ops keep whatever layout their activation input has (constants are permuted to
// broadcast the same way), and only layout-sensitive ops (Reshape, Concat, MatMul, outputs, …)
// see NHWC again. The result has one transpose at the input and one before each such op.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OnnxGraph, type Attr } from './onnx/graph.js';
import { loadWeights, type ManifestGroup, type Weight } from './tfjs-weights.js';

interface TfAttrValue {
  s?: string;
  i?: string;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: string[]; f?: number[] };
  shape?: unknown;
  tensor?: unknown;
}

interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
}

export interface TfjsModelJson {
  modelTopology: { node: TfNode[] };
  weightsManifest: ManifestGroup[];
}

export interface GraphConversionOptions {
  /** Name of the ONNX graph. */
  name: string;
  /** ONNX input name and its NHWC dims (strings are symbolic: dynamic batch or size). */
  input: { name: string; dims: (number | string)[] };
  /** Pixel normalisation baked into the graph (x * scale + offset), so every model takes RGB 0..255. */
  normalise?: { scale: number; offset: number };
  /** ONNX output name → TF.js node whose value it exposes (may be an inner node: the graph is pruned). */
  outputs: Record<string, { node: string; dims: (number | string)[] }>;
}

type Layout = 'nhwc' | 'nchw';

interface Value {
  name: string;
  layout: Layout;
  /** Known when the value is a constant. */
  constant?: Weight;
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

export function convertTfjsGraphFile(modelJsonPath: string, options: GraphConversionOptions): Uint8Array {
  const model = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as TfjsModelJson;
  const weights = loadWeights(model.weightsManifest, dirname(modelJsonPath));
  return convertTfjsGraph(model, weights, options);
}

export function convertTfjsGraph(model: TfjsModelJson, weights: Map<string, Weight>, options: GraphConversionOptions): Uint8Array {
  return new GraphConverter(model, weights, options).convert();
}

class GraphConverter {
  private readonly nodes = new Map<string, TfNode>();
  private readonly values = new Map<string, Value>();
  private readonly transposed = new Map<string, string>();
  private readonly g: OnnxGraph;

  constructor(
    model: TfjsModelJson,
    private readonly weights: Map<string, Weight>,
    private readonly options: GraphConversionOptions,
  ) {
    for (const n of model.modelTopology.node) this.nodes.set(n.name, n);
    this.g = new OnnxGraph(options.name);
  }

  convert(): Uint8Array {
    const order = this.requiredNodes();
    for (const node of order) this.values.set(node.name, this.convertNode(node));
    for (const [outName, spec] of Object.entries(this.options.outputs)) {
      const v = this.value(spec.node);
      const nhwc = this.asNhwc(v);
      this.g.op('Identity', [nhwc], {}, outName);
      this.g.output(outName, spec.dims);
    }
    return this.g.toBytes();
  }

  /** Nodes the requested outputs depend on, in dependency order. */
  private requiredNodes(): TfNode[] {
    const order: TfNode[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string): void => {
      const clean = inputName(name);
      if (state.get(clean) === 'done') return;
      if (state.get(clean) === 'visiting') throw new Error(`cycle at ${clean}`);
      const node = this.nodes.get(clean);
      if (!node) throw new Error(`unknown node ${clean}`);
      state.set(clean, 'visiting');
      for (const i of node.input ?? []) if (!i.startsWith('^')) visit(i);
      state.set(clean, 'done');
      order.push(node);
    };
    for (const spec of Object.values(this.options.outputs)) visit(spec.node);
    return order;
  }

  private value(name: string): Value {
    const v = this.values.get(inputName(name));
    if (!v) throw new Error(`value ${name} not converted yet`);
    return v;
  }

  private constantOf(name: string): Weight {
    const c = this.value(name).constant;
    if (!c) throw new Error(`${name} must be a constant`);
    return c;
  }

  private readonly materialised = new Set<string>();

  /** The value's name, adding a constant as an initializer the first time it is used unchanged. */
  private tensor(v: Value): string {
    if (v.constant && !this.materialised.has(v.name)) {
      this.g.initializer(v.name, v.constant.shape, v.constant.data);
      this.materialised.add(v.name);
    }
    return v.name;
  }

  private asNchw(v: Value): string {
    if (v.layout === 'nchw') return v.name;
    this.tensor(v);
    return this.cachedTranspose(v.name, NHWC_TO_NCHW);
  }

  private asNhwc(v: Value): string {
    if (v.layout === 'nhwc') return this.tensor(v);
    return this.cachedTranspose(v.name, NCHW_TO_NHWC);
  }

  private cachedTranspose(name: string, perm: number[]): string {
    const key = `${name}|${perm.join()}`;
    let out = this.transposed.get(key);
    if (!out) {
      out = this.g.op('Transpose', [name], { perm: { ints: perm } }, this.g.fresh(`${name}/transpose`));
      this.transposed.set(key, out);
    }
    return out;
  }

  private convertNode(node: TfNode): Value {
    const inputs = (node.input ?? []).filter((i) => !i.startsWith('^'));
    const name = node.name;
    switch (node.op) {
      case 'Placeholder': {
        let input = this.g.input(this.options.input.name, this.options.input.dims);
        const norm = this.options.normalise;
        if (norm) {
          input = this.g.op('Mul', [input, this.g.floats('normalise/scale', [], [norm.scale])], {}, 'normalise/mul');
          input = this.g.op('Add', [input, this.g.floats('normalise/offset', [], [norm.offset])], {}, 'normalise/add');
        }
        return { name: input, layout: 'nhwc' };
      }
      case 'Const': {
        const w = this.weights.get(name);
        if (!w) throw new Error(`no weights for constant ${name}`);
        // Most constants are re-laid into other initializers (filters, biases): add them as-is only when used so.
        return { name, layout: 'nhwc', constant: w };
      }
      case 'Identity':
        return this.value(inputs[0]!);
      case 'Conv2D':
      case 'DepthwiseConv2dNative':
      case '_FusedConv2D':
        return this.convolution(node, inputs);
      case 'MaxPool':
      case 'AvgPool':
        return this.pool(node, inputs);
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh':
      case 'Elu': {
        const x = this.value(inputs[0]!);
        const op = { Relu: 'Relu', Sigmoid: 'Sigmoid', Tanh: 'Tanh', Elu: 'Elu' }[node.op]!;
        return { name: this.g.op(op, [x.name], {}, name), layout: x.layout };
      }
      case 'Relu6': {
        const x = this.value(inputs[0]!);
        return { name: this.clip(x.name, 0, 6, name), layout: x.layout };
      }
      case 'Add':
      case 'AddV2':
      case 'BiasAdd':
      case 'Sub':
      case 'Mul':
      case 'RealDiv':
      case 'Maximum':
      case 'Minimum':
        return this.binary(node, inputs);
      case 'Prelu': {
        const x = this.value(inputs[0]!);
        const slope = this.broadcastConstant(this.constantOf(inputs[1]!), x.layout, `${name}/slope`);
        return { name: this.g.op('PRelu', [x.name, slope], {}, name), layout: x.layout };
      }
      case 'Pad':
      case 'PadV2':
        return this.pad(node, inputs);
      case 'Mean':
        return this.mean(node, inputs);
      case 'Reshape': {
        const x = this.asNhwc(this.value(inputs[0]!));
        const shape = this.g.int64s(`${name}/shape`, [...this.constantOf(inputs[1]!).data]);
        return { name: this.g.op('Reshape', [x, shape], {}, name), layout: 'nhwc' };
      }
      case 'MatMul':
      case '_FusedMatMul':
        return this.matmul(node, inputs);
      case 'Softmax': {
        const x = this.asNhwc(this.value(inputs[0]!));
        return { name: this.g.op('Softmax', [x], { axis: { i: -1 } }, name), layout: 'nhwc' };
      }
      case 'ConcatV2': {
        const axis = this.constantOf(inputs[inputs.length - 1]!).data[0]!;
        const parts = inputs.slice(0, -1).map((i) => this.asNhwc(this.value(i)));
        return { name: this.g.op('Concat', parts, { axis: { i: axis } }, name), layout: 'nhwc' };
      }
      default:
        throw new Error(`unsupported TF.js op ${node.op} (node ${name})`);
    }
  }

  private convolution(node: TfNode, inputs: string[]): Value {
    const attr = node.attr ?? {};
    if (str(attr.data_format) && str(attr.data_format) !== 'NHWC') throw new Error(`${node.name}: only NHWC is supported`);
    const x = this.asNchw(this.value(inputs[0]!));
    const filter = this.constantOf(inputs[1]!);
    const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
    const depthwise = node.op === 'DepthwiseConv2dNative' || str(attr.op_type ?? {}) === 'DepthwiseConv2dNative';
    // TF HWIO → ONNX OIHW; depthwise HW(C)(M) → (C*M)(1)HW with group = C.
    const outChannels = depthwise ? cin * cout : cout;
    const perOut = depthwise ? 1 : cin;
    const w = new Float32Array(outChannels * perOut * kh * kw);
    const src = filter.data;
    for (let y = 0; y < kh; y++)
      for (let xk = 0; xk < kw; xk++)
        for (let i = 0; i < cin; i++)
          for (let o = 0; o < cout; o++) {
            const v = src[((y * kw + xk) * cin + i) * cout + o]!;
            if (depthwise) w[((i * cout + o) * kh + y) * kw + xk] = v;
            else w[((o * cin + i) * kh + y) * kw + xk] = v;
          }
    const weight = this.g.initializer(`${node.name}/weight`, [outChannels, perOut, kh, kw], w);
    const strides = ints(attr.strides).slice(1, 3);
    const dilations = attr.dilations ? ints(attr.dilations).slice(1, 3) : [1, 1];
    const convInputs = [x, weight];
    const fused = (attr.fused_ops?.list?.s ?? []).map(b64);
    if (fused.length > 0 && fused[0] !== 'BiasAdd') throw new Error(`${node.name}: fused ops ${fused} not supported`);
    if (fused[0] === 'BiasAdd') convInputs.push(this.g.floats(`${node.name}/bias`, [outChannels], this.constantOf(inputs[2]!).data));
    const convAttrs: Record<string, Attr> = {
      kernel_shape: { ints: [kh, kw] },
      strides: { ints: strides },
      dilations: { ints: dilations },
      group: { i: depthwise ? cin : 1 },
      ...this.padding(node, [kh, kw]),
    };
    const activation = fused[1];
    let out = this.g.op('Conv', convInputs, convAttrs, activation ? `${node.name}/conv` : node.name);
    if (activation) out = this.activation(activation, out, node, inputs[3], 'nchw');
    return { name: out, layout: 'nchw' };
  }

  private activation(kind: string, x: string, node: TfNode, extraInput: string | undefined, layout: Layout): string {
    switch (kind) {
      case 'Relu':
        return this.g.op('Relu', [x], {}, node.name);
      case 'Relu6':
        return this.clip(x, 0, 6, node.name);
      case 'Sigmoid':
        return this.g.op('Sigmoid', [x], {}, node.name);
      case 'Prelu': {
        const slope = this.broadcastConstant(this.constantOf(extraInput!), layout, `${node.name}/slope`);
        return this.g.op('PRelu', [x, slope], {}, node.name);
      }
      case 'LeakyRelu':
        return this.g.op('LeakyRelu', [x], { alpha: { f: node.attr?.leakyrelu_alpha?.f ?? 0.2 } }, node.name);
      default:
        throw new Error(`${node.name}: fused activation ${kind} not supported`);
    }
  }

  private clip(x: string, lo: number, hi: number, name: string): string {
    return this.g.op('Clip', [x, this.g.floats(`${name}/min`, [], [lo]), this.g.floats(`${name}/max`, [], [hi])], {}, name);
  }

  /** TF 'SAME' pads the extra pixel at the end, which is ONNX SAME_UPPER, for any input size. */
  private padding(node: TfNode, kernel: number[]): Record<string, Attr> {
    const padding = str(node.attr?.padding);
    if (padding === 'SAME') return { auto_pad: { s: 'SAME_UPPER' } };
    if (padding === 'VALID') return { pads: { ints: [0, 0, 0, 0] } };
    if (padding === 'EXPLICIT') {
      const p = ints(node.attr?.explicit_paddings); // [n0,n1,h0,h1,w0,w1,c0,c1]
      return { pads: { ints: [p[2]!, p[4]!, p[3]!, p[5]!] } };
    }
    throw new Error(`${node.name}: padding ${padding} not supported (kernel ${kernel})`);
  }

  private pool(node: TfNode, inputs: string[]): Value {
    const attr = node.attr ?? {};
    const x = this.asNchw(this.value(inputs[0]!));
    const kernel = ints(attr.ksize).slice(1, 3);
    const poolAttrs: Record<string, Attr> = {
      kernel_shape: { ints: kernel },
      strides: { ints: ints(attr.strides).slice(1, 3) },
      ...this.padding(node, kernel),
    };
    // TF's average pool ignores padded cells, like ONNX's default count_include_pad = 0.
    const op = node.op === 'MaxPool' ? 'MaxPool' : 'AveragePool';
    return { name: this.g.op(op, [x], poolAttrs, node.name), layout: 'nchw' };
  }

  private binary(node: TfNode, inputs: string[]): Value {
    const [a, b] = [this.value(inputs[0]!), this.value(inputs[1]!)];
    const op = { Add: 'Add', AddV2: 'Add', BiasAdd: 'Add', Sub: 'Sub', Mul: 'Mul', RealDiv: 'Div', Maximum: 'Max', Minimum: 'Min' }[node.op]!;
    let layout: Layout = 'nhwc';
    let names: [string, string];
    if (a.constant && b.constant) throw new Error(`${node.name}: constant folding not supported`);
    if (a.constant || b.constant) {
      const act = a.constant ? b : a;
      const c = this.broadcastConstant((a.constant ?? b.constant)!, act.layout, `${node.name}/const`);
      layout = act.layout;
      names = a.constant ? [c, act.name] : [act.name, c];
    } else if (a.layout === b.layout) {
      layout = a.layout;
      names = [this.tensor(a), this.tensor(b)];
    } else {
      // Mixed layouts: bring both to NCHW (both are 4-D activations here).
      layout = 'nchw';
      names = [this.asNchw(a), this.asNchw(b)];
    }
    return { name: this.g.op(op, names, {}, node.name), layout };
  }

  /** A constant that broadcasts against an NHWC tensor, re-laid to broadcast the same against NCHW. */
  private broadcastConstant(c: Weight, layout: Layout, name: string): string {
    if (layout === 'nhwc' || c.data.length === 1) {
      const dims = c.data.length === 1 ? [] : c.shape;
      return this.g.initializer(this.g.fresh(name), dims, c.data instanceof Float32Array ? c.data : Float32Array.from(c.data));
    }
    const shape = [...Array(4 - c.shape.length).fill(1), ...c.shape] as [number, number, number, number];
    const [n, h, w, ch] = shape;
    const out = new Float32Array(c.data.length);
    for (let i = 0; i < n; i++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let k = 0; k < ch; k++) out[((i * ch + k) * h + y) * w + x] = c.data[((i * h + y) * w + x) * ch + k]!;
    return this.g.initializer(this.g.fresh(name), [n, ch, h, w], out);
  }

  private pad(node: TfNode, inputs: string[]): Value {
    const x = this.value(inputs[0]!);
    const p = [...this.constantOf(inputs[1]!).data]; // [[b0,e0],[b1,e1],...] in NHWC
    const rank = p.length / 2;
    const order = x.layout === 'nchw' ? NHWC_TO_NCHW : [...Array(rank).keys()];
    const begins = order.map((axis) => p[axis * 2]!);
    const ends = order.map((axis) => p[axis * 2 + 1]!);
    const padInputs = [x.name, this.g.int64s(`${node.name}/pads`, [...begins, ...ends])];
    if (node.op === 'PadV2') padInputs.push(this.g.floats(`${node.name}/value`, [], this.constantOf(inputs[2]!).data));
    return { name: this.g.op('Pad', padInputs, { mode: { s: 'constant' } }, node.name), layout: x.layout };
  }

  private mean(node: TfNode, inputs: string[]): Value {
    let x = this.value(inputs[0]!);
    const axes = [...this.constantOf(inputs[1]!).data].map((a) => (a < 0 ? a + 4 : a));
    const keep = node.attr?.keep_dims?.b ?? false;
    // Dropping only the spatial axes leaves [N, C] in either layout; other reductions go through NHWC.
    const spatialOnly = axes.every((a) => a === 1 || a === 2);
    if (x.layout === 'nchw' && !keep && !spatialOnly) x = { name: this.asNhwc(x), layout: 'nhwc' };
    const mapped = x.layout === 'nchw' ? axes.map((a) => NHWC_TO_NCHW.indexOf(a)) : axes;
    const out = this.g.op('ReduceMean', [x.name], { axes: { ints: mapped }, keepdims: { i: keep ? 1 : 0 } }, node.name);
    return { name: out, layout: keep ? x.layout : 'nhwc' };
  }

  private matmul(node: TfNode, inputs: string[]): Value {
    const attr = node.attr ?? {};
    let a = this.asNhwc(this.value(inputs[0]!));
    let b = this.asNhwc(this.value(inputs[1]!));
    if (attr.transpose_a?.b) a = this.g.op('Transpose', [a], { perm: { ints: [1, 0] } });
    if (attr.transpose_b?.b) b = this.g.op('Transpose', [b], { perm: { ints: [1, 0] } });
    const fused = (attr.fused_ops?.list?.s ?? []).map(b64);
    let out = this.g.op('MatMul', [a, b], {}, fused.length ? `${node.name}/matmul` : node.name);
    if (fused[0] === 'BiasAdd') {
      const bias = this.constantOf(inputs[2]!);
      out = this.g.op('Add', [out, this.g.floats(`${node.name}/bias`, [bias.data.length], bias.data)], {}, fused[1] ? `${node.name}/bias_add` : node.name);
    } else if (fused.length) throw new Error(`${node.name}: fused ops ${fused} not supported`);
    if (fused[1]) out = this.activation(fused[1], out, node, inputs[3], 'nhwc');
    return { name: out, layout: 'nhwc' };
  }
}

function inputName(name: string): string {
  return name.replace(/:\d+$/, '');
}

function b64(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}

function str(v: TfAttrValue | undefined): string {
  return v?.s ? b64(v.s) : '';
}

function ints(v: TfAttrValue | undefined): number[] {
  return (v?.list?.i ?? []).map(Number);
}

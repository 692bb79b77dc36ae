// Rebuilds face-api's face recognition network (a dlib-style ResNet-29 variant, 150x150 input,
// 128-d descriptor) from its TF.js weights manifest as an ONNX model.
//
// Mirrors node_modules/@vladmandic/face-api/src/faceRecognitionNet/ op by op:
//   x = (rgb - [122.782, 117.001, 104.298]) / 255                      (normalize(...).div(255))
//   conv32_down: conv 7x7 /2 'valid' + bias, scale (mul+add), relu      150 -> 72
//   maxPool 3x3 /2 'valid'                                              72 -> 35
//   residual  (conv3x3 'same' +bias, scale, relu; conv3x3 'same' +bias, scale; + x; relu)
//   residualDown: conv1 is 3x3 /2 'valid' (NOT 'same'), the shortcut is avgPool 2x2 /2 'valid'
//     zero-padded along channels (concat with zeros); where the two branches disagree in size
//     (conv256_down: conv 3x3 vs pool 4x4, conv256_down_out: 1x1 vs 2x2) face-api appends ONE
//     row of zeros at the bottom and ONE column at the right of the conv branch (after its
//     scale layer, so the padded cells are exact zeros, not bias values).
//   35x35x32 -> 17x17x64 -> 8x8x128 -> 4x4x256 -> 2x2x256
//   mean over H,W (2x2), then matMul with fc [256,128]: the raw (un-normalised) descriptor.
//
// Contract: input `input` float32 [N,150,150,3] NHWC RGB 0..255, output `descriptor` float32 [N,128].
// The scale layers are emitted as Mul/Add on per-channel [C,1,1] constants (exactly face-api's
// arithmetic order); onnxruntime's ConvMulFusion/ConvAddFusion fold them into the conv at load
// time. Pass `{ foldScale: true }` to fold them into the weights here instead (mathematically
// identical, float32 rounding differs at the ulp level).
import { loadWeightsFile, type Weight } from './tfjs-weights.js';
import { OnnxGraph } from './onnx/graph.js';

export const FACE_RECOGNITION_INPUT_SIZE = 150;
export const FACE_RECOGNITION_MEAN_RGB = [122.782, 117.001, 104.298] as const;
export const FACE_RECOGNITION_DESCRIPTOR_SIZE = 128;

export interface FaceRecognitionOnnxOptions {
  /** Fold each scale layer (mul+add) into its conv's weights/bias instead of emitting Mul/Add nodes. */
  foldScale?: boolean;
}

interface Tensor {
  name: string;
  channels: number;
  size: number; // spatial height == width
}

export function buildFaceRecognitionOnnx(manifestPath: string, options: FaceRecognitionOnnxOptions = {}): Uint8Array {
  const weights = loadWeightsFile(manifestPath);
  const used = new Set<string>();
  const get = (name: string, rank: number): Weight => {
    const w = weights.get(name);
    if (!w) throw new Error(`${manifestPath}: missing weight ${name}`);
    if (w.shape.length !== rank || w.dtype !== 'float32') throw new Error(`${name}: expected float32 rank ${rank}, got ${w.dtype} [${w.shape}]`);
    used.add(name);
    return w;
  };

  const g = new OnnxGraph('faceapi_face_recognition');
  const S = FACE_RECOGNITION_INPUT_SIZE;
  const input = g.input('input', ['N', S, S, 3]);

  // normalize(): x - mean (per RGB channel), then .div(255) — same ops, same order, in NHWC.
  const mean = g.floats('mean_rgb', [3], FACE_RECOGNITION_MEAN_RGB);
  const centred = g.op('Sub', [input, mean]);
  const scaled = g.op('Div', [centred, g.floats('scale_255', [], [255])]);
  let x: Tensor = { name: g.op('Transpose', [scaled], { perm: { ints: [0, 3, 1, 2] } }, 'to_nchw'), channels: 3, size: S };

  /** face-api convLayer: conv2d + bias, scale (x*w + b), optional relu. */
  const convLayer = (t: Tensor, prefix: string, stride: 1 | 2, relu: boolean, padding: 'same' | 'valid'): Tensor => {
    const filters = get(`${prefix}/conv/filters`, 4);
    const [kh, kw, cin, cout] = filters.shape as [number, number, number, number];
    if (kh !== kw || cin !== t.channels) throw new Error(`${prefix}: filter [${filters.shape}] does not fit ${t.channels} input channels`);
    const bias = get(`${prefix}/conv/bias`, 1).data as Float32Array;
    const sw = get(`${prefix}/scale/weights`, 1).data as Float32Array;
    const sb = get(`${prefix}/scale/biases`, 1).data as Float32Array;
    if (bias.length !== cout || sw.length !== cout || sb.length !== cout) throw new Error(`${prefix}: per-channel sizes differ from ${cout}`);

    // TF.js 'same' with stride 1 and an odd kernel pads (k-1)/2 on every side; 'valid' pads nothing.
    if (padding === 'same' && stride !== 1) throw new Error(`${prefix}: 'same' with stride ${stride} is not used by this net`);
    const pad = padding === 'same' ? (kh - 1) / 2 : 0;
    const size = padding === 'same' ? t.size : Math.floor((t.size - kh) / stride) + 1;

    const oihw = hwioToOihw(filters.data as Float32Array, kh, kw, cin, cout);
    let outBias = bias;
    if (options.foldScale) {
      // (conv(x, W) + b) * s + t == conv(x, W * s) + (b * s + t)
      const per = cin * kh * kw;
      for (let o = 0; o < cout; o++) for (let k = 0; k < per; k++) oihw[o * per + k] = Math.fround(oihw[o * per + k]! * sw[o]!);
      outBias = Float32Array.from(bias, (b, o) => b * sw[o]! + sb[o]!);
    }
    const w = g.initializer(`${prefix}/conv/filters`, [cout, cin, kh, kw], oihw);
    const b = g.initializer(`${prefix}/conv/bias`, [cout], Float32Array.from(outBias));
    let out = g.op('Conv', [t.name, w, b], {
      kernel_shape: { ints: [kh, kw] },
      strides: { ints: [stride, stride] },
      pads: { ints: [pad, pad, pad, pad] },
      dilations: { ints: [1, 1] },
      group: { i: 1 },
    }, `${prefix}/conv`);
    if (!options.foldScale) {
      out = g.op('Mul', [out, g.initializer(`${prefix}/scale/weights`, [cout, 1, 1], Float32Array.from(sw))], {}, `${prefix}/scale/mul`);
      out = g.op('Add', [out, g.initializer(`${prefix}/scale/biases`, [cout, 1, 1], Float32Array.from(sb))], {}, `${prefix}/scale/add`);
    }
    if (relu) out = g.op('Relu', [out], {}, `${prefix}/relu`);
    return { name: out, channels: cout, size };
  };

  const residual = (t: Tensor, prefix: string): Tensor => {
    let out = convLayer(t, `${prefix}/conv1`, 1, true, 'same');
    out = convLayer(out, `${prefix}/conv2`, 1, false, 'same');
    if (out.channels !== t.channels || out.size !== t.size) throw new Error(`${prefix}: residual shape mismatch`);
    const sum = g.op('Add', [out.name, t.name], {}, `${prefix}/add`);
    return { name: g.op('Relu', [sum], {}, `${prefix}/relu`), channels: t.channels, size: t.size };
  };

  const residualDown = (t: Tensor, prefix: string): Tensor => {
    let out = convLayer(t, `${prefix}/conv1`, 2, true, 'valid');
    out = convLayer(out, `${prefix}/conv2`, 1, false, 'same');

    let pooled: Tensor = {
      name: g.op('AveragePool', [t.name], { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } }, `${prefix}/avgpool`),
      channels: t.channels,
      size: Math.floor((t.size - 2) / 2) + 1,
    };
    if (pooled.size !== out.size) {
      // face-api concatenates one zero row (bottom) and one zero column (right) to the conv branch.
      if (pooled.size !== out.size + 1) throw new Error(`${prefix}: cannot reconcile ${out.size} with pooled ${pooled.size}`);
      const pads = g.initializer(`${prefix}/pads_hw`, [8], BigInt64Array.from([0n, 0n, 0n, 0n, 0n, 0n, 1n, 1n]));
      out = { name: g.op('Pad', [out.name, pads], { mode: { s: 'constant' } }, `${prefix}/pad_hw`), channels: out.channels, size: pooled.size };
    }
    if (pooled.channels !== out.channels) {
      // face-api: concat([pooled, zeros(pooled.shape)], channels) — only doubling is possible.
      if (out.channels !== 2 * pooled.channels) throw new Error(`${prefix}: cannot pad ${pooled.channels} channels to ${out.channels}`);
      const pads = g.initializer(`${prefix}/pads_c`, [8], BigInt64Array.from([0n, 0n, 0n, 0n, 0n, BigInt(pooled.channels), 0n, 0n]));
      pooled = { name: g.op('Pad', [pooled.name, pads], { mode: { s: 'constant' } }, `${prefix}/pad_c`), channels: out.channels, size: pooled.size };
    }
    const sum = g.op('Add', [pooled.name, out.name], {}, `${prefix}/add`);
    return { name: g.op('Relu', [sum], {}, `${prefix}/relu`), channels: out.channels, size: out.size };
  };

  x = convLayer(x, 'conv32_down', 2, true, 'valid');
  x = {
    name: g.op('MaxPool', [x.name], { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] } }, 'maxpool'),
    channels: x.channels,
    size: Math.floor((x.size - 3) / 2) + 1,
  };
  for (const p of ['conv32_1', 'conv32_2', 'conv32_3']) x = residual(x, p);
  x = residualDown(x, 'conv64_down');
  for (const p of ['conv64_1', 'conv64_2', 'conv64_3']) x = residual(x, p);
  x = residualDown(x, 'conv128_down');
  for (const p of ['conv128_1', 'conv128_2']) x = residual(x, p);
  x = residualDown(x, 'conv256_down');
  for (const p of ['conv256_1', 'conv256_2']) x = residual(x, p);
  x = residualDown(x, 'conv256_down_out');

  // out.mean([1, 2]) in NHWC == mean over H, W in NCHW.
  const avg = g.op('ReduceMean', [x.name], { axes: { ints: [2, 3] }, keepdims: { i: 0 } }, 'global_avg');
  const fc = get('fc', 2);
  if (fc.shape[0] !== x.channels || fc.shape[1] !== FACE_RECOGNITION_DESCRIPTOR_SIZE) throw new Error(`fc: unexpected shape [${fc.shape}]`);
  g.op('MatMul', [avg, g.initializer('fc', fc.shape, Float32Array.from(fc.data))], {}, 'descriptor');
  g.output('descriptor', ['N', FACE_RECOGNITION_DESCRIPTOR_SIZE]);

  const unused = [...weights.keys()].filter((k) => !used.has(k));
  if (unused.length > 0) throw new Error(`${manifestPath}: unused weights ${unused.join(', ')}`);

  g.meta('source', '@vladmandic/face-api face_recognition_model');
  g.meta('input', 'input: float32 [N,150,150,3] NHWC RGB 0..255 (aligned face chip)');
  g.meta('output', 'descriptor: float32 [N,128] raw (not L2-normalised) face-api descriptor');
  g.meta('mean_rgb', FACE_RECOGNITION_MEAN_RGB.join(','));
  g.meta('scale_layers', options.foldScale ? 'folded' : 'mul_add');
  return g.toBytes();
}

/** TF.js conv filters [kh, kw, in, out] -> ONNX [out, in, kh, kw]. */
function hwioToOihw(src: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) dst[((o * cin + i) * kh + y) * kw + x] = src[((y * kw + x) * cin + i) * cout + o]!;
  return dst;
}

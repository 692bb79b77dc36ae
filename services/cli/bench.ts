// `facerec bench`: how fast the engine's ONNX networks run on this CPU — the default pipeline
// (YuNet + faceplugin-fr512), the previous one (BlazeFace + FaceMesh + dlib ResNet) and the TF.js
// originals the previous one was converted from (Human's blazeface/facemesh, face-api's dlib
// ResNet, TF.js WASM backend, single thread) — in one run. Prints markdown tables, then a
// one-line JSON summary.
//
//   facerec bench [--rounds N] [--threads N]
//
// Every path is warmed up first; figures are the median of --rounds rounds (a path whose rounds
// are slow stops after MAX_SECONDS once it has MIN_ROUNDS; the tables say how many rounds ran).
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import sharp, { type Sharp } from 'sharp';
import { onnxPath } from '../../models/catalog.js';
import { DEFAULT_ANALYSE, FaceEngine, MeshLocator } from '../../libs/engine/engine.js';
import { pyramidLevels, type DetectedFace } from '../../libs/engine/detector.js';
import { detectionLevels } from '../../libs/engine/yunet.js';
import { createSession, type SessionConfig } from '../../libs/engine/session.js';
import type { Box } from '../../libs/geometry/box.js';
import type { RgbImage } from '../../libs/image/image.js';
import type { Tensor4D } from '@tensorflow/tfjs';
import type { OriginalGraphModel, Tf } from '../../libs/bench/tfjs-originals.js';
import { parseIntOption, UsageError } from './args.js';
import { ROOT } from '../checkout.js';

const DETECTION_SCALES = [300, 600, 1200] as const;
const FRAME_SIZES = [
  [960, 540],
  [1920, 1080],
] as const;
const EMBED_BATCHES = [1, 8, 32] as const;
const MESH_SIZE = 192;
/** face-api's descriptor input (the TF.js original's crop). */
const CHIP_SIZE = 150;
/** The crop the product (and MediaPipe) gives FaceMesh: 1.5x the detector box. */
const MESH_CROP_ENLARGE = 1.5;
/** Photos for the 2x2 pipeline mosaic, each letterboxed into a 480x270 tile: one face each. */
const MOSAIC_PHOTOS = ['obama1.jpg', 'alex_lacamoire1.jpg', 'johnsnow_test1.jpg', 'obama_small.jpg'];
const DETECTION_PHOTO = 'obama_and_biden.jpg';
const MIN_ROUNDS = 3;
const MAX_SECONDS = 20;

interface Timing {
  median: number;
  rounds: number;
}

/** Warm-up, then the median wall time (ms) of up to `rounds` calls. */
async function time(rounds: number, fn: () => Promise<unknown>, warmup = 2): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < rounds) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
    if (samples.length >= MIN_ROUNDS && performance.now() - started > MAX_SECONDS * 1000) break;
  }
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  const median = samples.length % 2 ? samples[mid]! : (samples[mid - 1]! + samples[mid]!) / 2;
  return { median, rounds: samples.length };
}

function fmt(ms: number | undefined, digits = 1): string {
  return ms === undefined ? '—' : ms.toFixed(digits);
}

function roundsNote(t: Timing | undefined, rounds: number): string {
  return t && t.rounds < rounds ? ` (${t.rounds} rounds)` : '';
}

function ratio(slow: number | undefined, fast: number | undefined): string {
  return slow === undefined || fast === undefined ? '—' : `${(slow / fast).toFixed(1)}x`;
}

function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

async function toRgb(s: Sharp): Promise<RgbImage> {
  const { data, info } = await s.flatten({ background: '#808080' }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected RGB, got ${info.channels} channels`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** A deterministic textured image (no faces) for when the data set is absent. */
function syntheticImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = (x * 255) / width;
      data[o + 1] = (y * 255) / height;
      data[o + 2] = ((x ^ y) * 37) & 255;
    }
  return { width, height, data };
}

async function detectionFrame(dataDir: string, width: number, height: number): Promise<{ img: RgbImage; source: string }> {
  const path = join(dataDir, 'faces/people/probes', DETECTION_PHOTO);
  if (!existsSync(path)) return { img: syntheticImage(width, height), source: 'synthetic (no faces)' };
  return { img: await toRgb(sharp(path).rotate().resize(width, height, { fit: 'cover', position: 'attention' })), source: DETECTION_PHOTO };
}

async function mosaicFrame(dataDir: string): Promise<{ img: RgbImage; source: string }> {
  const paths = MOSAIC_PHOTOS.map((f) => join(dataDir, 'faces/people/probes', f));
  if (!paths.every((p) => existsSync(p))) return { img: syntheticImage(960, 540), source: 'synthetic (no faces)' };
  const tiles = await Promise.all(
    paths.map(async (p) => (await sharp(p).rotate().resize(480, 270, { fit: 'contain', background: '#808080' }).flatten({ background: '#808080' }).toColourspace('srgb').removeAlpha().png().toBuffer())),
  );
  const img = await toRgb(
    sharp({ create: { width: 960, height: 540, channels: 3, background: '#808080' } }).composite(
      tiles.map((input, i) => ({ input, left: (i % 2) * 480, top: Math.floor(i / 2) * 270 })),
    ),
  );
  return { img, source: `2x2 mosaic of ${MOSAIC_PHOTOS.join(', ')}` };
}

/** TF.js originals: the three Human graph models and face-api's recognition net, all on WASM. */
interface Originals {
  tf: Tf;
  blazeface: OriginalGraphModel;
  facemesh: OriginalGraphModel;
  recognise: (batch: Float32Array, n: number) => Promise<Float32Array>;
}

async function loadOriginals(): Promise<Originals> {
  const { loadOriginalGraphModel } = await import('../../libs/bench/tfjs-originals.js');
  const blazeface = await loadOriginalGraphModel('blazeface', 'wasm');
  const facemesh = await loadOriginalGraphModel('facemesh', 'wasm');
  // face-api's bundle requires the same @tensorflow/tfjs module instance, so both share one engine.
  const { loadOriginalFaceRecognitionNet } = await import('../../libs/bench/faceapi-original.js');
  const recognise = await loadOriginalFaceRecognitionNet({ backend: 'wasm' });
  if (recognise.backend !== 'wasm') throw new Error(`face-api recognition net fell back to TF.js '${recognise.backend}'`);
  return { tf: blazeface.tf, blazeface, facemesh, recognise };
}

/** The frame as a [1,H,W,3] float tensor, as an original pipeline starts (tf.browser.fromPixels + cast). */
function frameTensor(tf: Tf, img: RgbImage): Tensor4D {
  return tf.tidy(() => tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32').toFloat());
}

/** What the original BlazeFace does with any frame: resize to 256x256, normalise, one pass, read the heads. */
async function originalDetect(o: Originals, frame: Tensor4D): Promise<void> {
  const { tf, blazeface } = o;
  const x = tf.tidy(() => tf.image.resizeBilinear(frame, [256, 256]).mul(blazeface.normalise.scale).add(blazeface.normalise.offset));
  try {
    await blazeface.runTensor(x);
  } finally {
    x.dispose();
  }
}

/** Normalised [y1, x1, y2, x2] of a square crop `enlarge` x the box, centred on it. */
function cropBox(face: { box: Box }, enlarge: number, img: RgbImage): [number, number, number, number] {
  const side = Math.max(face.box.w, face.box.h) * enlarge;
  const cx = face.box.x + face.box.w / 2;
  const cy = face.box.y + face.box.h / 2;
  return [(cy - side / 2) / img.height, (cx - side / 2) / img.width, (cy + side / 2) / img.height, (cx + side / 2) / img.width];
}

/** Original FaceMesh on one face of the frame: crop-and-resize to 192, /255, one pass. */
async function originalMesh(o: Originals, frame: Tensor4D, img: RgbImage, face: DetectedFace): Promise<void> {
  const { tf, facemesh } = o;
  const x = tf.tidy(() =>
    tf.image
      .cropAndResize(frame, [cropBox(face, MESH_CROP_ENLARGE, img)], [0], [MESH_SIZE, MESH_SIZE])
      .mul(facemesh.normalise.scale)
      .add(facemesh.normalise.offset),
  );
  try {
    await facemesh.runTensor(x);
  } finally {
    x.dispose();
  }
}

/** Original face-api descriptor of one face: its box cropped and resized to 150, one pass. */
async function originalDescriptor(o: Originals, frame: Tensor4D, img: RgbImage, face: { box: Box }): Promise<void> {
  const { tf } = o;
  const chip = tf.image.cropAndResize(frame, [cropBox(face, 1, img)], [0], [CHIP_SIZE, CHIP_SIZE]);
  try {
    await o.recognise(Float32Array.from(await chip.data()), 1);
  } finally {
    chip.dispose();
  }
}

export async function benchCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { rounds: { type: 'string', default: '10' }, threads: { type: 'string', default: '2' } },
  });
  const rounds = parseIntOption('rounds', values.rounds);
  const threads = parseIntOption('threads', values.threads);
  if (rounds < 1) throw new UsageError('--rounds must be at least 1');
  if (threads < 1) throw new UsageError('--threads must be at least 1');
  const dataDir = resolve(ROOT, process.env.FACEREC_TEST_DATA ?? '../shared/data');
  const config: SessionConfig = { providers: ['cpu'], intraOpThreads: threads, cudaDeviceId: 0 };

  const cpu = cpus();
  const cpuName = cpu[0]?.model.trim() ?? 'unknown CPU';
  console.log(`# facerec bench\n`);
  console.log(`CPU: ${cpuName}, ${cpu.length} cores. ONNX Runtime ${ort.env.versions.common} (CPU, ${threads} intra-op threads); ` +
    `TF.js originals on the WASM backend (single thread). Median of ${rounds} rounds after warm-up; ms. ` +
    `Load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews every figure).\n`);

  const engine = await FaceEngine.load(config);
  const previous = await FaceEngine.load(config, { detector: 'blazeface', embedder: 'dlib-resnet' });
  const mesh = previous.locator as MeshLocator;
  const meshSession = (await createSession(onnxPath('facemesh'), config)).session;

  let originals: Originals | undefined;
  let missing = '';
  try {
    originals = await loadOriginals();
  } catch (err) {
    missing = `TF.js originals unavailable (${(err as Error).message.split('\n')[0]}): ONNX figures only, no ratios`;
    console.log(`> ${missing}\n`);
  }

  // --- Detection ---
  const detRows: string[][] = [];
  const origDetRows: string[][] = [];
  const detection: Record<string, unknown>[] = [];
  let detSource = '';
  for (const [w, h] of FRAME_SIZES) {
    const { img, source } = await detectionFrame(dataDir, w, h);
    detSource = source;
    for (const scale of DETECTION_SCALES) {
      let faces = 0;
      let blazeFaces = 0;
      const t = await time(rounds, async () => {
        faces = (await engine.locate(img, { scale })).length;
      });
      const blaze = await time(rounds, async () => {
        blazeFaces = (await mesh.detector.detect(img, { scale })).length;
      });
      const levels = detectionLevels(scale).map((l) => (l.canvas ? `${l.longSide} in ${l.canvas}` : String(l.longSide))).join(' / ');
      const blazeLevels = pyramidLevels(scale).map((s) => Math.round(s)).join('/');
      detRows.push([`${w}x${h}`, String(scale), `${levels}`, String(faces), fmt(t.median) + roundsNote(t, rounds), `${blazeLevels} + 160 in 256`, String(blazeFaces), fmt(blaze.median), ratio(blaze.median, t.median)]);
      detection.push({ frame: `${w}x${h}`, scale, onnx_ms: +t.median.toFixed(2), faces, blazeface_ms: +blaze.median.toFixed(2), blazeface_faces: blazeFaces });
    }
    let orig: Timing | undefined;
    if (originals) {
      const o = originals;
      orig = await time(rounds, async () => {
        const frame = frameTensor(o.tf, img);
        try {
          await originalDetect(o, frame);
        } finally {
          frame.dispose();
        }
      });
    }
    const onnx600 = detection.find((d) => d.frame === `${w}x${h}` && d.scale === 600)!.blazeface_ms as number;
    origDetRows.push([`${w}x${h}`, fmt(orig?.median) + roundsNote(orig, rounds), fmt(onnx600), ratio(onnx600, orig?.median)]);
    detection.push({ frame: `${w}x${h}`, tfjs_blazeface256_ms: orig ? +orig.median.toFixed(2) : null });
  }
  console.log(`## Detection, ms per frame (${detSource})\n`);
  console.log(table(['frame', 'scale', 'YuNet levels (long side)', 'faces', 'YuNet (default)', 'BlazeFace levels', 'faces', 'BlazeFace (previous)', 'BlazeFace / YuNet'], detRows));
  console.log(
    '\nThe original BlazeFace only runs at 256x256: for any frame and any scale it does one resize to 256x256 + one pass, ' +
      'so it is reported once per frame size (and, its smallest face being ~20 px at 256, it misses faces under ~75 px ' +
      'on a 960-wide frame, ~150 px on a 1920-wide one).\n',
  );
  console.log(table(['frame', 'TF.js blazeface 256 (wasm)', 'ONNX BlazeFace at scale 600 (3 levels)', 'ONNX 600 / TF.js'], origDetRows));

  // --- Pipeline frame (also gives real faces for the per-face benches) ---
  const mosaic = await mosaicFrame(dataDir);
  const detected = await mesh.detector.detect(mosaic.img, { scale: DEFAULT_ANALYSE.scale });
  const analysed = await engine.analyse(mosaic.img);
  const analysedPrevious = await previous.analyse(mosaic.img);
  const sampleFace: DetectedFace = detected[0] ?? {
    box: { x: 400, y: 190, w: 160, h: 160 },
    score: 1,
    keypoints: [[450, 240], [510, 240], [480, 270], [480, 300], [410, 250], [550, 250]],
  };

  // --- Landmarks ---
  const meshInput = new Float32Array(MESH_SIZE * MESH_SIZE * 3);
  for (let i = 0; i < meshInput.length; i++) meshInput[i] = (i * 37) % 256;
  const meshNet = await time(rounds, () => meshSession.run({ input: new ort.Tensor('float32', meshInput, [1, MESH_SIZE, MESH_SIZE, 3]) }));
  const meshOne = await time(rounds, () => mesh.landmarkModel.landmarks(mosaic.img, [sampleFace], { passes: 1 }));
  const meshRefined = await time(rounds, () => mesh.landmarkModel.landmarks(mosaic.img, [sampleFace], { passes: 3 }));
  let meshOrig: Timing | undefined;
  let meshOrigCrop: Timing | undefined;
  if (originals) {
    const o = originals;
    const x = o.facemesh.normaliseInput(meshInput);
    meshOrig = await time(rounds, () => o.facemesh.run(x, [1, MESH_SIZE, MESH_SIZE, 3]));
    const frame = frameTensor(o.tf, mosaic.img);
    try {
      meshOrigCrop = await time(rounds, () => originalMesh(o, frame, mosaic.img, sampleFace));
    } finally {
      frame.dispose();
    }
  }
  console.log(`\n## Landmarks (FaceMesh 192, previous pipeline only: YuNet gives its own five points), ms per face, batch 1\n`);
  console.log(
    table(
      ['path', 'ONNX', 'TF.js original (wasm)', 'TF.js / ONNX'],
      [
        ['network only', fmt(meshNet.median), fmt(meshOrig?.median) + roundsNote(meshOrig, rounds), ratio(meshOrig?.median, meshNet.median)],
        ['crop from the frame + network (LandmarkModel.landmarks, 1 pass / tf cropAndResize)', fmt(meshOne.median), fmt(meshOrigCrop?.median), ratio(meshOrigCrop?.median, meshOne.median)],
        ['LandmarkModel.landmarks, 3 passes (the previous pipeline)', fmt(meshRefined.median), '—', '—'],
      ],
    ),
  );

  // --- Embedding ---
  const maxBatch = Math.max(...EMBED_BATCHES);
  const embRows: string[][] = [];
  const embedding: Record<string, unknown>[] = [];
  for (const [label, eng, faces, withOriginal] of [
    [`${engine.embedder.model} (FACEREC_EMBEDDER), 112 px`, engine, analysed, false],
    ['dlib ResNet (previous), 150 px', previous, analysedPrevious, true],
  ] as const) {
    const size = eng.embedder.chipSize;
    const chipFloats = size * size * 3;
    const realChips = faces.length > 0 ? eng.embedder.alignChips(mosaic.img, faces) : undefined;
    const chips = new Float32Array(maxBatch * chipFloats);
    for (let i = 0; i < maxBatch; i++) {
      if (realChips) chips.set(realChips.subarray((i % faces.length) * chipFloats, ((i % faces.length) + 1) * chipFloats), i * chipFloats);
      else for (let k = 0; k < chipFloats; k++) chips[i * chipFloats + k] = ((i + 1) * k * 13) % 256;
    }
    for (const n of EMBED_BATCHES) {
      const batch = chips.subarray(0, n * chipFloats);
      const plain = await time(rounds, () => eng.embedder.embedChips(batch, n, { flip: false }));
      const flipped = await time(rounds, () => eng.embedder.embedChips(batch, n, { flip: true }));
      let orig: Timing | undefined;
      if (originals && withOriginal) {
        const o = originals;
        orig = await time(rounds, () => o.recognise(batch, n), 1);
      }
      const per = (t: Timing | undefined) => (t ? t.median / n : undefined);
      embRows.push([label, String(n), fmt(per(plain)), fmt(per(flipped)), withOriginal ? fmt(per(orig)) + roundsNote(orig, rounds) : '—', withOriginal ? ratio(per(orig), per(plain)) : '—']);
      embedding.push({ embedder: eng.embedder.model, batch: n, onnx_ms_per_face: +per(plain)!.toFixed(2), onnx_flip_ms_per_face: +per(flipped)!.toFixed(2), tfjs_ms_per_face: orig ? +per(orig)!.toFixed(2) : null });
    }
  }
  console.log(`\n## Embedding, ms per face (a batch of n chips in one inference; faceplugin-fr512 as rewritten with a batch dimension)\n`);
  console.log(table(['embedder', 'batch', 'ONNX embedChips, flip off', 'ONNX, flip on (2 passes)', 'TF.js face-api original (wasm)', 'TF.js / ONNX (flip off)'], embRows));

  // --- Default pipeline ---
  const pipe = await time(rounds, () => engine.analyse(mosaic.img));
  const pipePrevious = await time(rounds, () => previous.analyse(mosaic.img));
  let origPipe: Timing | undefined;
  let origMatched: Timing | undefined;
  if (originals && detected.length > 0) {
    const o = originals;
    const run = async (passes: number) => {
      const frame = frameTensor(o.tf, mosaic.img);
      try {
        await originalDetect(o, frame);
        for (const face of detected) for (let p = 0; p < passes; p++) await originalMesh(o, frame, mosaic.img, face);
        // Like the engine: a mesh for every detection, a descriptor for those FaceMesh keeps.
        for (const face of analysedPrevious) for (let p = 0; p < passes; p++) await originalDescriptor(o, frame, mosaic.img, face);
      } finally {
        frame.dispose();
      }
    };
    origPipe = await time(rounds, () => run(1), 1);
    origMatched = await time(rounds, () => run(2), 1);
  }
  let faceApiPipe: Timing | undefined;
  let faceApiFaces = 0;
  if (originals) {
    const { loadOriginalFaceApiPipeline } = await import('../../libs/bench/faceapi-original.js');
    const faceApi = await loadOriginalFaceApiPipeline();
    faceApiFaces = await faceApi(mosaic.img);
    faceApiPipe = await time(rounds, () => faceApi(mosaic.img), 1);
  }
  const levels = detectionLevels(DEFAULT_ANALYSE.scale).map((l) => (l.canvas ? `${l.longSide} in ${l.canvas}` : String(l.longSide))).join(' / ');
  const blazeLevels = pyramidLevels(DEFAULT_ANALYSE.scale).map((s) => Math.round(s)).join('/');
  console.log(`\n## Pipelines, ms per 960x540 frame (${mosaic.source}: ${analysed.length} faces analysed by the default, ${analysedPrevious.length} by the previous; BlazeFace detections ${detected.length})\n`);
  const pipeRows = [
    [`ONNX FaceEngine.analyse, default: YuNet at scale ${DEFAULT_ANALYSE.scale} (levels ${levels}) + ${engine.embedder.model}, flip = 2 runs/face`, fmt(pipe.median), '1.0x'],
    [`ONNX FaceEngine.analyse, previous: BlazeFace (levels ${blazeLevels} + 160 in 256) + FaceMesh 3 passes/detection + dlib, flip`, fmt(pipePrevious.median), ratio(pipePrevious.median, pipe.median)],
    [`TF.js face-api's own pipeline (wasm): SSD MobileNet 512 + 68 landmarks + descriptor (${faceApiFaces} faces)`, fmt(faceApiPipe?.median) + roundsNote(faceApiPipe, rounds), ratio(faceApiPipe?.median, pipe.median)],
    ['TF.js originals (wasm): blazeface 256 + facemesh 1x/detection + face-api descriptor 1x/face', fmt(origPipe?.median) + roundsNote(origPipe, rounds), ratio(origPipe?.median, pipe.median)],
    ['TF.js originals, same passes as ONNX (but one detector level): blazeface 256 + facemesh 2x/detection + descriptor 2x/face', fmt(origMatched?.median) + roundsNote(origMatched, rounds), ratio(origMatched?.median, pipe.median)],
  ];
  console.log(table(['path', 'ms per frame', 'TF.js / ONNX'], pipeRows));
  if (!originals) console.log(`\nRatio missing: ${missing}.`);
  else if (detected.length === 0) console.log('\nRatio missing: no faces in the pipeline frame (data set absent?), so the originals had no per-face work to do.');
  else console.log('\nThe originals crop faces at the ONNX detector\'s boxes (their own anchor decoding is not reimplemented); face-api crops the box without alignment, as it does itself.');

  const summary = {
    cpu: cpuName,
    cores: cpu.length,
    onnx_threads: threads,
    rounds,
    detection,
    landmarks: { onnx_net_ms: +meshNet.median.toFixed(2), onnx_landmarks_ms: +meshOne.median.toFixed(2), onnx_refined_ms: +meshRefined.median.toFixed(2), tfjs_net_ms: meshOrig ? +meshOrig.median.toFixed(2) : null },
    embedding,
    pipeline: {
      faces: analysed.length,
      onnx_ms: +pipe.median.toFixed(2),
      previous_faces: analysedPrevious.length,
      previous_ms: +pipePrevious.median.toFixed(2),
      previous_ratio: +(pipePrevious.median / pipe.median).toFixed(2),
      faceapi_ms: faceApiPipe ? +faceApiPipe.median.toFixed(2) : null,
      faceapi_ratio: faceApiPipe ? +(faceApiPipe.median / pipe.median).toFixed(2) : null,
      tfjs_ms: origPipe ? +origPipe.median.toFixed(2) : null,
      tfjs_matched_ms: origMatched ? +origMatched.median.toFixed(2) : null,
      ratio: origPipe ? +(origPipe.median / pipe.median).toFixed(2) : null,
      ratio_matched: origMatched ? +(origMatched.median / pipe.median).toFixed(2) : null,
    },
    tfjs: originals ? 'wasm' : missing,
  };
  console.log(`\n${JSON.stringify(summary)}`);
  await meshSession.release();
}

// `facerec detect` and `facerec compare`.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { catalogEntry } from '../../models/catalog.js';
import { contractDistanceFor, similarityOf } from '../engine/calibration.js';
import { euclidean } from '../engine/distance.js';
import { FaceEngine, largestFace, type Face } from '../engine/engine.js';
import { decodeImage, type RgbImage } from '../image/image.js';
import { parseIntOption, UsageError } from './args.js';

export const DEFAULT_MAX_DISTANCE = 1.0;

export async function detectCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { scale: { type: 'string', default: '600' }, out: { type: 'string' } } });
  const [path] = positionals;
  if (!path) throw new UsageError('detect needs an image');
  const scale = parseIntOption('scale', values.scale);
  const img = await decodeImage(path);
  const engine = await FaceEngine.load();
  const started = performance.now();
  const faces = await engine.analyse(img, { scale });
  const ms = performance.now() - started;
  if (values.out) writeFileSync(values.out, await annotate(img, faces));
  console.log(
    JSON.stringify(
      {
        image: path,
        width: img.width,
        height: img.height,
        scale,
        ms: Math.round(ms),
        faces: faces.map((f) => ({
          box: roundBox(f.box),
          score: round(f.score, 3),
          landmark_score: round(f.landmarkScore, 3),
          landmarks: f.landmarks.map(([x, y]) => [round(x, 1), round(y, 1)]),
        })),
      },
      null,
      2,
    ),
  );
}

export async function compareCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { scale: { type: 'string', default: '600' } } });
  const [a, b] = positionals;
  if (!a || !b) throw new UsageError('compare needs two images');
  const scale = parseIntOption('scale', values.scale);
  const engine = await FaceEngine.load();
  const [fa, fb] = [await subjectFace(engine, a, scale), await subjectFace(engine, b, scale)];
  const model = engine.embedder.model;
  const raw = euclidean(fa.embedding, fb.embedding);
  const distance = contractDistanceFor(catalogEntry(model).calibration)(raw);
  console.log(
    JSON.stringify(
      { a, b, distance: round(distance, 4), similarity: round(similarityOf(distance), 4), raw_distance: round(raw, 4), model, max_distance: DEFAULT_MAX_DISTANCE, same_person: distance <= DEFAULT_MAX_DISTANCE },
      null,
      2,
    ),
  );
}

async function subjectFace(engine: FaceEngine, path: string, scale: number): Promise<Face> {
  const face = largestFace(await engine.analyse(await decodeImage(path), { scale }));
  if (!face) throw new Error(`no face found in ${path}`);
  return face;
}

/** PNG of the image with each face's box, score and five landmarks drawn on it. */
export async function annotate(img: RgbImage, faces: readonly Face[]): Promise<Buffer> {
  const stroke = Math.max(2, Math.round(Math.max(img.width, img.height) / 400));
  const shapes = faces.map((f) => {
    const { x, y, w, h } = f.box;
    const dots = f.landmarks.map(([px, py]) => `<circle cx="${px}" cy="${py}" r="${stroke * 1.5}" fill="#ff0"/>`).join('');
    return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="#0f0" stroke-width="${stroke}"/>` +
      `<text x="${x}" y="${Math.max(12, y - 4)}" fill="#0f0" font-size="${stroke * 7}" font-family="sans-serif">${f.score.toFixed(2)}</text>${dots}`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${img.width}" height="${img.height}">${shapes.join('')}</svg>`;
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}

function roundBox(b: { x: number; y: number; w: number; h: number }) {
  return { x: round(b.x, 1), y: round(b.y, 1), w: round(b.w, 1), h: round(b.h, 1) };
}

// `facerec detect` and `facerec compare`.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { catalogEntry } from '../../models/catalog.js';
import { contractDistanceFor, similarityOf } from '../../libs/engine/calibration.js';
import { euclidean } from '../../libs/engine/distance.js';
import { FaceEngine, largestFace, type Face } from '../../libs/engine/engine.js';
import { iou, type Box } from '../../libs/geometry/box.js';
import { decodeImage, type RgbImage } from '../../libs/image/image.js';
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
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { scale: { type: 'string', default: '600' }, 'face-a': { type: 'string' }, 'face-b': { type: 'string' } },
  });
  const [a, b] = positionals;
  if (!a || !b) throw new UsageError('compare needs two images');
  const scale = parseIntOption('scale', values.scale);
  const choiceA = parseFaceChoice('face-a', values['face-a']);
  const choiceB = parseFaceChoice('face-b', values['face-b']);
  const engine = await FaceEngine.load();
  const sa = await subjectFace(engine, a, scale, choiceA);
  const sb = await subjectFace(engine, b, scale, choiceB);
  const model = engine.embedder.model;
  const raw = euclidean(sa.face.embedding, sb.face.embedding);
  const distance = contractDistanceFor(catalogEntry(model).calibration)(raw);
  console.log(
    JSON.stringify(
      {
        a,
        b,
        face_a: sa.used,
        face_b: sb.used,
        distance: round(distance, 4),
        similarity: round(similarityOf(distance), 4),
        raw_distance: round(raw, 4),
        model,
        max_distance: DEFAULT_MAX_DISTANCE,
        same_person: distance <= DEFAULT_MAX_DISTANCE,
      },
      null,
      2,
    ),
  );
}

/** Which face of a photo to compare: the largest (default), the n-th as `facerec detect` lists them, or the one at a box. */
export type FaceChoice = { kind: 'largest' } | { kind: 'index'; index: number } | { kind: 'box'; box: Box };

/** `--face-a 2` (0-based, the order of `facerec detect`) or `--face-a x,y,w,h` (pixels: the face overlapping that box most). */
export function parseFaceChoice(option: string, raw: string | undefined): FaceChoice {
  if (raw === undefined) return { kind: 'largest' };
  const text = raw.trim();
  if (/^\d+$/.test(text)) return { kind: 'index', index: Number(text) };
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length === 4 && parts.every((v) => Number.isFinite(v)) && parts[2]! > 0 && parts[3]! > 0) {
    const [x, y, w, h] = parts as [number, number, number, number];
    return { kind: 'box', box: { x, y, w, h } };
  }
  throw new UsageError(`--${option} must be a face number (0, 1, … as facerec detect lists them) or a box x,y,w,h in pixels, got '${raw}'`);
}

/** The face a choice picks among a photo's faces (in `facerec detect`'s order), and why it was picked. */
export function pickFace<T extends { box: Box }>(faces: readonly T[], choice: FaceChoice, path: string): { face: T; index: number; chosen: string } {
  if (faces.length === 0) throw new Error(`no face found in ${path}`);
  if (choice.kind === 'index') {
    const face = faces[choice.index];
    if (!face) throw new UsageError(`${path} has ${faces.length} face${faces.length === 1 ? '' : 's'} (0 to ${faces.length - 1}): there is no face ${choice.index}`);
    return { face, index: choice.index, chosen: 'by number' };
  }
  if (choice.kind === 'box') {
    let index = -1;
    let best = 0;
    faces.forEach((f, i) => {
      const overlap = iou(f.box, choice.box);
      if (overlap > best) [best, index] = [overlap, i];
    });
    if (index < 0) throw new UsageError(`no face of ${path} overlaps the box ${choice.box.x},${choice.box.y},${choice.box.w},${choice.box.h}`);
    return { face: faces[index]!, index, chosen: 'by box' };
  }
  const face = largestFace(faces)!;
  return { face, index: faces.indexOf(face), chosen: 'largest' };
}

async function subjectFace(engine: FaceEngine, path: string, scale: number, choice: FaceChoice): Promise<{ face: Face; used: object }> {
  const faces = await engine.analyse(await decodeImage(path), { scale });
  const { face, index, chosen } = pickFace(faces, choice, path);
  return { face, used: { index, of: faces.length, chosen, box: roundBox(face.box), score: round(face.score, 3) } };
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

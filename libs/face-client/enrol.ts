// Turning photos of a person into gallery samples: find the person's face in each photo, embed it,
// keep a source crop of it wide enough for any alignment (the face box doubled), so that the
// gallery can be re-embedded by another recogniser later. A photo with no face, or with several
// faces none of which clearly dominates, is reported back rather than guessed at (SPEC §3).
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { DetectorClient, EmbedderClient } from '../grpc/grpc.js';
import { clipBox } from '../geometry/box.js';
import { cropImage, decodeImage, encodeJpeg, ImageDecodeError, resizeImage, type RgbImage } from '../image/image.js';
import type { Sample } from '../grpc/generated/facerec/v1/Sample.js';
import type { DetectedFace__Output } from '../grpc/generated/facerec/v1/DetectedFace.js';
import { DEFAULT_DETECTION_SCALE } from '../engine/detect-options.js';
import { detectFrames, embedChips } from './face-pipeline.js';

export interface EnrolImage {
  /** How the client named the image (source string or file name). */
  origin: string;
  bytes: Buffer;
}

export interface Rejected {
  image: string;
  message: string;
}

/** The largest face is used only when it is at least this many times the area of the next one. */
const DOMINANCE = 2;
/** The source crop kept per sample: the face box this many times, square, at most SOURCE_CROP_MAX px. */
const SOURCE_CROP_CONTEXT = 2;
const SOURCE_CROP_MAX = 256;
const CALL_DEADLINE_MS = 60_000;
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.tif', '.tiff']);

export class Enroller {
  constructor(
    private readonly detector: DetectorClient,
    private readonly embedder: EmbedderClient,
    private readonly maxImagePixels: number,
  ) {}

  async samples(images: readonly EnrolImage[]): Promise<{ samples: Sample[]; rejected: Rejected[] }> {
    const samples: Sample[] = [];
    const rejected: Rejected[] = [];
    for (const image of images) {
      let img;
      try {
        img = await decodeImage(image.bytes, { maxPixels: this.maxImagePixels });
      } catch (err) {
        if (!(err instanceof ImageDecodeError)) throw err;
        rejected.push({ image: image.origin, message: `not a readable image: ${err.message}` });
        continue;
      }
      const face = await this.faceOf(img);
      if (typeof face === 'string') {
        rejected.push({ image: image.origin, message: face });
        continue;
      }
      samples.push({ embedding: face.embedding, crop: await sourceCrop(img, face.box), origin: image.origin });
    }
    return { samples, rejected };
  }

  /** The embedding of a sample's stored source crop by the running embedder, or why there is none. */
  async reembed(crop: Buffer): Promise<{ model: string; values: number[] } | string> {
    let img;
    try {
      img = await decodeImage(crop, { maxPixels: this.maxImagePixels });
    } catch (err) {
      if (!(err instanceof ImageDecodeError)) throw err;
      return `the stored crop is not a readable image: ${err.message}`;
    }
    const face = await this.faceOf(img);
    return typeof face === 'string' ? `${face} in the stored crop` : face.embedding;
  }

  /** The photo's dominant face with its embedding, or why there is none. */
  private async faceOf(img: RgbImage): Promise<{ box: { x: number; y: number; w: number; h: number }; embedding: { model: string; values: number[] } } | string> {
    const [faces = []] = await detectFrames(
      this.detector,
      [{ index: 0, width: img.width, height: img.height, rgb: Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength) }],
      { scale: DEFAULT_DETECTION_SCALE, chips: true },
      CALL_DEADLINE_MS,
    );
    const face = dominantFace(faces);
    if (typeof face === 'string') return face;
    const [embedding] = await embedChips(this.embedder, [face.chip!], CALL_DEADLINE_MS);
    return { box: face.box!, embedding: embedding! };
  }
}

/** The face box doubled (square, cut to the photo), as a JPEG of at most SOURCE_CROP_MAX px: enough for any alignment. */
export async function sourceCrop(img: RgbImage, box: { x: number; y: number; w: number; h: number }): Promise<Buffer> {
  const side = Math.max(box.w, box.h) * SOURCE_CROP_CONTEXT;
  const r = clipBox({ x: box.x + box.w / 2 - side / 2, y: box.y + box.h / 2 - side / 2, w: side, h: side }, img.width, img.height);
  let crop = cropImage(img, r.x, r.y, Math.max(1, r.w), Math.max(1, r.h));
  const k = Math.min(1, SOURCE_CROP_MAX / Math.max(crop.width, crop.height));
  if (k < 1) crop = await resizeImage(crop, Math.max(1, Math.round(crop.width * k)), Math.max(1, Math.round(crop.height * k)));
  return encodeJpeg(crop, 90);
}

/** The face the photo is of, or why there is none. */
export function dominantFace(faces: readonly DetectedFace__Output[]): DetectedFace__Output | string {
  if (faces.length === 0) return 'no face found';
  const area = (f: DetectedFace__Output) => (f.box?.w ?? 0) * (f.box?.h ?? 0);
  const sorted = [...faces].sort((a, b) => area(b) - area(a));
  if (sorted.length > 1 && area(sorted[0]!) < DOMINANCE * area(sorted[1]!)) {
    return `${faces.length} faces and none clearly the largest: crop the photo to the person`;
  }
  return sorted[0]!;
}

/** A folder laid out `<person>/<image>`: the people in name order, each with their image files. */
export async function readPeopleFolder(root: string): Promise<{ person: string; files: string[] }[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const people: { person: string; files: string[] }[] = [];
  for (const dir of entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
    const files = (await readdir(join(root, dir.name), { withFileTypes: true }))
      .filter((f) => f.isFile() && IMAGE_EXTENSIONS.has(extname(f.name).toLowerCase()))
      .map((f) => join(root, dir.name, f.name))
      .sort();
    if (files.length > 0) people.push({ person: dir.name, files });
  }
  return people;
}

export async function readImages(files: readonly string[], relativeTo: string): Promise<EnrolImage[]> {
  return Promise.all(files.map(async (file) => ({ origin: file.slice(relativeTo.length + 1), bytes: await readFile(file) })));
}

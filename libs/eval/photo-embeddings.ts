// Folders of people's photos (LFW's layout: one folder per person) and the embedding of "the" face
// of each photo (the face nearest the centre, LFW's convention), as the engine makes it, cached in
// a JSON file between runs (written as it goes) so that evaluations and the celebrities build over
// the same photos embed each photo once.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, ImageDecodeError, type RgbImage } from '../image/image.js';
import { centreFace, type FaceEngine, type LocatedFace } from '../engine/engine.js';
import { Progress } from './progress.js';

const PHOTO = /\.(jpe?g|png|webp|bmp)$/i;

/** The people of a folder of person folders, by name, each with their photo files by name (people without photos left out). */
export function personFolders(dir: string): { name: string; photos: string[] }[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => ({ name: d.name, photos: readdirSync(join(dir, d.name)).filter((f) => PHOTO.test(f)).sort() }))
    .filter((p) => p.photos.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The photo and its face nearest the centre, located by the engine at `scale`; null when it has none. */
export async function centreFaceOf(engine: FaceEngine, path: string, scale: number): Promise<{ img: RgbImage; face: LocatedFace } | null> {
  const img = await decodeImage(path);
  const face = centreFace(await engine.locate(img, { scale }), img.width, img.height);
  return face ? { img, face } : null;
}

/** Photo (path relative to the images folder) → embedding, or null when no face was found. */
export type PhotoEmbeddings = Map<string, Float32Array | null>;

export async function embedPhotos(
  engine: FaceEngine,
  imagesDir: string,
  files: readonly string[],
  opts: { scale: number; cache?: string; label?: string },
): Promise<PhotoEmbeddings> {
  // What the embeddings depend on: a cache made otherwise is not used.
  const key = JSON.stringify({ detector: engine.locator.name, embedder: engine.embedder.sha256, scale: opts.scale, flip: true });
  const cache: PhotoEmbeddings = new Map();
  if (opts.cache && existsSync(opts.cache)) {
    const file = JSON.parse(readFileSync(opts.cache, 'utf8')) as { key: string; images: Record<string, number[] | null> };
    if (file.key === key) for (const [k, v] of Object.entries(file.images)) cache.set(k, v && Float32Array.from(v));
  }
  const save = () => {
    if (!opts.cache) return;
    const images: Record<string, number[] | null> = {};
    for (const [k, v] of cache) images[k] = v && Array.from(v, (x) => Math.round(x * 1e6) / 1e6);
    writeFileSync(opts.cache, JSON.stringify({ key, images }));
  };
  const progress = new Progress(opts.label ?? 'photos', files.length);
  let unsaved = 0;
  for (const f of files) {
    if (!cache.has(f)) {
      let embedding: Float32Array | null = null;
      try {
        const found = await centreFaceOf(engine, join(imagesDir, f), opts.scale);
        if (found) [embedding] = (await engine.embedder.embed(found.img, [found.face], { flip: true })) as [Float32Array];
      } catch (err) {
        if (!(err instanceof ImageDecodeError)) throw err;
      }
      cache.set(f, embedding);
      if (++unsaved >= 1000) [unsaved] = [0, save()];
    }
    progress.tick();
  }
  progress.done();
  save();
  return new Map(files.map((f) => [f, cache.get(f) ?? null]));
}

/** Every photo of the people of folders of person folders (`exclude`: folder names left out), as strangers: `<dir>/<person>` and the embedding. */
export async function strangerPhotos(
  engine: FaceEngine,
  dirs: readonly string[],
  exclude: readonly string[],
  scale: number,
): Promise<{ person: string; embedding: Float32Array | null }[]> {
  const out: { person: string; embedding: Float32Array | null }[] = [];
  for (const dir of dirs) {
    const folder = personFolders(dir).filter((p) => !exclude.includes(p.name));
    const e = await embedPhotos(engine, dir, folder.flatMap((p) => p.photos.map((f) => join(p.name, f))), { scale, label: `strangers ${dir}` });
    for (const p of folder) for (const f of p.photos) out.push({ person: `${dir}/${p.name}`, embedding: e.get(join(p.name, f)) ?? null });
  }
  return out;
}

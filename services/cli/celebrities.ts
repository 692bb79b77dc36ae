// `facerec celebrities build --images <dir of person folders> [--per-person K] [--out file]`:
// the pre-trained `celebrities` gallery artefact from a folder of people (LFW: one folder per
// person, names with underscores). Every photo is detected, aligned and embedded by the running
// engine (the face nearest the centre); up to K embeddings per person that cover them best are
// kept; photos without a usable face are listed in a report beside the artefact, not fatal.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { CELEBRITIES_ARTEFACT } from '../../models/catalog.js';
import { FaceEngine } from '../../libs/engine/engine.js';
import { embedPhotos, personFolders } from '../../libs/eval/photo-embeddings.js';
import { coveringSubset, displayName, writeGalleryArtefact, type GalleryArtefactHeader } from '../../libs/gallery/artefact.js';
import { parseIntOption, UsageError } from './args.js';

export const CELEBRITIES_USAGE = '  facerec celebrities build --images <dir of person folders> [--per-person 3] [--out models/galleries/celebrities.fgal] [--cache file.json]';
/** Measured with `facerec eval openset --gallery-size` (models/README.md): 3 covers a person at a third of "all"'s size. */
const DEFAULT_PER_PERSON = 3;

export async function celebritiesCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'build') throw new UsageError(`celebrities: unknown command '${sub ?? ''}' (build)`);
  const { values } = parseArgs({
    args: rest,
    options: {
      images: { type: 'string' },
      'per-person': { type: 'string', default: String(DEFAULT_PER_PERSON) },
      out: { type: 'string', default: CELEBRITIES_ARTEFACT },
      cache: { type: 'string' },
      scale: { type: 'string', default: '600' },
      dataset: { type: 'string', default: 'LFW, Labeled Faces in the Wild (University of Massachusetts, Amherst): 13,233 photos of 5,749 public figures' },
    },
  });
  if (!values.images) throw new UsageError('celebrities build needs --images (a folder with one folder of photos per person)');
  const perPerson = parseIntOption('per-person', values['per-person']);
  if (perPerson < 0) throw new UsageError('--per-person must be 0 (all) or more');
  const people = personFolders(values.images).map((p) => ({ folder: p.name, photos: p.photos.map((f) => join(p.name, f)) }));
  const files = people.flatMap((p) => p.photos);
  process.stderr.write(`celebrities: ${people.length} people, ${files.length} photos in ${values.images}\n`);

  const started = performance.now();
  const engine = await FaceEngine.load();
  const embeddings = await embedPhotos(engine, values.images, files, { scale: parseIntOption('scale', values.scale), cache: values.cache, label: 'celebrities photos' });
  const noFace = files.filter((f) => !embeddings.get(f));
  const kept = people.map((p) => ({ name: displayName(p.folder), vectors: coveringSubset(p.photos.flatMap((f) => embeddings.get(f) ?? []), perPerson) })).filter((p) => p.vectors.length > 0);
  const header: GalleryArtefactHeader = {
    format: 'facerec-gallery',
    version: 1,
    name: 'celebrities',
    embedder: { model: engine.embedder.model, sha256: engine.embedder.sha256, dimension: engine.embedder.dimension },
    source: { dataset: values.dataset, people: kept.length, photos: files.length, embedded: files.length - noFace.length, noFace: noFace.length },
    perPerson,
    quantisation: 'int8, one float32 scale per vector',
    built: new Date().toISOString(),
    people: kept.map((p) => ({ name: p.name, vectors: p.vectors.length })),
  };
  const sha256 = writeGalleryArtefact(values.out, header, kept.map((p) => p.vectors));
  const missingPeople = people.length - kept.length;
  const report = { artefact: relative(process.cwd(), values.out), sha256, ...header.source, perPerson, vectors: kept.reduce((n, p) => n + p.vectors.length, 0), peopleWithoutAnyFace: missingPeople, noFacePhotos: noFace };
  writeFileSync(`${values.out.replace(/\.fgal$/, '')}.report.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify({ ...report, noFacePhotos: noFace.length, seconds: Math.round((performance.now() - started) / 1000) }));
}

// A gallery shipped as one file (the pre-trained `celebrities`): names and compact vectors, with
// what made them, so a machine without the photos has the gallery.
//
// Layout: the 8 bytes "FRGAL001", a little-endian uint32 header length, the header (UTF-8 JSON),
// then every vector in the header's people order: a float32 scale and `dimension` int8 values
// (value ≈ int8 × scale, scale = max |component| / 127). Unit vectors lose ~0.1 % of their length
// and under 0.003 of Euclidean distance to this; they are re-normalised when read.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IdentityMetadata } from './gallery-store.js';

const MAGIC = 'FRGAL001';

/**
 * One person of an artefact: name, vectors, and (version 2) what is known of them — aliases,
 * category, country, sources — as the gallery store keeps it (absent: not known).
 */
export interface ArtefactPerson extends IdentityMetadata {
  /** The display name, as people write it ("Leonardo DiCaprio"). */
  name: string;
  vectors: number;
}

/** What each source is and its licence, as the artefact states it. */
export interface ArtefactSource {
  id: string;
  title: string;
  licence: string;
  people: number;
  photos: number;
}

export interface GalleryArtefactHeader {
  format: 'facerec-gallery';
  /** 1: names and vectors; 2: with aliases, category, country and sources per person, and the sources. */
  version: 1 | 2;
  /** The gallery's name in the product. */
  name: string;
  /** Who made the vectors: catalog name and the network file's SHA-256. */
  embedder: { model: string; sha256: string; dimension: number };
  /** Where the people come from, in words and counts. */
  source: { dataset: string; people: number; photos: number; embedded: number; noFace: number };
  /** Embeddings kept per person at most (0: all). */
  perPerson: number;
  quantisation: 'int8, one float32 scale per vector';
  built: string;
  people: ArtefactPerson[];
  /** Version 2: the sources merged into the gallery, their origin and licence. */
  sources?: ArtefactSource[];
}

export interface GalleryArtefact {
  header: GalleryArtefactHeader;
  /** Per person (header order), their unit vectors: decoded when first read (a loaded gallery needs only the header and the hash). */
  readonly vectors: Float32Array[][];
  /** SHA-256 of the file: which artefact a loaded gallery came from. */
  sha256: string;
}

export function writeGalleryArtefact(path: string, header: GalleryArtefactHeader, vectors: readonly (readonly Float32Array[])[]): string {
  const dimension = header.embedder.dimension;
  if (vectors.length !== header.people.length) throw new Error(`${vectors.length} vector lists for ${header.people.length} people`);
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const count = vectors.reduce((n, v) => n + v.length, 0);
  const out = Buffer.alloc(MAGIC.length + 4 + json.length + count * (4 + dimension));
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, MAGIC.length);
  json.copy(out, MAGIC.length + 4);
  let at = MAGIC.length + 4 + json.length;
  vectors.forEach((person, i) => {
    if (person.length !== header.people[i]!.vectors) throw new Error(`${header.people[i]!.name}: header says ${header.people[i]!.vectors} vectors, got ${person.length}`);
    for (const v of person) {
      if (v.length !== dimension) throw new Error(`a vector of ${header.people[i]!.name} has ${v.length} values, not ${dimension}`);
      let max = 0;
      for (const x of v) max = Math.max(max, Math.abs(x));
      const scale = max > 0 ? max / 127 : 1;
      out.writeFloatLE(scale, at);
      at += 4;
      for (const x of v) out.writeInt8(Math.round(x / scale), at++);
    }
  });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, path);
  return createHash('sha256').update(out).digest('hex');
}

export function readGalleryArtefact(path: string): GalleryArtefact {
  const bytes = readFileSync(path);
  if (bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error(`${path} is not a gallery artefact (no ${MAGIC} header)`);
  const length = bytes.readUInt32LE(MAGIC.length);
  const header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + length)) as GalleryArtefactHeader;
  if (header.format !== 'facerec-gallery' || (header.version !== 1 && header.version !== 2)) throw new Error(`${path}: unsupported artefact format ${header.format} ${header.version}`);
  const dimension = header.embedder.dimension;
  const start = MAGIC.length + 4 + length;
  const expected = start + header.people.reduce((n, p) => n + p.vectors, 0) * (4 + dimension);
  if (bytes.length !== expected) throw new Error(`${path} holds ${bytes.length} bytes, its header describes ${expected}: truncated or corrupt`);
  let decoded: Float32Array[][] | undefined;
  return {
    header,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    get vectors() {
      return (decoded ??= decodeVectors(bytes, start, header));
    },
  };
}

function decodeVectors(bytes: Buffer, start: number, header: GalleryArtefactHeader): Float32Array[][] {
  const dimension = header.embedder.dimension;
  let at = start;
  return header.people.map((p) =>
    Array.from({ length: p.vectors }, () => {
      const scale = bytes.readFloatLE(at);
      at += 4;
      const v = new Float32Array(dimension);
      let norm = 0;
      for (let d = 0; d < dimension; d++) {
        v[d] = bytes.readInt8(at++) * scale;
        norm += v[d]! * v[d]!;
      }
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < dimension; d++) v[d]! /= norm;
      return v;
    }),
  );
}

/** "Angelina_Jolie" → "Angelina Jolie" (LFW folder names as shown to users). */
export function displayName(folder: string): string {
  return folder.replace(/_/g, ' ').trim();
}

/**
 * Up to `k` of a person's embeddings that cover their appearance: the one nearest their mean
 * first, then each time the one farthest from those already chosen (greedy k-centre). All of them
 * when k is 0 or they are k or fewer. With `radius`, it stops early once every embedding lies
 * within that (Euclidean) distance of a chosen one: a person whose photos look alike needs fewer.
 */
export function coveringSubset(embeddings: readonly Float32Array[], k: number, radius?: number): Float32Array[] {
  if (k <= 0 || embeddings.length <= k) return [...embeddings];
  const dim = embeddings[0]!.length;
  const mean = new Float32Array(dim);
  for (const e of embeddings) for (let d = 0; d < dim; d++) mean[d]! += e[d]! / embeddings.length;
  const dist = (a: Float32Array, b: Float32Array) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += (a[d]! - b[d]!) ** 2;
    return s;
  };
  let first = 0;
  embeddings.forEach((e, i) => {
    if (dist(e, mean) < dist(embeddings[first]!, mean)) first = i;
  });
  const chosen = [first];
  const nearest = embeddings.map((e) => dist(e, embeddings[first]!));
  while (chosen.length < k) {
    if (radius !== undefined && Math.max(...nearest) <= radius * radius) break;
    let far = -1;
    nearest.forEach((d, i) => {
      if (!chosen.includes(i) && (far < 0 || d > nearest[far]!)) far = i;
    });
    chosen.push(far);
    embeddings.forEach((e, i) => (nearest[i] = Math.min(nearest[i]!, dist(e, embeddings[far]!))));
  }
  return chosen.map((i) => embeddings[i]!);
}

// `facerec eval openset`: open-set identification as the product does it — a gallery of named
// people, probes of people in it and of strangers — on an LFW-layout folder (one folder per person).
//
// Protocol: people with at least `minPhotos` photos are known; their first `galleryPhotos` photos
// (sorted by file name) form the gallery, the next `minPhotos − galleryPhotos` are probes.
// Strangers are people with exactly one photo, `strangers` of them spread evenly over the sorted
// names; none is in the gallery. A probe is named by its nearest gallery sample when that lies
// within the threshold. Reported: named right / wrong / strangers named at the default and at
// other thresholds, DIR (detection and identification rate) at 1 % and 5 % of strangers named,
// and closed-set rank-1.
import { join } from 'node:path';
import { euclidean } from '../engine/distance.js';
import type { FaceEngine } from '../engine/engine.js';
import { coveringSubset } from '../gallery/artefact.js';
import { sizeAdjustedMaxDistance } from '../engine/decision.js';
import { areAliases } from './lfw-aliases.js';
import { embedPhotos, personFolders } from './photo-embeddings.js';

export interface OpenSetOptions {
  imagesDir: string;
  galleryPhotos: number;
  minPhotos: number;
  strangers: number;
  scale: number;
  /** The contract distance for a raw Euclidean distance between embeddings. */
  toContract: (raw: number) => number;
  /** JSON file caching embeddings between runs. */
  cache?: string;
  /**
   * Also measure symmetric adaptive score normalisation (AS-norm) against a background cohort of
   * this many people with 2–3 photos (neither in the gallery nor strangers), one photo each.
   */
  cohort?: number;
}

/** Cohort faces whose distances give a face's score statistics. */
const COHORT_TOP = 100;

export interface OpenSetAt {
  threshold: number;
  named_right: number;
  named_wrong: number;
  strangers_named: number;
}

export interface OpenSetResult {
  pipeline: { detector: string; embedder: string; scale: number };
  gallery_people: number;
  gallery_samples: number;
  known_probes: number;
  stranger_probes: number;
  no_face: number;
  at_default: OpenSetAt;
  sweep: OpenSetAt[];
  dir_at_1pct: { threshold: number; dir: number };
  dir_at_5pct: { threshold: number; dir: number };
  rank1: number;
  /** With a cohort: the same protocol decided on AS-norm scores instead of raw distances. */
  asnorm?: { cohort: number; dir_at_1pct: { threshold: number; dir: number }; dir_at_5pct: { threshold: number; dir: number }; rank1: number };
}

/** A probe's nearest gallery identity, its distance (or score) and the next identity's. */
interface Nearest {
  person: string;
  distance: number;
  next: number;
}

interface Probe {
  person: string;
  known: boolean;
  /** Null when no face was found. */
  nearest: Nearest | null;
}

export const DEFAULT_THRESHOLD = 1.0;
const SWEEP = [0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2];

export async function runOpenSet(engine: FaceEngine, opts: OpenSetOptions, out: (line: string) => void): Promise<OpenSetResult> {
  const people = personFolders(opts.imagesDir);
  const known = people.filter((p) => p.photos.length >= opts.minPhotos);
  const singles = people.filter((p) => p.photos.length === 1);
  const strangers = evenly(singles, opts.strangers);
  if (known.length === 0) throw new Error(`no person in ${opts.imagesDir} has ${opts.minPhotos} photos or more`);
  const cohortPeople = evenly(people.filter((p) => p.photos.length >= 2 && p.photos.length < opts.minPhotos), opts.cohort ?? 0);

  const files = [
    ...known.flatMap((p) => p.photos.slice(0, opts.minPhotos).map((f) => join(p.name, f))),
    ...strangers.map((p) => join(p.name, p.photos[0]!)),
    ...cohortPeople.map((p) => join(p.name, p.photos[0]!)),
  ];
  const embeddings = await embedPhotos(engine, opts.imagesDir, files, { scale: opts.scale, cache: opts.cache, label: 'openset images' });
  const gallery: Sample[] = [];
  for (const p of known)
    for (const f of p.photos.slice(0, opts.galleryPhotos)) {
      const e = embeddings.get(join(p.name, f));
      if (e) gallery.push({ person: p.name, embedding: e });
    }
  // The probes of the protocol, decided by the distance or, for AS-norm, by another score.
  const probesBy = (scoreOf: (e: Float32Array) => (sample: number) => number): Probe[] => {
    const nearest = (file: string) => {
      const e = embeddings.get(file);
      return e ? nearestIdentity(gallery, scoreOf(e)) : null;
    };
    return [
      ...known.flatMap((p) => p.photos.slice(opts.galleryPhotos, opts.minPhotos).map((f) => ({ person: p.name, known: true, nearest: nearest(join(p.name, f)) }))),
      ...strangers.map((p) => ({ person: p.name, known: false, nearest: nearest(join(p.name, p.photos[0]!)) })),
    ];
  };
  const probes = probesBy((e) => (i) => opts.toContract(euclidean(e, gallery[i]!.embedding)));
  const knownProbes = probes.filter((p) => p.known);
  const strangerProbes = probes.filter((p) => !p.known);
  const at = (threshold: number) => rates(probes, threshold);
  const result: OpenSetResult = {
    pipeline: { detector: engine.locator.name, embedder: engine.embedder.model, scale: opts.scale },
    gallery_people: known.length,
    gallery_samples: gallery.length,
    known_probes: knownProbes.length,
    stranger_probes: strangerProbes.length,
    no_face: probes.filter((p) => !p.nearest).length,
    at_default: at(DEFAULT_THRESHOLD),
    sweep: SWEEP.map(at),
    dir_at_1pct: dirAt(probes, 0.01),
    dir_at_5pct: dirAt(probes, 0.05),
    rank1: rank1(probes),
  };
  out(`open set (${result.pipeline.detector} + ${result.pipeline.embedder}, scale ${opts.scale}): gallery ${known.length} people × ${opts.galleryPhotos} photos (${gallery.length} samples), ${knownProbes.length} known probes, ${strangerProbes.length} strangers, no face in ${result.no_face} probes`);
  out('');
  out('| max_distance | named right | named wrong | strangers named |');
  out('|---|---|---|---|');
  for (const s of result.sweep) out(`| ${s.threshold.toFixed(2)}${s.threshold === DEFAULT_THRESHOLD ? ' (default)' : ''} | ${pct(s.named_right)} | ${pct(s.named_wrong)} | ${pct(s.strangers_named)} |`);
  out('');
  out(`DIR at 1 % strangers named: ${pct(result.dir_at_1pct.dir)} (max_distance ${result.dir_at_1pct.threshold.toFixed(3)}); at 5 %: ${pct(result.dir_at_5pct.dir)} (${result.dir_at_5pct.threshold.toFixed(3)})`);
  out(`closed-set rank-1: ${pct(result.rank1)}`);
  if (cohortPeople.length > 0) {
    const cohort = cohortPeople.flatMap((p) => embeddings.get(join(p.name, p.photos[0]!)) ?? []);
    const scored = probesBy(asNormScore(gallery, cohort, opts.toContract));
    result.asnorm = { cohort: cohort.length, dir_at_1pct: dirAt(scored, 0.01), dir_at_5pct: dirAt(scored, 0.05), rank1: rank1(scored) };
    const a = result.asnorm;
    out(`AS-norm against a cohort of ${cohort.length} faces (top ${COHORT_TOP}): DIR at 1 % strangers named ${pct(a.dir_at_1pct.dir)}, at 5 % ${pct(a.dir_at_5pct.dir)}; rank-1 ${pct(a.rank1)}`);
  }
  return result;
}

/**
 * Symmetric adaptive score normalisation: a distance d between probe p and gallery sample g becomes
 * ((d − μp)/σp + (d − μg)/σg) / 2, each side's μ and σ over its COHORT_TOP nearest cohort faces.
 * Lower is more alike, like a distance.
 */
function asNormScore(gallery: readonly Sample[], cohort: readonly Float32Array[], toContract: (raw: number) => number): (e: Float32Array) => (sample: number) => number {
  const stats = (e: Float32Array) => {
    const d = cohort.map((c) => toContract(euclidean(e, c))).sort((a, b) => a - b).slice(0, COHORT_TOP);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length) || 1;
    return { mean, std };
  };
  const galleryStats = gallery.map((g) => stats(g.embedding));
  return (e) => {
    const p = stats(e);
    return (i) => {
      const d = toContract(euclidean(e, gallery[i]!.embedding));
      return ((d - p.mean) / p.std + (d - galleryStats[i]!.mean) / galleryStats[i]!.std) / 2;
    };
  };
}

interface Sample {
  person: string;
  embedding: Float32Array;
}

/** The nearest identity among the samples by `scoreOf` (lower is nearer), with the next identity's score. */
function nearestIdentity(samples: readonly Sample[], scoreOf: (sample: number) => number): Nearest {
  const byPerson = new Map<string, number>();
  samples.forEach((s, i) => {
    const d = scoreOf(i);
    if (d < (byPerson.get(s.person) ?? Infinity)) byPerson.set(s.person, d);
  });
  const best: Nearest = { person: '', distance: Infinity, next: Infinity };
  for (const [person, d] of byPerson) {
    if (d < best.distance) [best.person, best.distance, best.next] = [person, d, best.distance];
    else if (d < best.next) best.next = d;
  }
  return best;
}

/** Named right / wrong among the known probes and strangers named, a probe named when `named` says so (default: within `threshold`). */
function rates(probes: readonly Probe[], threshold: number, named: (n: Nearest) => boolean = (n) => n.distance <= threshold): OpenSetAt {
  const known = probes.filter((p) => p.known);
  const strangers = probes.filter((p) => !p.known);
  const isNamed = (p: Probe) => !!p.nearest && named(p.nearest);
  return {
    threshold,
    named_right: known.filter((p) => isNamed(p) && p.nearest!.person === p.person).length / Math.max(1, known.length),
    named_wrong: known.filter((p) => isNamed(p) && p.nearest!.person !== p.person).length / Math.max(1, known.length),
    strangers_named: strangers.filter(isNamed).length / Math.max(1, strangers.length),
  };
}

/** DIR: named right at the largest threshold that names at most `fpir` of the strangers. */
function dirAt(probes: readonly Probe[], fpir: number): { threshold: number; dir: number } {
  const d = probes.filter((p) => !p.known).map((p) => p.nearest?.distance ?? Infinity).sort((a, b) => a - b);
  const allowed = Math.floor(fpir * d.length);
  const threshold = allowed < d.length ? d[allowed]! - 1e-9 : Infinity;
  return { threshold, dir: rates(probes, threshold).named_right };
}

/** Closed-set rank-1: known probes whose nearest identity is theirs. */
function rank1(probes: readonly Probe[]): number {
  const known = probes.filter((p) => p.known);
  return known.filter((p) => p.nearest?.person === p.person).length / Math.max(1, known.length);
}

/** `n` items spread evenly over the list (all of them when n ≥ its length). */
export function evenly<T>(items: readonly T[], n: number): T[] {
  if (n >= items.length) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

export interface GallerySizeOptions {
  imagesDir: string;
  /** Identities in the evaluation gallery (all but the held-out strangers when larger). */
  gallerySize: number;
  /** LFW people with one photo held out of every gallery as strangers. */
  strangers: number;
  /** Further folders of person folders whose photos are all strangers (people not in the data set). */
  strangerDirs: string[];
  /** Names (folder names) in `strangerDirs` that are in the data set after all, left out. */
  exclude: string[];
  /** Embeddings kept per gallery person (0: all), chosen as `facerec celebrities build` does. */
  perPerson: number;
  scale: number;
  toContract: (raw: number) => number;
  cache?: string;
  thresholds: number[];
  /** Margins to measure: a probe is named only when the next identity is at least this much farther. */
  margins: number[];
}

export interface GallerySizeResult {
  gallery_people: number;
  gallery_vectors: number;
  per_person: number;
  known_probes: number;
  stranger_probes: number;
  no_face: number;
  at: OpenSetAt[];
  /** At the product's default: max_distance 1.0 adjusted for the gallery's size (libs/engine/decision.ts). */
  at_default: OpenSetAt & { aliases_named: number };
  /** The margin rule at each threshold. */
  with_margin: (OpenSetAt & { margin: number })[];
  dir_at_1pct: { threshold: number; dir: number };
  rank1: number;
}

/**
 * Open set as the celebrities gallery meets it: every person in the gallery, those with two or more
 * photos with their last photo held out as a probe (the gallery keeps the others); strangers are
 * LFW people held out of the gallery entirely plus the people of `strangerDirs`.
 */
export async function runGallerySize(engine: FaceEngine, opts: GallerySizeOptions, out: (line: string) => void): Promise<GallerySizeResult> {
  const people = personFolders(opts.imagesDir);
  const strangers = evenly(people.filter((p) => p.photos.length === 1), opts.strangers);
  const held = new Set(strangers.map((p) => p.name));
  const gallery = evenly(people.filter((p) => !held.has(p.name)), opts.gallerySize);
  const files = [...gallery, ...strangers].flatMap((p) => p.photos.map((f) => join(p.name, f)));
  const embeddings = await embedPhotos(engine, opts.imagesDir, files, { scale: opts.scale, cache: opts.cache, label: 'gallery-size photos' });
  const extra: { person: string; embedding: Float32Array | null }[] = [];
  for (const dir of opts.strangerDirs) {
    const folder = personFolders(dir).filter((p) => !opts.exclude.includes(p.name));
    const e = await embedPhotos(engine, dir, folder.flatMap((p) => p.photos.map((f) => join(p.name, f))), { scale: opts.scale, label: `strangers ${dir}` });
    for (const p of folder) for (const f of p.photos) extra.push({ person: `${dir}/${p.name}`, embedding: e.get(join(p.name, f)) ?? null });
  }

  const samples: Sample[] = [];
  const faces: { person: string; known: boolean; embedding: Float32Array | null }[] = [];
  for (const p of gallery) {
    const photos = p.photos.map((f) => embeddings.get(join(p.name, f)) ?? null);
    const probe = photos.length >= 2 ? photos.pop()! : undefined;
    if (probe !== undefined) faces.push({ person: p.name, known: true, embedding: probe });
    for (const e of coveringSubset(photos.filter((x): x is Float32Array => !!x), opts.perPerson)) samples.push({ person: p.name, embedding: e });
  }
  for (const p of strangers) faces.push({ person: p.name, known: false, embedding: embeddings.get(join(p.name, p.photos[0]!)) ?? null });
  for (const e of extra) faces.push({ person: e.person, known: false, embedding: e.embedding });
  const probes: Probe[] = faces.map((f) => ({
    person: f.person,
    known: f.known,
    nearest: f.embedding ? nearestIdentity(samples, (i) => opts.toContract(euclidean(f.embedding!, samples[i]!.embedding))) : null,
  }));

  const tDefault = sizeAdjustedMaxDistance(DEFAULT_THRESHOLD, gallery.length);
  // Strangers named with an alias of theirs (one person under two LFW names) are reported apart.
  const aliases = probes.filter((p) => !p.known && p.nearest && p.nearest.distance <= tDefault && areAliases(p.person, p.nearest.person));
  const atDefault = { ...rates(probes.filter((p) => !aliases.includes(p)), tDefault), aliases_named: aliases.length };
  const dir1 = dirAt(probes, 0.01);
  const result: GallerySizeResult = {
    gallery_people: gallery.length,
    gallery_vectors: samples.length,
    per_person: opts.perPerson,
    known_probes: probes.filter((p) => p.known).length,
    stranger_probes: probes.filter((p) => !p.known).length,
    no_face: probes.filter((p) => !p.nearest).length,
    at: opts.thresholds.map((t) => rates(probes, t)),
    at_default: atDefault,
    with_margin: opts.thresholds.flatMap((t) => opts.margins.map((margin) => ({ ...rates(probes, t, (n) => n.distance <= t && n.next - n.distance >= margin), margin }))),
    dir_at_1pct: dir1,
    rank1: rank1(probes),
  };
  out(`gallery ${result.gallery_people} people (${result.gallery_vectors} vectors, up to ${opts.perPerson || 'all'} per person); ${result.known_probes} held-out known probes, ${result.stranger_probes} stranger photos; no face in ${result.no_face}`);
  out('| max_distance | named right | named wrong | strangers named |');
  out('|---|---|---|---|');
  for (const s of result.at) out(`| ${s.threshold.toFixed(2)} | ${pct(s.named_right)} | ${pct(s.named_wrong)} | ${pct(s.strangers_named)} |`);
  const d = result.at_default;
  out(`at the default (max_distance 1.0 for ${result.gallery_people} people → ${d.threshold.toFixed(3)}): named right ${pct(d.named_right)}, wrong ${pct(d.named_wrong)}, strangers named ${pct(d.strangers_named)} (besides ${d.aliases_named} named with their own LFW alias)`);
  if (result.with_margin.length > 0) {
    out('| max_distance | margin to the next identity | named right | named wrong | strangers named |');
    out('|---|---|---|---|---|');
    for (const s of result.with_margin) out(`| ${s.threshold.toFixed(2)} | ${s.margin.toFixed(2)} | ${pct(s.named_right)} | ${pct(s.named_wrong)} | ${pct(s.strangers_named)} |`);
  }
  out(`DIR at 1 % strangers named: ${pct(result.dir_at_1pct.dir)} (max_distance ${result.dir_at_1pct.threshold.toFixed(3)}); closed-set rank-1 ${pct(result.rank1)}`);
  return result;
}

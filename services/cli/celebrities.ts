// `facerec celebrities build [--data ../shared/data] [--sources lfw,pins,cfp,congress,bundestag] …`:
// the pre-trained `celebrities` gallery artefact from its sources — LFW (a folder of person
// folders, names with underscores) and the sources of `celebrities/people.csv` (Pins, CFP, US
// Congress, Bundestag). Every enrolment photo is detected, aligned and embedded by the running
// engine (the face nearest the centre; cached with --cache / --sources-cache); one person of
// several sources becomes one identity where names propose it and faces confirm it
// (libs/celebrities/merge.ts); up to K embeddings per identity that cover its photos are kept.
// A report beside the artefact lists people and photos per source, photos without a usable face,
// merges, conflicts (never shipped or kept apart), outliers and the licences per source.
// `--images <dir>` (instead of LFW) builds from any labelled `<person>/<image>` folder.
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CELEBRITIES_ARTEFACT } from '../../models/catalog.js';
import { FaceEngine } from '../../libs/engine/engine.js';
import { embedPhotos } from '../../libs/eval/photo-embeddings.js';
import { writeGalleryArtefact, type GalleryArtefactHeader } from '../../libs/gallery/artefact.js';
import { LFW_ALIASES } from '../../libs/eval/lfw-aliases.js';
import { buildCelebrities, DEFAULT_THRESHOLDS, licenceSummary, readCuratedMetadata, type BuildResult } from '../../libs/celebrities/build.js';
import { readPeopleCsv, readPersonFolders, SOURCE_INFO, SOURCES, type SourceId, type SourceRecord } from '../../libs/celebrities/sources.js';
import type { PhotoEmbeddings } from '../../libs/eval/photo-embeddings.js';
import { measureDistances } from '../../libs/celebrities/distributions.js';
import { ROOT } from '../checkout.js';
import { parseIntOption, UsageError } from './args.js';

export const CELEBRITIES_USAGE =
  '  facerec celebrities build [--data ../shared/data] [--sources lfw,pins,cfp,congress,bundestag] [--lfw <dir>|--images <dir of person folders>] [--celebrities <dir>] [--cache lfw.json] [--sources-cache sources.json] [--per-person 10] [--cover-radius 0.8] [--out models/galleries/celebrities.fgal] [--artefact-version 2]';
/** Measured with `facerec eval openset --gallery-size` (models/README.md): 3 covers a person at a third of "all"'s size. */
export const DEFAULT_PER_PERSON = 10;
/** Vectors are chosen until every photo of the person lies within this of one (models/README.md). */
export const DEFAULT_COVER_RADIUS = 0.8;
/** The hand-curated category and country of CFP and Pins people (models/README.md says how it was made). */
export const CURATED_METADATA = join(ROOT, 'models', 'galleries', 'celebrities.people.tsv');

export interface SourcesOptions {
  sources: SourceId[];
  lfwDir: string;
  celebritiesDir: string;
  lfwCache?: string;
  sourcesCache?: string;
  scale: number;
}

export const SOURCE_OPTIONS = {
  data: { type: 'string' },
  sources: { type: 'string', default: SOURCES.join(',') },
  lfw: { type: 'string' },
  images: { type: 'string' },
  celebrities: { type: 'string' },
  cache: { type: 'string' },
  'sources-cache': { type: 'string' },
  scale: { type: 'string', default: '600' },
} as const;

/** The sources named by the options (`--data` defaults to ../shared/data beside the checkout). */
export function sourcesOptions(values: { data?: string; sources?: string; lfw?: string; images?: string; celebrities?: string; cache?: string; 'sources-cache'?: string; scale?: string }): SourcesOptions {
  const data = resolve(values.data ?? process.env.FACEREC_TEST_DATA ?? join(ROOT, '..', 'shared', 'data'));
  const sources = (values.sources ?? SOURCES.join(',')).split(',').filter(Boolean);
  for (const s of sources) if (!(SOURCES as readonly string[]).includes(s)) throw new UsageError(`--sources: unknown source '${s}' (${SOURCES.join(', ')})`);
  return {
    sources: sources as SourceId[],
    lfwDir: values.images ?? values.lfw ?? join(data, 'lfw-dev', 'images'),
    celebritiesDir: values.celebrities ?? join(data, 'celebrities'),
    lfwCache: values.cache,
    sourcesCache: values['sources-cache'],
    scale: parseIntOption('scale', values.scale ?? '600'),
  };
}

/** Every source person and the embedding of each of their photos (embedding only what the caches lack). */
export async function loadSources(engine: FaceEngine, o: SourcesOptions): Promise<{ records: SourceRecord[]; embeddings: (s: SourceId) => PhotoEmbeddings }> {
  const records: SourceRecord[] = [];
  const lfw = o.sources.includes('lfw') ? readPersonFolders(o.lfwDir) : [];
  const others = o.sources.filter((s) => s !== 'lfw');
  const csv = others.length > 0 ? readPeopleCsv(o.celebritiesDir, others) : [];
  records.push(...lfw, ...csv);
  const lfwEmb = lfw.length ? await embedPhotos(engine, o.lfwDir, lfw.flatMap((r) => r.photos.map((p) => p.file)), { scale: o.scale, cache: o.lfwCache, label: 'LFW photos' }) : new Map();
  const csvEmb = csv.length ? await embedPhotos(engine, o.celebritiesDir, csv.flatMap((r) => r.photos.map((p) => p.file)), { scale: o.scale, cache: o.sourcesCache, label: 'celebrities photos' }) : new Map();
  return { records, embeddings: (s) => (s === 'lfw' ? lfwEmb : csvEmb) };
}

export async function celebritiesCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'build') throw new UsageError(`celebrities: unknown command '${sub ?? ''}' (build)`);
  const { values } = parseArgs({
    args: rest,
    options: {
      ...SOURCE_OPTIONS,
      'per-person': { type: 'string', default: String(DEFAULT_PER_PERSON) },
      'cover-radius': { type: 'string', default: String(DEFAULT_COVER_RADIUS) },
      out: { type: 'string', default: CELEBRITIES_ARTEFACT },
      'artefact-version': { type: 'string', default: '2' },
    },
  });
  const perPerson = parseIntOption('per-person', values['per-person']);
  if (perPerson < 0) throw new UsageError('--per-person must be 0 (all) or more');
  const version = parseIntOption('artefact-version', values['artefact-version']);
  if (version !== 1 && version !== 2) throw new UsageError('--artefact-version is 1 (names and vectors, for matchers before the metadata) or 2');
  const coverRadius = Number(values['cover-radius']);
  if (!(coverRadius > 0)) throw new UsageError('--cover-radius must be a distance above 0 (2: no early stop)');
  const o = sourcesOptions(values);
  const started = performance.now();
  const engine = await FaceEngine.load();
  const { records, embeddings } = await loadSources(engine, o);
  const photos = records.reduce((n, r) => n + r.photos.length, 0);
  process.stderr.write(`celebrities: ${records.length} source people, ${photos} photos (${o.sources.join(', ')})\n`);
  const result = buildCelebrities({ records, embeddings, perPerson, coverRadius, curated: readCuratedMetadata(CURATED_METADATA), lfwAliases: LFW_ALIASES.map(([a, b]) => [a, b] as const) });
  const kept = result.identities;
  const noFace = result.noFace.length;
  const sources = o.sources.map((s) => ({ id: s, title: SOURCE_INFO[s].title, licence: SOURCE_INFO[s].licence, people: result.bySource[s]?.people ?? 0, photos: result.bySource[s]?.photos ?? 0 }));
  const header: GalleryArtefactHeader = {
    format: 'facerec-gallery',
    version: version as 1 | 2,
    name: 'celebrities',
    embedder: { model: engine.embedder.model, sha256: engine.embedder.sha256, dimension: engine.embedder.dimension },
    source: { dataset: describeSources(o.sources, kept.length), people: kept.length, photos, embedded: photos - noFace, noFace },
    perPerson,
    quantisation: 'int8, one float32 scale per vector',
    // SOURCE_DATE_EPOCH (reproducible builds): the same sources and caches give the same bytes.
    built: new Date(process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) * 1000 : Date.now()).toISOString(),
    people: kept.map(({ name, vectors, aliases, category, country, sources }) => ({ name, vectors, ...(aliases?.length ? { aliases } : {}), ...(category ? { category } : {}), ...(country ? { country } : {}), sources })),
    sources,
  };
  const sha256 = writeGalleryArtefact(values.out, header, kept.map((p) => p.vectorsOf));
  const distances = measureDistances(records, embeddings, DEFAULT_THRESHOLDS);
  const report = { ...buildReport(values.out, sha256, header, result, records, o.sources), distances: { ...distances, name_pairs_across_sources: namePairs(result) } };
  writeFileSync(`${values.out.replace(/\.fgal$/, '')}.report.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify({ ...summary(report), seconds: Math.round((performance.now() - started) / 1000) }));
}

function describeSources(sources: readonly SourceId[], people: number): string {
  const names: Record<SourceId, string> = { lfw: 'LFW', pins: 'Pins', cfp: 'CFP', congress: 'US Congress members since 1947', bundestag: 'Bundestag members 2013–17' };
  return `${people.toLocaleString('en')} public figures merged from ${sources.map((s) => names[s]).join(', ')}`;
}

function buildReport(out: string, sha256: string, header: GalleryArtefactHeader, r: BuildResult, records: SourceRecord[], sources: readonly SourceId[]) {
  const mergesByKind: Record<string, number> = {};
  for (const m of r.merges) mergesByKind[m.kind] = (mergesByKind[m.kind] ?? 0) + 1;
  const conflictsByKind: Record<string, number> = {};
  for (const c of r.conflicts) conflictsByKind[c.kind] = (conflictsByKind[c.kind] ?? 0) + 1;
  const bySourceCount = (k: 'category' | 'country') => {
    const c: Record<string, number> = {};
    for (const p of header.people) c[p[k] ?? 'unknown'] = (c[p[k] ?? 'unknown'] ?? 0) + 1;
    return c;
  };
  const multi = header.people.filter((p) => (p.sources?.length ?? 0) > 1).length;
  return {
    artefact: relative(process.cwd(), out),
    sha256,
    format_version: header.version,
    embedder: header.embedder,
    identities: header.people.length,
    vectors: header.people.reduce((n, p) => n + p.vectors, 0),
    per_person: header.perPerson,
    identities_from_several_sources: multi,
    categories: bySourceCount('category'),
    countries: bySourceCount('country'),
    thresholds: DEFAULT_THRESHOLDS,
    sources: Object.fromEntries(sources.map((s) => [s, { ...r.bySource[s], title: SOURCE_INFO[s].title, licence: licenceSummary(records, s) }])),
    merges: { total: r.merges.length, by_kind: mergesByKind, list: r.merges },
    conflicts: { total: r.conflicts.length, by_kind: conflictsByKind, list: r.conflicts },
    not_shipped: r.notShipped,
    disambiguated: r.disambiguated,
    outlier_photos: r.outliers,
    refused_merges: r.refused,
    no_face_photos: r.noFace.map((x) => `${x.source}:${x.file}`),
  };
}

/** The faces' median distance of every pair of people that names proposed, by kind of name evidence: how far apart same-name people lie. */
function namePairs(r: BuildResult): Record<string, { pairs: number; histogram: Record<string, number> }> {
  const out: Record<string, { pairs: number; histogram: Record<string, number> }> = {};
  for (const m of [...r.merges, ...r.refused]) {
    const k = (out[m.kind] ??= { pairs: 0, histogram: {} });
    k.pairs++;
    const bin = (Math.floor(m.distance * 10) / 10).toFixed(1);
    k.histogram[bin] = (k.histogram[bin] ?? 0) + 1;
  }
  for (const k of Object.values(out)) k.histogram = Object.fromEntries(Object.entries(k.histogram).sort());
  return out;
}

function summary(report: ReturnType<typeof buildReport>) {
  return {
    artefact: report.artefact,
    identities: report.identities,
    vectors: report.vectors,
    merges: report.merges.by_kind,
    conflicts: report.conflicts.by_kind,
    not_shipped: report.not_shipped.length,
    outliers: report.outlier_photos.length,
    no_face: report.no_face_photos.length,
  };
}

// The `celebrities` gallery from its sources: every source person's enrolment photos (embedded by
// the running engine, cached), merged into one identity per person (libs/celebrities/merge.ts),
// named as people write the name, with the other names as aliases, category, country and sources,
// and up to K vectors per identity chosen to cover its photos. Used by `facerec celebrities build`
// (the artefact) and by `facerec eval openset --gallery celebrities` (the same gallery, with LFW's
// last photos held out).
import { existsSync, readFileSync } from 'node:fs';
import { meanOfViews } from '../engine/embedder.js';
import { coveringSubset, type ArtefactPerson } from '../gallery/artefact.js';
import type { PhotoEmbeddings } from '../eval/photo-embeddings.js';
import { IDENTITY_CATEGORIES, type IdentityCategory } from '../gallery/gallery-store.js';
import { displayForm, editDistance, exactKey, shortKey } from './names.js';
import { label, mergePeople, type Conflict, type MergeRecord, type MergeThresholds, type SourcePerson } from './merge.js';
import { SOURCE_INFO, type SourceId, type SourceRecord } from './sources.js';

/**
 * Measured on the sources themselves (`facerec celebrities build` prints the distributions; see
 * models/README.md): photos of one person lie within 1.30 of each other for all but a few
 * per mille of LFW's same-person pairs, photos of two people above it for all but ~0.1 %.
 */
export const DEFAULT_THRESHOLDS: MergeThresholds = { sameFace: 1.3, merge: 1.25, nearMerge: 1.1 };

/** Which source's spelling names an identity: the curated sources first, CFP (whose names carry typos) last. */
const NAME_PRIORITY: readonly SourceId[] = ['lfw', 'pins', 'congress', 'bundestag', 'cfp'];

/** Hand-curated category and country of people whose source does not give them: exact name key → both. */
export type CuratedMetadata = Map<string, { category?: IdentityCategory; country?: string }>;

/** The curated table: tab-separated `name, category, country` lines ('#' comments). */
export function readCuratedMetadata(path: string): CuratedMetadata {
  const out: CuratedMetadata = new Map();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [name, category, country] = line.split('\t').map((s) => s.trim());
    if (category && !(IDENTITY_CATEGORIES as readonly string[]).includes(category)) throw new Error(`${path}: "${name}" has category "${category}" (one of ${IDENTITY_CATEGORIES.join(', ')})`);
    out.set(exactKey(name!), { category: (category || undefined) as IdentityCategory | undefined, country: country || undefined });
  }
  return out;
}

export interface CelebrityIdentity extends ArtefactPerson {
  aliases: string[];
  sources: SourceId[];
  vectorsOf: Float32Array[];
  members: { source: SourceId; id: string; name: string }[];
}

export interface BuildInput {
  records: SourceRecord[];
  /** Embeddings per source ('lfw' keyed by paths under the LFW folder, the others by people.csv's `file`). */
  embeddings: (source: SourceId) => PhotoEmbeddings;
  /** Photo vectors kept per identity at most (0: all); an identity of two or more photos has their mean besides. */
  perPerson: number;
  /** Stop choosing a person's vectors once every photo of theirs lies within this of one chosen. */
  coverRadius?: number;
  thresholds?: MergeThresholds;
  curated?: CuratedMetadata;
  /** Photos (source:file) not to enrol (held out by an evaluation). */
  holdOut?: ReadonlySet<string>;
  /** LFW's people under two names (folder pairs). */
  lfwAliases?: readonly (readonly [string, string])[];
}

export interface SourceCounts {
  people: number;
  photos: number;
  enrolment_photos: number;
  probe_photos: number;
  no_face: number;
  people_without_any_face: number;
}

export interface BuildResult {
  identities: CelebrityIdentity[];
  bySource: Partial<Record<SourceId, SourceCounts>>;
  merges: MergeRecord[];
  refused: MergeRecord[];
  conflicts: Conflict[];
  outliers: { person: string; file: string; distance: number }[];
  noFace: { source: SourceId; file: string }[];
  /** Source people whose own photos disagree: not shipped. */
  notShipped: string[];
  /** Identities whose display name another identity also has, told apart by a suffix. */
  disambiguated: string[];
}

/**
 * The name an identity is shown under: the spelling of the first source by NAME_PRIORITY, unless
 * another source (not CFP) writes the same name more fully — accents, apostrophes, hyphens, inner
 * capitals: "Jürgen Trittin" (Bundestag) over LFW's "Juergen Trittin", "Thomas O'Brien" over
 * "Thomas OBrien". Only spellings of one name compete (given name and surname within 2 edits), so
 * a known variant ("Bernie" for Bernard) never replaces the first source's name.
 */
export function displayName(members: readonly { source: string; name: string }[]): string {
  const first = members[0]!;
  const fullness = (n: string) => (n.match(/[^\x00-\x7f]|['’\-]|(?<=\p{Ll})\p{Lu}/gu) ?? []).length;
  let best = displayForm(first.name);
  for (const m of members.slice(1)) {
    if (m.source === 'cfp') continue;
    const candidate = displayForm(m.name);
    if (editDistance(shortKey(candidate), shortKey(best), 2) <= 2 && fullness(candidate) > fullness(best)) best = candidate;
  }
  return best;
}

export function buildCelebrities(input: BuildInput): BuildResult {
  const t = input.thresholds ?? DEFAULT_THRESHOLDS;
  const bySource: Partial<Record<SourceId, SourceCounts>> = {};
  const noFace: BuildResult['noFace'] = [];
  const people: SourcePerson[] = [];
  for (const r of input.records) {
    const c = (bySource[r.source] ??= { people: 0, photos: 0, enrolment_photos: 0, probe_photos: 0, no_face: 0, people_without_any_face: 0 });
    const e = input.embeddings(r.source);
    c.people++;
    c.photos += r.photos.length;
    let any = false;
    const photos: SourcePerson['photos'] = [];
    for (const p of r.photos) {
      const embedding = e.get(p.file) ?? null;
      if (!embedding) {
        c.no_face++;
        noFace.push({ source: r.source, file: p.file });
      } else any = true;
      if (p.role !== 'enrol') {
        c.probe_photos++;
        continue;
      }
      c.enrolment_photos++;
      if (embedding && !input.holdOut?.has(`${r.source}:${p.file}`)) photos.push({ file: p.file, embedding });
    }
    if (!any) c.people_without_any_face++;
    if (photos.length > 0) people.push({ source: r.source, id: r.id, name: r.name, category: r.category, country: r.country, born: r.born, photos });
  }
  const aliases = (input.lfwAliases ?? []).map(([a, b]) => [`lfw:${a}`, `lfw:${b}`] as const);
  const merged = mergePeople(people, t, aliases);
  const curated = input.curated ?? new Map();

  const identities: CelebrityIdentity[] = merged.identities.map((m) => {
    const members = [...m.members].sort((a, b) => NAME_PRIORITY.indexOf(a.source as SourceId) - NAME_PRIORITY.indexOf(b.source as SourceId));
    const name = displayName(members);
    const aliases = [...new Set(members.flatMap((p) => [displayForm(p.name), p.name.replace(/_/g, ' ')]))].filter((a) => a !== name);
    const meta = members.map((p) => curated.get(exactKey(p.name))).find(Boolean);
    const politician = members.find((p) => p.category);
    const category = meta?.category ?? (politician?.category as IdentityCategory | undefined);
    const country = meta?.country ?? members.find((p) => p.country)?.country;
    const sources = [...new Set(members.map((p) => p.source as SourceId))].sort((a, b) => NAME_PRIORITY.indexOf(a) - NAME_PRIORITY.indexOf(b));
    const vectorsOf = coveringSubset(m.embeddings, input.perPerson, input.coverRadius);
    // Beside the photos that cover the person, the direction of their mean: a probe of an unusual
    // photo (makeup, age, light) lies nearer the person's average face than to any one photo, while
    // a stranger who resembles one photo does not (models/README: Pins 83 → 89 % named right,
    // strangers named unchanged). One photo is its own mean.
    if (m.embeddings.length >= 2) vectorsOf.push(meanOfViews(m.embeddings, true));
    return {
      name,
      aliases,
      ...(category ? { category } : {}),
      ...(country ? { country } : {}),
      sources,
      vectors: vectorsOf.length,
      vectorsOf,
      members: members.map((p) => ({ source: p.source as SourceId, id: p.id, name: p.name })),
    };
  });
  // One display name per identity: of two people of one name, those whose source gives a birth
  // year (Congress) are told apart by it ("Jesse Jackson (b. 1965)"); the other keeps the name.
  const disambiguated: string[] = [];
  const byName = new Map<string, CelebrityIdentity[]>();
  for (const i of identities) byName.set(i.name.toLowerCase(), [...(byName.get(i.name.toLowerCase()) ?? []), i]);
  const bornOf = new Map(people.map((p) => [`${p.source}:${p.id}`, p.born]));
  for (const same of byName.values()) {
    if (same.length < 2) continue;
    for (const i of same) {
      const born = i.members.map((m) => bornOf.get(`${m.source}:${m.id}`)).find(Boolean);
      if (!born || i.name.includes('(')) continue;
      const before = i.name;
      i.name = `${i.name} (b. ${born})`;
      i.aliases = [...new Set([before, ...i.aliases])];
      disambiguated.push(`${before} → ${i.name}`);
    }
  }
  const taken = new Set<string>();
  for (const i of identities) {
    let name = i.name;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${i.name} (${n})`;
    if (name !== i.name) disambiguated.push(`${i.name} → ${name}`);
    i.name = name;
    taken.add(name.toLowerCase());
  }
  identities.sort((a, b) => a.name.localeCompare(b.name));
  return {
    identities,
    bySource,
    merges: merged.merges,
    refused: merged.refused,
    conflicts: merged.conflicts,
    outliers: merged.outliers,
    noFace,
    notShipped: merged.dropped.map(label),
    disambiguated,
  };
}

/** Licences of a source's photos, counted by kind (Congress: the clause before the member's details; sources named once per photo grouped). */
export function licenceSummary(records: readonly SourceRecord[], source: SourceId): Record<string, number> {
  const counts: Record<string, number> = {};
  const photos = records.filter((r) => r.source === source);
  if (photos.every((r) => r.licences.length === 0)) return { [SOURCE_INFO[source].licence]: photos.reduce((n, r) => n + r.photos.length, 0) };
  for (const r of photos)
    for (const l of r.licences) {
      let kind = (source === 'congress' ? l.split(';')[0]! : l).replace(/\{.*\}/, '').replace(/\(party [^)]*\)/, '').replace(/\s+/g, ' ').trim();
      if (/^manual \(/.test(kind)) kind = 'other, named per photo (newspapers, state directories, Find a Grave, …)';
      if (!kind) kind = 'not stated';
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

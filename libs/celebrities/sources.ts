// The photo sources of the `celebrities` gallery and which of their photos enrol a person:
// LFW (a folder of person folders) and the sources listed in `celebrities/people.csv` (Pins, CFP,
// US Congress, Bundestag: one row per photo with source, name, category, country and licence).
// Nothing of them is committed; the build reads them from `../shared/data` or a folder named on
// the command line and ships vectors and names.
//
// Enrolment is fixed per source so that what is left over are fair probes for
// `facerec eval openset --gallery celebrities`: Pins enrols its first 10 photos of 20 (the other
// 10 are probes); CFP enrols its frontal photos but the last (the last frontal and the profile
// photos are probes); LFW, Congress and the Bundestag enrol every photo.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { personFolders } from '../eval/photo-embeddings.js';
import { displayName } from '../gallery/artefact.js';

export const SOURCES = ['lfw', 'pins', 'cfp', 'congress', 'bundestag'] as const;
export type SourceId = (typeof SOURCES)[number];

/** Origin and licence of each source, in words (the artefact, the model info and models/README.md say them). */
export const SOURCE_INFO: Record<SourceId, { title: string; licence: string }> = {
  lfw: { title: 'LFW, Labeled Faces in the Wild (University of Massachusetts, Amherst), news photos of 2002–2007', licence: 'no licence stated; the authors ask for citation; research data set' },
  pins: { title: 'Pins face recognition (Kaggle; photos collected from Pinterest), 2010s', licence: 'no licence stated (scraped from Pinterest)' },
  cfp: { title: 'CFP, Celebrities in Frontal-Profile in the Wild (Sengupta et al., WACV 2016)', licence: 'research use' },
  congress: { title: 'US Congress members since 1947 (voteview member photos)', licence: 'mostly public domain (Congress Biographical Directory); some Wikimedia Commons (CC BY-SA and others, named per photo)' },
  bundestag: { title: 'German Bundestag members, 18th term (2013–17)', licence: 'per photo: CC BY-SA (Wikimedia) or party press photos (SPD, Grüne, Linke)' },
};

export type PhotoRole = 'enrol' | 'frontal-probe' | 'profile-probe';

export interface SourcePhoto {
  /** Path relative to the source's root (the embedding cache's key). */
  file: string;
  role: PhotoRole;
}

export interface SourceRecord {
  source: SourceId;
  id: string;
  name: string;
  category?: string;
  country?: string;
  born?: number;
  /** Per photo licence where the source states one per photo; a summary otherwise. */
  licences: string[];
  photos: SourcePhoto[];
}

/** Pins photos enrolled per person (of 20); the others are probes. */
export const PINS_ENROLLED = 10;

/** One CSV line's fields (RFC 4180 quoting). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') [cur, i] = [cur + '"', i + 1];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    }
    else cur += c;
  }
  out.push(cur);
  return out;
}

/** The people of people.csv, of the sources asked for, with each photo's role. */
export function readPeopleCsv(dir: string, sources: readonly SourceId[]): SourceRecord[] {
  const lines = readFileSync(join(dir, 'people.csv'), 'utf8').split(/\r?\n/).filter(Boolean);
  const header = csvFields(lines[0]!);
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${join(dir, 'people.csv')} has no column "${name}"`);
    return i;
  };
  const [cSource, cId, cName, cCategory, cCountry, cLicence, cFile] = ['source', 'source_id', 'name', 'category', 'country', 'licence', 'file'].map(col) as number[];
  const people = new Map<string, SourceRecord>();
  for (const line of lines.slice(1)) {
    const f = csvFields(line);
    const source = f[cSource!] as SourceId;
    if (!sources.includes(source)) continue;
    // A person is their folder: Congress members with two member ids have one folder and two photos.
    const file = f[cFile!]!;
    const folder = file.split('/').slice(0, 2).join('/');
    const key = `${source}|${folder}`;
    let p = people.get(key);
    if (!p) {
      const category = f[cCategory!]!;
      const licence = f[cLicence!]!;
      p = {
        source,
        id: f[cId!]!,
        name: f[cName!]!,
        category: /^(politics|sports?|business|entertainment)$/.test(category) ? category.replace(/^sport$/, 'sports') : undefined,
        country: f[cCountry!] || undefined,
        born: Number(/born (\d{4})/.exec(licence)?.[1]) || undefined,
        licences: [],
        photos: [],
      };
      people.set(key, p);
    }
    p.licences.push(f[cLicence!]!);
    p.photos.push({ file, role: 'enrol' });
  }
  for (const p of people.values()) assignRoles(p);
  return [...people.values()];
}

function assignRoles(p: SourceRecord): void {
  p.photos.sort((a, b) => a.file.localeCompare(b.file));
  if (p.source === 'pins') p.photos.forEach((x, i) => (x.role = i < PINS_ENROLLED ? 'enrol' : 'frontal-probe'));
  if (p.source === 'cfp') {
    const frontal = p.photos.filter((x) => /\/frontal_[^/]+$/.test(x.file));
    for (const x of p.photos) if (!frontal.includes(x)) x.role = 'profile-probe';
    if (frontal.length >= 2) frontal[frontal.length - 1]!.role = 'frontal-probe';
  }
}

/** A folder of person folders (LFW's layout, names with underscores): every photo enrols. */
export function readPersonFolders(dir: string, source: SourceId = 'lfw'): SourceRecord[] {
  return personFolders(dir).map((p) => ({ source, id: p.name, name: displayName(p.name), licences: [], photos: p.photos.map((f) => ({ file: join(p.name, f), role: 'enrol' as const })) }));
}

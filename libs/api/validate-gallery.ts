// Bodies of the gallery routes (SPEC §3): models, identities, imports. Same rules as jobs: the
// first offending value is reported with its dotted path, nothing is trimmed or clamped.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { invalid } from './errors.js';
import {
  describeValue,
  isObject,
  rejectUnknownKeys,
  requireArray,
  requireName,
  requireObject,
  requireSource,
  requireString,
  requireText,
} from './fields.js';
import { MAX_MODEL_REF_LENGTH } from './validate-job.js';
import { IDENTITY_CATEGORIES, type IdentityCategory } from '../gallery/gallery-store.js';

export const MAX_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 2000;
export const MAX_IMAGES_PER_REQUEST = 100;
export const MAX_IMPORT_PATH_LENGTH = 4096;

const UUID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ModelCreate {
  name: string;
  description: string;
}

export interface IdentityCreate {
  name: string;
  /** Sources (http(s) URLs or storage://<id>), exactly as given. */
  images: string[];
}

/** POST /api/v1/models/ {name, description?} */
export function parseModelCreate(body: unknown): ModelCreate {
  const obj = requireObject(body, null);
  rejectUnknownKeys(obj, ['name', 'description'], null);
  const name = parseModelName(obj.name, 'name');
  const description =
    obj.description == null ? '' : requireString(obj.description, 'description');
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalid('description', `must be at most ${MAX_DESCRIPTION_LENGTH} characters, got ${description.length}`);
  }
  return { name, description };
}

/**
 * A model is addressed by id or by name in the same path segment and in `model`/`models`, so a
 * name must never read as an id (UUID) nor as a path (a '/', or a segment URL clients collapse).
 */
export function parseModelName(value: unknown, field: string): string {
  if (value === undefined) throw invalid(field, 'is required');
  const name = requireName(value, field, MAX_NAME_LENGTH);
  if (name.includes('/')) throw invalid(field, `must not contain "/", got ${describeValue(name)}`);
  if (name === '.' || name === '..') throw invalid(field, `must not be "." or "..", got ${describeValue(name)}`);
  if (UUID_LIKE.test(name)) {
    throw invalid(field, `must not look like a UUID (ids and names share the same paths), got ${describeValue(name)}`);
  }
  return name;
}

/**
 * POST /api/v1/models/{model}/identities/ {name, images}. With `multipart`, the images come as
 * uploaded files, so `images` (URLs or storage ids sent alongside) may be absent or empty.
 */
export function parseIdentityCreate(body: unknown, opts: { multipart: boolean }): IdentityCreate {
  const obj = requireObject(body, null);
  rejectUnknownKeys(obj, ['name', 'images'], null);
  const name = parseIdentityName(obj.name, 'name');
  if (obj.images == null) {
    if (opts.multipart) return { name, images: [] };
    throw invalid('images', 'is required: a list of http(s) URLs or storage://<id>');
  }
  const images = requireArray(obj.images, 'images', opts.multipart ? 0 : 1, MAX_IMAGES_PER_REQUEST).map((s, i) =>
    requireSource(s, `images[${i}]`),
  );
  return { name, images };
}

/** PATCH /api/v1/models/{model}/identities/{identity}/ {name} */
export function parseIdentityRename(body: unknown): { name: string } {
  const obj = requireObject(body, null);
  rejectUnknownKeys(obj, ['name'], null);
  return { name: parseIdentityName(obj.name, 'name') };
}

/** PATCH /api/v1/identities/{id}/ {name, model}: names an indexed identity into a model. */
export function parseIndexedNaming(body: unknown): { name: string; model: string } {
  const obj = requireObject(body, null);
  rejectUnknownKeys(obj, ['name', 'model'], null);
  const name = parseIdentityName(obj.name, 'name');
  if (obj.model === undefined) throw invalid('model', 'is required: the id or name of the model to put the identity in');
  return { name, model: requireName(obj.model, 'model', MAX_MODEL_REF_LENGTH) };
}

/**
 * Query of GET /api/v1/models/{model}/identities/: `q`, a part of a name (found ignoring case),
 * besides `limit` and `offset` (parsePage). Other keys are refused, so a misspelt filter is not
 * silently ignored.
 */
export function parseIdentitySearch(query: unknown): { q: string | null; category: IdentityCategory | null; country: string | null } {
  const obj = isObject(query) ? query : {};
  rejectUnknownKeys(obj, ['q', 'category', 'country', 'limit', 'offset'], null);
  for (const key of ['q', 'category', 'country']) if (Array.isArray(obj[key])) throw invalid(key, 'must be given once');
  const q = obj.q === undefined ? null : requireText(obj.q, 'q', MAX_NAME_LENGTH);
  let category: IdentityCategory | null = null;
  if (obj.category !== undefined) {
    if (typeof obj.category !== 'string' || !(IDENTITY_CATEGORIES as readonly string[]).includes(obj.category)) throw invalid('category', `must be one of ${IDENTITY_CATEGORIES.join(', ')}`);
    category = obj.category as IdentityCategory;
  }
  let country: string | null = null;
  if (obj.country !== undefined) {
    if (typeof obj.country !== 'string' || !/^[A-Za-z]{2}$/.test(obj.country)) throw invalid('country', 'must be a two-letter ISO 3166-1 country code (DE, US, …)');
    country = obj.country.toUpperCase();
  }
  return { q, category, country };
}

/** Identities are addressed by id only, so their names are free text apart from the edges. */
export function parseIdentityName(value: unknown, field: string): string {
  if (value === undefined) throw invalid(field, 'is required');
  return requireName(value, field, MAX_NAME_LENGTH);
}

/** POST /api/v1/models/{model}/import-folder/ {path}: a folder laid out <person>/<image>. */
export function parseFolderImport(body: unknown): { path: string } {
  const obj = requireObject(body, null);
  rejectUnknownKeys(obj, ['path'], null);
  if (obj.path === undefined) throw invalid('path', 'is required');
  return { path: requireText(obj.path, 'path', MAX_IMPORT_PATH_LENGTH) };
}

/**
 * The real path of `requested` (relative to `root`, or absolute) when it is a folder inside the
 * operator's import root. Symlinks are resolved first, so a link cannot lead outside the root.
 */
export async function resolveImportFolder(root: string, requested: string): Promise<string> {
  const base = await realpath(root);
  let real: string;
  try {
    real = await realpath(path.resolve(base, requested));
  } catch {
    throw invalid('path', `no such folder under the import root: ${describeValue(requested)}`);
  }
  if (real !== base && !real.startsWith(base + path.sep)) {
    throw invalid('path', `must be a folder inside the import root, got ${describeValue(requested)}`);
  }
  if (!(await stat(real)).isDirectory()) throw invalid('path', `is not a folder: ${describeValue(requested)}`);
  return real;
}

/**
 * Query of POST /api/v1/models/import/: `name` imports the file under another name than the one
 * it carries (when that one is taken here).
 */
export function parseModelImportQuery(query: unknown): { name: string | null } {
  const obj = isObject(query) ? query : {};
  rejectUnknownKeys(obj, ['name'], null);
  if (obj.name === undefined) return { name: null };
  if (Array.isArray(obj.name)) throw invalid('name', 'must be given once');
  return { name: parseModelName(obj.name, 'name') };
}

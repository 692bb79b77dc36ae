// Building blocks shared by the body validators: type checks that name the dotted field path of
// the offending value and say what was expected and what came.
import { BLOB_ID_PATTERN } from '../store/blob-store.js';
import { invalid } from './errors.js';

export type JsonObject = Record<string, unknown>;

/** A source string longer than this is refused rather than stored and echoed in every job. */
export const MAX_SOURCE_LENGTH = 8192;

/** `prefix.key`, or `key` at the top level. */
export function fieldPath(prefix: string | null, key: string): string {
  return prefix === null ? key : `${prefix}.${key}`;
}

/** A short rendering of a received value for "got …" in messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, field: string | null): JsonObject {
  if (!isObject(value)) throw invalid(field, `must be a JSON object, got ${describeValue(value)}`);
  return value;
}

/** Unknown keys are refused, so a misspelt parameter is never silently ignored. */
export function rejectUnknownKeys(obj: JsonObject, allowed: readonly string[], prefix: string | null): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw invalid(fieldPath(prefix, key), `unknown field "${key}" (expected one of: ${allowed.join(', ')})`);
    }
  }
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field, `must be a string, got ${describeValue(value)}`);
  return value;
}

export function requireBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw invalid(field, `must be a boolean (true or false), got ${describeValue(value)}`);
  return value;
}

export function requireInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `must be an integer from ${min} to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

export function requireNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(field, `must be a number from ${min} to ${max}, got ${describeValue(value)}`);
  }
  return value;
}

export function requireArray(value: unknown, field: string, minItems: number, maxItems: number): unknown[] {
  if (!Array.isArray(value)) throw invalid(field, `must be an array, got ${describeValue(value)}`);
  if (value.length < minItems) {
    throw invalid(field, minItems === 1 ? 'must not be empty' : `must have at least ${minItems} items, got ${value.length}`);
  }
  if (value.length > maxItems) throw invalid(field, `must have at most ${maxItems} items, got ${value.length}`);
  return value;
}

// C0 controls and DEL: the URL parser silently drops tabs and newlines, and names are shown in
// results and logs.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** A string of 1..maxLength characters (code points) with no control characters. */
export function requireText(value: unknown, field: string, maxLength: number): string {
  const text = requireString(value, field);
  if (text.trim() === '') throw invalid(field, 'must not be empty');
  const length = [...text].length;
  if (length > maxLength) throw invalid(field, `must be at most ${maxLength} characters, got ${length}`);
  if (CONTROL_CHARS.test(text)) throw invalid(field, 'must not contain control characters');
  return text;
}

/**
 * A display name: text without whitespace at either end (refused, not trimmed, so that what is
 * stored is exactly what was sent and "Ann" and "Ann " cannot both exist).
 */
export function requireName(value: unknown, field: string, maxLength: number): string {
  const name = requireText(value, field, maxLength);
  if (name !== name.trim()) throw invalid(field, `must not start or end with whitespace, got ${describeValue(name)}`);
  return name;
}

const STORAGE_PREFIX = 'storage://';
// Scheme plus something other than a slash after "//": the URL parser would otherwise accept
// `https:host` and `http:///host` as if they were well formed.
const HTTP_URL_START = /^https?:\/\/[^/\\?#]/i;

/**
 * A media source (SPEC §1, §4): an absolute http(s) URL with a host, or `storage://<id>` with
 * an id of the blob store's form. Returned exactly as given, since results echo it.
 */
export function requireSource(value: unknown, field: string): string {
  const source = requireString(value, field);
  if (source.trim() === '') throw invalid(field, 'must not be empty');
  if (source.length > MAX_SOURCE_LENGTH) {
    throw invalid(field, `must be at most ${MAX_SOURCE_LENGTH} characters, got ${source.length}`);
  }
  if (source !== source.trim() || CONTROL_CHARS.test(source)) {
    throw invalid(field, `must not contain control characters or whitespace at either end, got ${describeValue(source)}`);
  }
  if (source.startsWith(STORAGE_PREFIX)) {
    if (!BLOB_ID_PATTERN.test(source.slice(STORAGE_PREFIX.length))) {
      throw invalid(field, `must be storage://<id> with an id returned by POST /api/v1/storage/, got ${describeValue(source)}`);
    }
    return source;
  }
  if (HTTP_URL_START.test(source) && isHttpUrl(source)) return source;
  throw invalid(field, `must be an http:// or https:// URL with a host, or storage://<id>, got ${describeValue(source)}`);
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

// The API client: every path, parameter and answer typed from the service's own OpenAPI document
// (schema.d.ts, generated), so a change of the API that the app does not follow fails its build.
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Job = Schemas['Job'];
export type ResultItem = Schemas['ResultItem'];
export type Model = Schemas['Model'];
export type Identity = Schemas['Identity'];
export type IndexedIdentity = Schemas['IndexedIdentity'];
export type FaceRecognitionParams = Schemas['FaceRecognitionParams'];
export type StoredMedia = Schemas['StoredMedia'];
export type JobState = Job['state'];

type Method = 'get' | 'post' | 'patch' | 'delete';
type Op<P extends keyof paths, M extends Method> = paths[P][M] extends infer O ? (O extends { responses: unknown } ? O : never) : never;
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : undefined;
type Answer<O> = O extends { responses: infer R }
  ? (200 extends keyof R ? JsonOf<R[200]> : never) | (201 extends keyof R ? JsonOf<R[201]> : never) | (204 extends keyof R ? undefined : never)
  : never;
type Params<O> = O extends { parameters: infer P } ? P : never;
type Body<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export interface RequestOptions<O> {
  path?: Params<O> extends { path: infer X } ? X : never;
  query?: Params<O> extends { query?: infer Q } ? Q : never;
  json?: Body<O>;
  form?: FormData;
  /** A raw JSON text (an export file sent back unchanged). */
  rawJson?: string;
  signal?: AbortSignal;
}

/** What the API answered when it refused, put in words. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly field: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'ApiProblem';
  }
}

/** A sentence for any failure of a call, for people rather than programs. */
export function describeError(err: unknown): string {
  if (err instanceof ApiProblem) {
    const where = err.field ? ` (${err.field})` : '';
    switch (err.status) {
      case 0:
        return `The service could not be reached: ${err.message}`;
      case 401:
        return `An API key is needed: ${err.message}`;
      case 403:
        return `This API key may not do that: ${err.message}`;
      case 404:
        return `Not found: ${err.message}`;
      case 409:
        return `Conflict: ${err.message}`;
      case 413:
        return `Too large: ${err.message}`;
      case 429:
        return `Too many requests, try again shortly: ${err.message}`;
      default:
        return err.status >= 500 ? `The service failed (${err.status}): ${err.message}` : `The service refused this${where}: ${err.message}`;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

const KEY_ITEM = 'facerec.apiKey';

/** The API key, kept for this browser tab only (session storage). */
export const apiKey = {
  get: (): string | null => sessionStorage.getItem(KEY_ITEM),
  set: (key: string): void => sessionStorage.setItem(KEY_ITEM, key),
  clear: (): void => sessionStorage.removeItem(KEY_ITEM),
};

/** Told when the service answers 401: the app asks for a key. */
let onUnauthorized: (message: string) => void = () => {};
export function whenUnauthorized(fn: (message: string) => void): void {
  onUnauthorized = fn;
}

export function authHeaders(): Record<string, string> {
  const key = apiKey.get();
  return key ? { authorization: `Bearer ${key}` } : {};
}

export function buildUrl(template: string, path: Record<string, string> = {}, query: Record<string, unknown> = {}): string {
  const p = template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(path[name] ?? ''));
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return qs ? `${p}?${qs}` : p;
}

async function problemOf(res: Response): Promise<ApiProblem> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: string; field?: string | null; message?: string } };
    if (body.error) return new ApiProblem(res.status, body.error.code ?? 'error', body.error.field ?? null, body.error.message ?? res.statusText);
  } catch {
    // not JSON: a proxy's page, say
  }
  return new ApiProblem(res.status, 'error', null, `${res.status} ${res.statusText}`.trim());
}

export async function call<P extends keyof paths, M extends Method>(
  method: M,
  path: P,
  opts: RequestOptions<Op<P, M>> = {},
): Promise<Answer<Op<P, M>>> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  let body: BodyInit | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.rawJson !== undefined) {
    headers['content-type'] = 'application/json';
    body = opts.rawJson;
  } else if (opts.form) body = opts.form;
  const url = buildUrl(path as string, opts.path as Record<string, string> | undefined, opts.query as Record<string, unknown> | undefined);
  let res: Response;
  try {
    res = await fetch(url, { method: method.toUpperCase(), headers, body, signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiProblem(0, 'network', null, (err as Error).message);
  }
  if (!res.ok) {
    const problem = await problemOf(res);
    if (res.status === 401) onUnauthorized(problem.message);
    throw problem;
  }
  if (res.status === 204) return undefined as Answer<Op<P, M>>;
  return (await res.json()) as Answer<Op<P, M>>;
}

/** Every item of a paged list (limit 1000 per page). */
export async function all<T>(fetchPage: (offset: number) => Promise<{ total: number; data: T[] }>): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const page = await fetchPage(out.length);
    out.push(...page.data);
    if (page.data.length === 0 || out.length >= page.total) return out;
  }
}

/**
 * Uploads one file to POST /api/v1/storage/ with progress (fetch has none for uploads: XHR).
 * Resolves with the stored media.
 */
export function uploadFile(file: File, onProgress: (fraction: number) => void): Promise<StoredMedia> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/storage/');
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiProblem(0, 'network', null, `upload of ${file.name} failed`));
    xhr.onload = () => {
      if (xhr.status === 201) {
        onProgress(1);
        resolve(JSON.parse(xhr.responseText) as StoredMedia);
        return;
      }
      void problemOf(new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText })).then((p) => {
        if (p.status === 401) onUnauthorized(p.message);
        reject(p);
      });
    };
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** The URL a browser can load a source from: a stored upload through the API, a URL as it is. */
export function mediaUrl(source: string): string | null {
  if (source.startsWith('storage://')) return buildUrl('/api/v1/storage/{id}/', { id: source.slice('storage://'.length) });
  return /^https?:\/\//.test(source) ? source : null;
}

/**
 * A URL the <video>/<img> element may use: with an API key the element cannot send it, so the
 * media is fetched with the key and handed over as a blob URL.
 */
export async function playableUrl(source: string): Promise<string | null> {
  const url = mediaUrl(source);
  if (!url || !apiKey.get() || !url.startsWith('/')) return url;
  const res = await fetch(url, { headers: authHeaders() });
  if (!res.ok) throw await problemOf(res);
  return URL.createObjectURL(await res.blob());
}

// `facerec models …`: galleries ("models") of a running service, through its REST API (SPEC §3).
//
//   models list                              the models and their sizes
//   models create <name> [--description t]   a new, empty model
//   models import <name> <dir>               <dir>/<person>/<image files> → identities
//   models export <name> <file>              the model's export file
//   models load <file> [--name new]          an export file → a new model
//   models reembed [name]                    re-embed one gallery (or every writable one) from its crops
//
// Every subcommand takes --url (default $FACEREC_URL or http://localhost:8080). An error answered
// by the service is printed with its message and the command exits 1.
import { createWriteStream, openAsBlob } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';
import { UsageError } from './args.js';

export const DEFAULT_URL = 'http://localhost:8080';
export const MODELS_USAGE = `  facerec models list [--url U]
  facerec models create <name> [--description text] [--url U]
  facerec models import <name> <dir of person folders> [--url U]
  facerec models export <name> <file> [--url U]
  facerec models load <file> [--name new-name] [--url U]
  facerec models reembed [name] [--url U]
    --url: the service (default $FACEREC_URL or ${DEFAULT_URL})`;
/** Photos per identity request (the service takes at most 100; smaller requests show progress). */
export const PHOTOS_PER_REQUEST = 20;
const IMAGE_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

/** Where a command talks to and writes to. */
export interface ModelsContext {
  /** Base URL of the service, e.g. "http://localhost:8080". */
  url: string;
  out(line: string): void;
  err(line: string): void;
}

/** The REST views (services/gateway/models-routes.ts). */
export interface ModelView {
  id: string;
  name: string;
  description: string;
  embedding_model: string;
  created: string;
  identity_count: number;
  sample_count: number;
  read_only?: boolean;
}

export interface IdentityView {
  id: string;
  model_id: string;
  name: string;
  created: string;
  sample_count: number;
}

export interface RejectedPhoto {
  /** "<person>/<file>" */
  image: string;
  message: string;
}

export interface ImportSummary {
  model: ModelView;
  /** Identities that received samples in this import. */
  identities: number;
  added: number;
  rejected: RejectedPhoto[];
  /** People the service refused as a whole (e.g. an invalid name). */
  failed: { person: string; message: string }[];
}

/** A failure to report in one line and exit 1 (not a usage error, not a bug). */
export class CliError extends Error {}

/** The service answered with an error (SPEC §1 body). */
export class ServiceError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly field: string | null,
    readonly apiMessage: string,
  ) {
    super(`${apiMessage} (HTTP ${status} ${code}${field ? `, field "${field}"` : ''})`);
  }
}

/** Runs `models <argv>`; the exit code: 0, or 1 after an error was printed. Throws UsageError. */
export async function runModels(argv: readonly string[], io: Partial<ModelsContext> = {}): Promise<number> {
  const [sub, ...rest] = argv;
  const base = {
    out: io.out ?? ((line: string) => console.log(line)),
    err: io.err ?? ((line: string) => console.error(line)),
  };
  if (sub === undefined || sub === 'help' || sub === '--help') {
    base.out(`usage:\n${MODELS_USAGE}`);
    return 0;
  }
  const parse = <O extends Record<string, { type: 'string' }>>(options: O, positionals: string[]) => {
    const parsed = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { url: { type: 'string' }, ...options } });
    if (parsed.positionals.length !== positionals.length) {
      const wanted = positionals.map((p) => `<${p}>`).join(' ');
      throw new UsageError(`models ${sub} takes ${wanted || 'no arguments'}, got ${parsed.positionals.length ? parsed.positionals.map((p) => `'${p}'`).join(' ') : 'none'}`);
    }
    const values = parsed.values as Record<string, string | undefined>;
    const ctx: ModelsContext = { ...base, url: normaliseUrl(io.url ?? values.url ?? process.env.FACEREC_URL ?? DEFAULT_URL) };
    return { values, positionals: parsed.positionals as string[], ctx };
  };
  let parsed: ReturnType<typeof parse>;
  try {
    switch (sub) {
      case 'list':
        parsed = parse({}, []);
        await listModelsCommand(parsed.ctx);
        return 0;
      case 'create':
        parsed = parse({ description: { type: 'string' } }, ['name']);
        await createModelCommand(parsed.ctx, parsed.positionals[0]!, parsed.values.description);
        return 0;
      case 'import': {
        parsed = parse({}, ['name', 'dir']);
        const summary = await importFolderCommand(parsed.ctx, parsed.positionals[0]!, parsed.positionals[1]!);
        return summary.failed.length > 0 || summary.added === 0 ? 1 : 0;
      }
      case 'export':
        parsed = parse({}, ['name', 'file']);
        await exportModelCommand(parsed.ctx, parsed.positionals[0]!, parsed.positionals[1]!);
        return 0;
      case 'reembed': {
        const name = rest.find((a) => !a.startsWith('--') && rest[rest.indexOf(a) - 1] !== '--url');
        parsed = parse({}, name === undefined ? [] : ['name']);
        const reports = await reembedCommand(parsed.ctx, parsed.positionals[0]);
        return reports.some((r) => r.failed.length > 0) ? 1 : 0;
      }
      case 'load':
        parsed = parse({ name: { type: 'string' } }, ['file']);
        await loadModelCommand(parsed.ctx, parsed.positionals[0]!, parsed.values.name);
        return 0;
      default:
        throw new UsageError(`unknown models subcommand '${sub}' (list, create, import, export, load, reembed)`);
    }
  } catch (err) {
    if (err instanceof CliError) {
      base.err(`facerec: ${err.message}`);
      return 1;
    }
    if (isParseArgsError(err)) throw new UsageError(`models ${sub}: ${(err as Error).message}`);
    throw err;
  }
}

/** Entry point of the dispatcher (services/cli/main.ts). */
export async function modelsCommand(argv: string[]): Promise<void> {
  const code = await runModels(argv);
  if (code !== 0) process.exitCode = code;
}

// ---- subcommands (each prints to ctx and throws CliError on failure) ----

export async function listModelsCommand(ctx: ModelsContext): Promise<ModelView[]> {
  const models = await listModels(ctx.url);
  if (models.length === 0) {
    ctx.out('no models');
    return models;
  }
  const rows = [['NAME', 'IDENTITIES', 'SAMPLES', 'EMBEDDING MODEL', 'DESCRIPTION'], ...models.map((m) => [m.name, String(m.identity_count), String(m.sample_count), m.embedding_model, m.description])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const row of rows) ctx.out(row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
  return models;
}

export interface ReembedReport {
  model: string;
  samples: number;
  failed: string[];
  embedding_model: string;
}

/** Re-embeds the named gallery, or every writable one, from the samples' source crops. */
export async function reembedCommand(ctx: ModelsContext, name?: string): Promise<ReembedReport[]> {
  const models = name ? [name] : (await listModels(ctx.url)).filter((m) => !m.read_only && m.sample_count > 0).map((m) => m.name);
  const reports: ReembedReport[] = [];
  for (const model of models) {
    const started = performance.now();
    const report = await request<ReembedReport>(ctx.url, 'POST', `/api/v1/models/${encodeURIComponent(model)}/reembed/`);
    reports.push(report);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (report.failed.length === 0) ctx.out(`re-embedded "${report.model}": ${report.samples} samples by ${report.embedding_model} in ${seconds} s`);
    else ctx.err(`"${report.model}" left as it was: ${report.failed.length} of ${report.samples} samples cannot be re-embedded (${report.failed.slice(0, 3).join('; ')})`);
  }
  if (models.length === 0) ctx.out('no gallery to re-embed');
  return reports;
}

export async function createModelCommand(ctx: ModelsContext, name: string, description?: string): Promise<ModelView> {
  const model = await request<ModelView>(ctx.url, 'POST', '/api/v1/models/', { json: { name, ...(description !== undefined ? { description } : {}) } });
  ctx.out(`created model "${model.name}" (${model.id})`);
  return model;
}

/** Enrols every person folder of `dir` into the model `name` (created when it does not exist). */
export async function importFolderCommand(ctx: ModelsContext, name: string, dir: string): Promise<ImportSummary> {
  const people = await readPeople(dir);
  if (people.length === 0) throw new CliError(`${dir} has no person folders with images (expected <dir>/<person>/<image files>)`);
  const model = (await findModel(ctx.url, name)) ?? (await createForImport(ctx, name));
  const modelPath = `/api/v1/models/${encodeURIComponent(model.name)}`;
  const summary: ImportSummary = { model, identities: 0, added: 0, rejected: [], failed: [] };
  const width = String(people.length).length;
  for (const [n, { person, files }] of people.entries()) {
    let added = 0;
    const rejected: RejectedPhoto[] = [];
    let failure: string | null = null;
    for (let at = 0; at < files.length && failure === null; at += PHOTOS_PER_REQUEST) {
      const chunk = files.slice(at, at + PHOTOS_PER_REQUEST);
      const form = new FormData();
      form.append('name', person);
      for (const file of chunk) {
        form.append('images', new Blob([await readFile(file)], { type: IMAGE_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' }), basename(file));
      }
      try {
        const reply = await request<{ identity: IdentityView; added: number; rejected: { image: string; message: string }[] }>(ctx.url, 'POST', `${modelPath}/identities/`, { form });
        added += reply.added;
        rejected.push(...reply.rejected.map((r) => ({ image: `${person}/${r.image}`, message: r.message })));
      } catch (err) {
        if (!(err instanceof ServiceError) || err.status !== 400) throw err;
        if (err.field === 'images') rejected.push(...noUsableFace(person, chunk, err.apiMessage));
        else failure = err.apiMessage; // e.g. the folder name is not a valid identity name
      }
    }
    const label = `[${String(n + 1).padStart(width)}/${people.length}] ${person}`;
    if (failure !== null) {
      summary.failed.push({ person, message: failure });
      ctx.out(`${label}: refused: ${failure}`);
    } else {
      ctx.out(`${label}: ${plural(added, 'sample')} added${rejected.length ? `, ${plural(rejected.length, 'photo')} rejected` : ''} (${plural(files.length, 'photo')})`);
    }
    if (added > 0) summary.identities++;
    summary.added += added;
    summary.rejected.push(...rejected);
  }
  summary.model = (await findModel(ctx.url, model.id)) ?? model;
  ctx.out(
    `imported into "${summary.model.name}": ${plural(summary.identities, 'identity', 'identities')}, ${plural(summary.added, 'sample')} added, ${plural(summary.rejected.length, 'photo')} rejected` +
      (summary.failed.length ? `, ${plural(summary.failed.length, 'person', 'people')} refused` : '') +
      ` (the model now has ${plural(summary.model.identity_count, 'identity', 'identities')}, ${plural(summary.model.sample_count, 'sample')})`,
  );
  for (const r of summary.rejected) ctx.out(`  rejected ${r.image}: ${r.message}`);
  for (const f of summary.failed) ctx.out(`  refused ${f.person}: ${f.message}`);
  if (summary.added === 0) ctx.err('facerec: nothing was imported');
  return summary;
}

async function createForImport(ctx: ModelsContext, name: string): Promise<ModelView> {
  try {
    const model = await request<ModelView>(ctx.url, 'POST', '/api/v1/models/', { json: { name } });
    ctx.out(`created model "${model.name}"`);
    return model;
  } catch (err) {
    // Created meanwhile by someone else: use it.
    const existing = err instanceof ServiceError && err.status === 409 ? await findModel(ctx.url, name) : null;
    if (existing) return existing;
    throw err;
  }
}

/** Saves the model's export file to `file` (replaced only once the download is complete). */
export async function exportModelCommand(ctx: ModelsContext, name: string, file: string): Promise<number> {
  const res = await send(ctx.url, 'GET', `/api/v1/models/${encodeURIComponent(name)}/export/`, {});
  if (!res.ok) throw await serviceError(res);
  if (!res.body) throw new CliError(`the service sent an empty export of "${name}"`);
  const partial = `${file}.partial-${process.pid}`;
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(partial));
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw new CliError(`cannot write ${file}: ${(err as Error).message}`);
  }
  const bytes = (await stat(file)).size;
  ctx.out(`exported model "${name}" to ${file} (${bytes} bytes)`);
  return bytes;
}

/** Creates a model from an export file, named as in the file or `newName`. */
export async function loadModelCommand(ctx: ModelsContext, file: string, newName?: string): Promise<ModelView> {
  let body: Blob;
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
    body = await openAsBlob(file); // read as it is sent
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const query = newName !== undefined ? `?name=${encodeURIComponent(newName)}` : '';
  const model = await request<ModelView>(ctx.url, 'POST', `/api/v1/models/import/${query}`, { raw: body, contentType: 'application/json' });
  ctx.out(`loaded model "${model.name}" from ${file}: ${plural(model.identity_count, 'identity', 'identities')}, ${plural(model.sample_count, 'sample')}`);
  return model;
}

// ---- REST helpers ----

export async function listModels(url: string): Promise<ModelView[]> {
  const models: ModelView[] = [];
  for (;;) {
    const page = await request<{ total: number; data: ModelView[] }>(url, 'GET', `/api/v1/models/?limit=1000&offset=${models.length}`);
    models.push(...page.data);
    if (page.data.length === 0 || models.length >= page.total) return models;
  }
}

/** The model called (or with the id) `ref`, or null when there is none. */
export async function findModel(url: string, ref: string): Promise<ModelView | null> {
  try {
    return await request<ModelView>(url, 'GET', `/api/v1/models/${encodeURIComponent(ref)}/`);
  } catch (err) {
    if (err instanceof ServiceError && err.status === 404) return null;
    throw err;
  }
}

interface Body {
  json?: unknown;
  form?: FormData;
  raw?: Blob;
  contentType?: string;
}

/** One REST call to the service: its parsed JSON answer, or a ServiceError with the service's own words. */
export async function request<T>(url: string, method: string, path: string, body: Body = {}): Promise<T> {
  const res = await send(url, method, path, body);
  if (!res.ok) throw await serviceError(res);
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CliError(`${method} ${url}${path}: the service answered HTTP ${res.status} with something that is not JSON: ${text.slice(0, 200)}`);
  }
}

async function send(url: string, method: string, path: string, body: Body): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // A service with FACEREC_API_KEY set wants a key (one with the galleries scope).
  if (process.env.FACEREC_API_KEY) headers.authorization = `Bearer ${process.env.FACEREC_API_KEY}`;
  let payload: RequestInit['body'];
  if (body.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else if (body.form) {
    payload = body.form; // fetch sets the multipart boundary
  } else if (body.raw) {
    headers['content-type'] = body.contentType ?? 'application/octet-stream';
    payload = body.raw;
  }
  try {
    return await fetch(`${url}${path}`, { method, headers, body: payload });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new CliError(`cannot reach ${url}: is \`npm start\` running? (${why})`);
  }
}

async function serviceError(res: Response): Promise<CliError> {
  const text = await res.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as { error?: { code?: unknown; field?: unknown; message?: unknown } };
    if (error && typeof error.message === 'string') {
      return new ServiceError(res.status, String(error.code ?? 'error'), typeof error.field === 'string' ? error.field : null, error.message);
    }
  } catch {
    // not the API's error body: reported as text below
  }
  return new ServiceError(res.status, res.statusText || 'error', null, text.trim().slice(0, 300) || `HTTP ${res.status}`);
}

// ---- folders ----

/** `<dir>/<person>/<image files>`: people in name order, each with their image files in name order. */
export async function readPeople(dir: string): Promise<{ person: string; files: string[] }[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new CliError(`cannot read the folder ${dir}: ${(err as Error).message}`);
  }
  const people: { person: string; files: string[] }[] = [];
  const names = entries.filter((e) => !e.name.startsWith('.')).map((e) => e.name).sort(byName);
  for (const person of names) {
    const folder = join(dir, person);
    if (!(await isDirectory(folder))) continue;
    const files: string[] = [];
    for (const file of (await readdir(folder)).filter((f) => !f.startsWith('.') && extname(f).toLowerCase() in IMAGE_TYPES).sort(byName)) {
      if (await isFile(join(folder, file))) files.push(join(folder, file));
    }
    if (files.length > 0) people.push({ person, files });
  }
  return people;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

/**
 * A request whose photos all failed is answered 400 "no usable face in any photo: a.jpg: why; b.jpg: why".
 * Each photo of the chunk is reported, with its own reason where the message names it.
 */
function noUsableFace(person: string, chunk: readonly string[], message: string): RejectedPhoto[] {
  const detail = message.replace(/^no usable face in any photo:\s*/, '');
  return chunk.map((file) => {
    const name = basename(file);
    const own = detail.split('; ').find((part) => part.startsWith(`${name}: `));
    return { image: `${person}/${name}`, message: own ? own.slice(name.length + 2) : message };
  });
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function normaliseUrl(url: string): string {
  if (!/^https?:\/\//i.test(url)) throw new UsageError(`--url must be an http(s) URL, got '${url}'`);
  return url.replace(/\/+$/, '');
}

function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

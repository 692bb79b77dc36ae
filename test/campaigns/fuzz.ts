// Fuzz campaign: requests generated with fast-check over every route of the OpenAPI document the
// gateway serves — schema-aware (bodies and parameters drawn from the document's schemas, then
// some of them broken on purpose) and random (any method, mangled paths, garbage bodies and
// headers) — against the embedded product in a child process. No answer may be a 5xx, the process
// must not die, and its memory must stay flat.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import sharp from 'sharp';
import { call, campaignData, fileOf, MemorySampler, say, sleep, startEmbeddedProcess, table, uploadBytes, type Target } from './common.js';

export interface FuzzOptions {
  requests: number;
  seed: number;
  /** requests in flight at once */
  concurrency?: number;
  target?: Target;
}

export interface FuzzReport {
  requests: number;
  byStatus: Record<string, number>;
  byRoute: Map<string, number>;
  serverErrors: { request: string; status: number; body: string }[];
  crashes: number;
  /** Requests sent that got no answer (connection reset or refused, or none within 30 s): a defect, like a 5xx. */
  unanswered: number;
  /** Requests the HTTP client itself refused to send (a generated header it cannot write): not the service's doing. */
  notSent: number;
  memoryMb: number[];
  table: string;
  ok: boolean;
}

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  op: Schema;
}

interface FuzzRequest {
  kind: 'schema' | 'broken' | 'random';
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | FormData;
  describe: string;
}

/** Ids and names seen so far (seeded, then harvested from answers): path parameters draw from them. */
class Pool {
  ids = new Set<string>(['people']);
  sources = new Set<string>();
  add(v: unknown): void {
    if (typeof v === 'string' && v.length > 0 && v.length < 200) this.ids.add(v);
  }
  harvest(body: unknown, depth = 0): void {
    if (depth > 3 || body === null || typeof body !== 'object') return;
    for (const [k, v] of Object.entries(body)) {
      if (k === 'id' || k === 'name' || k.endsWith('_id')) this.add(v);
      if (k === 'source' && typeof v === 'string' && v.startsWith('storage://')) this.sources.add(v);
      if (typeof v === 'object') this.harvest(v, depth + 1);
    }
  }
}

function resolveRef(doc: Schema, schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 5 && s && typeof s.$ref === 'string'; i++) {
    s = s.$ref.split('/').slice(1).reduce((o: Schema, k: string) => o?.[k], doc);
  }
  return s ?? {};
}

const weird = fc.constantFrom('', ' ', '..', '%2e%2e', '%00', '%ff', '-1', '0', 'null', 'undefined', '[]', '{}', 'a'.repeat(500), '😀', '\u202e', "' OR 1=1 --", '<script>', '../../etc/passwd', 'NaN', '1e309');

/** Any JSON value, smallish. */
const anyJson = fc.jsonValue({ maxDepth: 3 });

/** A value for `schema`: valid most of the time, a stray value some of the time. */
function fromSchema(doc: Schema, raw: Schema, pool: Pool, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolveRef(doc, raw);
  if (raw?.$ref?.endsWith('/Source') || (schema.pattern && String(schema.pattern).includes('storage://'))) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...(pool.sources.size ? [...pool.sources] : ['storage://AAAAAAAAAAAA'])) },
      { weight: 1, arbitrary: fc.stringMatching(/^storage:\/\/[A-Za-z0-9_-]{8,64}$/) },
      { weight: 1, arbitrary: fc.constantFrom('http://127.0.0.1:1/x.jpg', 'http://localhost/x', 'https://[::1]/a', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/') },
    );
  }
  if (depth > 4) return anyJson;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if (Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf)) return fc.oneof(...(schema.oneOf ?? schema.anyOf).map((s: Schema) => fromSchema(doc, s, pool, depth + 1)));
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : ['object'];
  return fc.oneof(...types.map((type) => fromType(doc, schema, type, pool, depth)));
}

function fromType(doc: Schema, schema: Schema, type: string, pool: Pool, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
    case 'string': {
      if (schema.format === 'uri') return fc.oneof(fc.webUrl(), fc.constantFrom('http://127.0.0.1:9/hook', 'ftp://x/y'));
      const names = fc.constantFrom(...pool.ids);
      const text = fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 60), unit: 'grapheme' });
      return fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: names });
    }
    case 'array': {
      const items = schema.items ? fromSchema(doc, schema.items, pool, depth + 1) : anyJson;
      return fc.array(items, { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) });
    }
    default: {
      const props: Record<string, Schema> = schema.properties ?? {};
      const required = new Set<string>(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) record[k] = fromSchema(doc, v, pool, depth + 1);
      if (Object.keys(record).length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 3 });
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in record) });
    }
  }
}

/** Breaks a valid value: a field dropped, given a wrong type, or an unknown one added. */
function broken(value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(value, fc.nat(), anyJson, fc.string({ maxLength: 10 })).map(([v, n, junk, key]) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return junk;
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const k = keys.length ? keys[n % keys.length]! : key;
    switch (n % 3) {
      case 0:
        delete o[k];
        break;
      case 1:
        o[k] = junk;
        break;
      default:
        o[`${key}_x`] = junk;
    }
    return o;
  });
}

function pathWith(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? 'x');
}

function pathParam(pool: Pool): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...pool.ids).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: weird.map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30, unit: 'grapheme' }).map(encodeURIComponent) },
  );
}

function query(doc: Schema, op: Schema, pool: Pool): fc.Arbitrary<string> {
  const params = ((op.parameters ?? []) as Schema[]).map((p) => resolveRef(doc, p)).filter((p) => p.in === 'query');
  const one = (p: Schema) => fc.option(fc.oneof(fromSchema(doc, p.schema ?? {}, pool).map(String), weird, fc.string({ maxLength: 12 })).map((v) => `${p.name}=${encodeURIComponent(v)}`), { nil: undefined });
  return fc
    .tuple(fc.tuple(...params.map(one), fc.constant(undefined)), fc.option(fc.tuple(fc.string({ maxLength: 6 }), weird), { nil: undefined }), fc.boolean())
    .map(([values, extra, repeat]) => {
      const parts = values.filter((v): v is string => typeof v === 'string');
      if (extra) parts.push(`${encodeURIComponent(extra[0])}=${encodeURIComponent(extra[1])}`);
      if (repeat && parts.length) parts.push(parts[0]!);
      return parts.length ? `?${parts.join('&')}` : '';
    });
}

function multipart(fields: [string, string][], files: [string, Uint8Array, string][]): FormData {
  const form = new FormData();
  for (const [k, v] of fields) form.append(k, v);
  for (const [k, bytes, type] of files) form.append(k, new Blob([new Uint8Array(bytes)], { type }), 'f.bin');
  return form;
}

function body(doc: Schema, op: Schema, pool: Pool, photo: Uint8Array): fc.Arbitrary<{ kind: 'schema' | 'broken'; headers: Record<string, string>; body?: string | Uint8Array | FormData; what: string }> {
  const content: Record<string, Schema> = op.requestBody?.content ?? {};
  const variants: fc.Arbitrary<{ kind: 'schema' | 'broken'; headers: Record<string, string>; body?: string | Uint8Array | FormData; what: string }>[] = [];
  for (const [type, media] of Object.entries(content)) {
    if (type === 'application/json') {
      const valid = fromSchema(doc, media.schema ?? {}, pool);
      variants.push(valid.map((v) => ({ kind: 'schema' as const, headers: { 'content-type': 'application/json' }, body: JSON.stringify(v), what: `json ${JSON.stringify(v).slice(0, 200)}` })));
      variants.push(broken(valid).map((v) => ({ kind: 'broken' as const, headers: { 'content-type': 'application/json' }, body: JSON.stringify(v), what: `json ${JSON.stringify(v).slice(0, 200)}` })));
      variants.push(fc.string({ maxLength: 40 }).map((s) => ({ kind: 'broken' as const, headers: { 'content-type': 'application/json' }, body: `{${s}`, what: `bad json {${s}` })));
    } else if (type === 'multipart/form-data') {
      const schema = resolveRef(doc, media.schema ?? {});
      const textFields = Object.entries(schema.properties ?? {}).filter(([, s]) => !(s as Schema).contentMediaType && (s as Schema).type !== 'array');
      const fileFields = Object.entries(schema.properties ?? {})
        .filter(([, s]) => (s as Schema).contentMediaType || (s as Schema).items?.contentMediaType)
        .map(([k]) => k);
      const fileBytes = fc.oneof(fc.constant(photo), fc.uint8Array({ maxLength: 2048 }), fc.constant(photo.subarray(0, 500)), fc.constant(new Uint8Array(0)));
      variants.push(
        fc
          .tuple(
            fc.tuple(...textFields.map(([k, s]) => fc.option(fromSchema(doc, s as Schema, pool).map((v) => [k, String(v)] as [string, string]), { nil: undefined })), fc.constant(undefined)),
            fc.array(fc.tuple(fc.constantFrom(...fileFields, 'other'), fileBytes, fc.constantFrom('image/jpeg', 'application/octet-stream', 'text/plain')), { maxLength: 3 }),
          )
          .map(([fields, files]) => ({
            kind: 'schema' as const,
            headers: {},
            body: multipart(fields.filter((f): f is [string, string] => Array.isArray(f)), files),
            what: `multipart ${JSON.stringify(fields.filter(Boolean))} + ${files.map(([k, b]) => `${k}:${b.length}B`).join(',')}`,
          })),
      );
      variants.push(fc.string({ maxLength: 60 }).map((s) => ({ kind: 'broken' as const, headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: `--xyz\r\n${s}`, what: `bad multipart ${JSON.stringify(s)}` })));
    } else {
      variants.push(
        fc.oneof(fc.constant(photo), fc.uint8Array({ maxLength: 4096 })).map((b) => ({ kind: 'schema' as const, headers: { 'content-type': type.replace('*', 'jpeg') }, body: b, what: `${type} ${b.length}B` })),
      );
    }
  }
  if (variants.length === 0) variants.push(fc.constant({ kind: 'schema' as const, headers: {}, body: undefined, what: 'no body' }));
  return fc.oneof(...variants);
}

function schemaRequest(doc: Schema, ops: Operation[], pool: Pool, photo: Uint8Array): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...ops).chain((o) => {
    const names = [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const headerParams = ((o.op.parameters ?? []) as Schema[]).map((p) => resolveRef(doc, p)).filter((p) => p.in === 'header');
    return fc
      .tuple(
        fc.tuple(...names.map(() => pathParam(pool)), fc.constant('')),
        query(doc, o.op, pool),
        body(doc, o.op, pool, photo),
        fc.tuple(...headerParams.map(() => fc.option(fc.oneof(fc.constantFrom('bytes=0-10', 'bytes=5-2', 'bytes=-0', 'bytes=0-', 'bytes=99999999-', 'bytes=0-1,5-9'), fc.string({ maxLength: 20 })), { nil: undefined })), fc.constant(undefined)),
      )
      .map(([values, q, b, hv]) => {
        const path = pathWith(o.path, Object.fromEntries(names.map((n, i) => [n, values[i]!])));
        const headers: Record<string, string> = { ...b.headers };
        headerParams.forEach((p, i) => {
          if (typeof hv[i] === 'string') headers[p.name] = hv[i] as string;
        });
        return { kind: b.kind, route: `${o.method} ${o.path}`, method: o.method, path: `${path}${q}`, headers, body: b.body, describe: `${o.method} ${path}${q} ${JSON.stringify(headers)} ${b.what}` };
      });
  });
}

function randomRequest(ops: Operation[]): fc.Arbitrary<FuzzRequest> {
  const methods = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD');
  const contentTypes = fc.constantFrom('application/json', 'text/plain', 'multipart/form-data', 'multipart/form-data; boundary=', 'application/x-www-form-urlencoded', 'image/jpeg', '', 'application/json; charset=utf-16');
  return fc
    .tuple(fc.constantFrom(...ops), methods, fc.array(fc.oneof(weird, fc.string({ maxLength: 12 })), { maxLength: 3 }), fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 512 })), contentTypes, fc.boolean(), fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }))
    .map(([o, method, segments, payload, contentType, mangle, auth]) => {
      let path = pathWith(o.path, {}).replace(/x/g, () => encodeURIComponent(segments[0] ?? 'x'));
      if (mangle) path += segments.map(encodeURIComponent).join('/');
      const headers: Record<string, string> = {};
      if (contentType) headers['content-type'] = contentType;
      if (auth !== undefined) headers.authorization = `Bearer ${auth.replace(/[^\x21-\x7e]/g, '')}`;
      const withBody = method !== 'GET' && method !== 'HEAD';
      return { kind: 'random' as const, route: `${o.method} ${o.path}`, method, path, headers, body: withBody ? payload : undefined, describe: `${method} ${path} ${JSON.stringify(headers)} body ${typeof payload === 'string' ? JSON.stringify(payload.slice(0, 100)) : `${payload.length}B`}` };
    });
}

async function seed(t: Target, pool: Pool, photo: Uint8Array): Promise<void> {
  const up = await uploadBytes(t.url(), photo, 'face.jpg', 'image/jpeg');
  if (up.status === 201) pool.sources.add(up.body.source);
  pool.harvest(up.body);
  await call(t.url(), 'POST', '/api/v1/models/', { name: 'people' });
  const form = new FormData();
  form.set('name', 'someone');
  form.append('images', new Blob([new Uint8Array(photo)]), 'face.jpg');
  const added = await fetch(`${t.url()}/api/v1/models/people/identities/`, { method: 'POST', body: form });
  pool.harvest(await added.json().catch(() => null));
  const job = await call(t.url(), 'POST', '/api/v1/jobs/', { sources: [...pool.sources], modules: { face_recognition: { model: 'people', index_unknowns: true } } });
  pool.harvest(job.body);
  pool.harvest((await call(t.url(), 'POST', '/api/v1/keys/', { name: 'fuzz', scopes: ['read'] })).body);
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const data = campaignData();
  const photo = new Uint8Array(
    'missing' in data ? await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 150, b: 120 } } }).jpeg().toBuffer() : readFileSync(fileOf(data, 'obama1.jpg')),
  );
  if ('missing' in data) say(`fuzz: ${data.missing}; bodies carry generated bytes only`);
  const own = opts.target ? null : await startEmbeddedProcess({ env: { FACEREC_FETCH_TIMEOUT_S: '3', FACEREC_WEBHOOK_SECRET: 'fuzz-secret', FACEREC_WEBHOOK_RETRY_S: '3600' } });
  const t = opts.target ?? own!;
  const report: FuzzReport = { requests: 0, byStatus: {}, byRoute: new Map(), serverErrors: [], crashes: 0, unanswered: 0, notSent: 0, memoryMb: [], table: '', ok: false };
  try {
    const pool = new Pool();
    await seed(t, pool, photo);
    const doc = (await call(t.url(), 'GET', '/api/v1/openapi.json')).body as Schema;
    const ops: Operation[] = Object.entries(doc.paths as Record<string, Schema>).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([m, op]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m) && typeof op === 'object')
        .map(([m, op]) => ({ method: m.toUpperCase(), path, op: op as Schema })),
    );
    for (const o of ops) report.byRoute.set(`${o.method} ${o.path}`, 0);
    const pid = () => [t.processes()[0]!.child.pid!];
    const memory = new MemorySampler(pid);
    const chunk = 500;
    const concurrency = opts.concurrency ?? 4;
    for (let done = 0, round = 0; done < opts.requests; round++) {
      const n = Math.min(chunk, opts.requests - done);
      // Regenerated each chunk: ids harvested so far take part.
      const arb = fc.oneof({ weight: 7, arbitrary: schemaRequest(doc, ops, pool, photo) }, { weight: 3, arbitrary: randomRequest(ops) });
      const requests = fc.sample(arb, { numRuns: n, seed: opts.seed * 1000 + round });
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < requests.length) {
            const req = requests[next++]!;
            await send(t, req, report, pool);
          }
        }),
      );
      done += n;
      if (t.processes()[0]!.child.exitCode !== null || t.processes()[0]!.child.signalCode !== null) {
        report.crashes++;
        say(`fuzz: the product died after ${done} requests:\n${t.processes()[0]!.output().slice(-3000)}`);
        break;
      }
      if (done % 1000 === 0 || done === opts.requests) {
        report.memoryMb.push(memory.sample());
        say(`fuzz: ${done}/${opts.requests}, ${report.serverErrors.length} 5xx, ${memory.lastMb.toFixed(0)} MB`);
      }
    }
    await sleep(500);
    const ready = await fetch(`${t.url()}/readyz`).then((r) => r.status, () => 0);
    if (ready !== 200) report.crashes++;
  } finally {
    await own?.stop();
  }
  const m = report.memoryMb;
  // Flat: from the end of the first 1,000 requests (routes loaded, JIT warm) to the last sample, under 100 MB.
  const growth = m.length > 2 ? m[m.length - 1]! - m[1]! : 0;
  const routesHit = [...report.byRoute.values()].filter((n) => n > 0).length;
  report.ok = report.serverErrors.length === 0 && report.unanswered === 0 && report.crashes === 0 && growth < 100 && routesHit === report.byRoute.size;
  const statuses = Object.entries(report.byStatus)
    .sort()
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  report.table =
    table(
      ['requests', 'documented routes hit', '5xx answers', 'no answer', 'crashes', 'statuses', 'memory (RSS MB, after each 1,000)'],
      [[report.requests, `${routesHit}/${report.byRoute.size}`, report.serverErrors.length, report.unanswered, report.crashes, statuses, m.map((x) => x.toFixed(0)).join(' → ')]],
    ) + (report.serverErrors.length ? `\n\n${report.serverErrors.slice(0, 10).map((e) => `- ${e.status} on ${e.request}: ${e.body}`).join('\n')}` : '');
  return report;
}

async function send(t: Target, req: FuzzRequest, report: FuzzReport, pool: Pool): Promise<void> {
  report.requests++;
  // A documented route counts as covered by the requests made to it with its own method.
  if (req.kind !== 'random') report.byRoute.set(req.route, (report.byRoute.get(req.route) ?? 0) + 1);
  try {
    const res = await fetch(`${t.url()}${req.path}`, { method: req.method, headers: req.headers, body: req.body as BodyInit | undefined, signal: AbortSignal.timeout(30_000), redirect: 'manual' });
    const text = await res.text();
    const key = `${res.status}`;
    report.byStatus[key] = (report.byStatus[key] ?? 0) + 1;
    if (res.status >= 500) {
      report.serverErrors.push({ request: req.describe.slice(0, 400), status: res.status, body: text.slice(0, 300) });
      say(`fuzz: ${res.status} on ${req.describe.slice(0, 300)}: ${text.slice(0, 200)}`);
    } else if (res.status < 300 && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        pool.harvest(JSON.parse(text));
      } catch {
        // not JSON after all
      }
    }
  } catch (err) {
    if (!sentButUnanswered(err)) {
      report.notSent++;
      report.byStatus['not sent'] = (report.byStatus['not sent'] ?? 0) + 1;
      return;
    }
    report.unanswered++;
    report.byStatus['no answer'] = (report.byStatus['no answer'] ?? 0) + 1;
    if (report.unanswered <= 5) say(`fuzz: no answer to ${req.describe.slice(0, 200)}: ${(err as Error).message}`);
  }
}

/**
 * fetch fails with 'fetch failed' (its cause: reset, refused, closed) or a TimeoutError when the
 * request left and no answer came; with another TypeError when it could not even build the request.
 */
function sentButUnanswered(err: unknown): boolean {
  const e = err as Error;
  return e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.message === 'fetch failed';
}

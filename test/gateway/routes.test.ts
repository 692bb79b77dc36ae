// The gateway serves every route its OpenAPI document describes, with and without the trailing
// slash; the document names the host it was asked on; health, readiness and metrics answer.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_ROUTES } from '../../libs/api/openapi.js';
import { SERVICE_NAMES, startEmbedded, waitForJob, type RunningProduct } from '../support/product.js';
import { documentedStatuses, expectError, plainPng, send, upload, type Reply } from './helpers.js';

let product: RunningProduct;
let url: string;
let stored: string;
let jobId: string;
let modelId: string;

async function newJob(): Promise<string> {
  const r = await send(url, 'POST', '/api/v1/jobs/', { json: { sources: [stored], modules: { face_recognition: {} } } });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

async function newModel(): Promise<string> {
  const r = await send(url, 'POST', '/api/v1/models/', { json: { name: `routes-${randomUUID().slice(0, 8)}` } });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

beforeAll(async () => {
  product = await startEmbedded();
  url = product.url;
  stored = await upload(url, await plainPng(), 'plain.png', 'image/png');
  jobId = await newJob();
  await waitForJob(url, jobId);
  modelId = await newModel();
});

afterAll(async () => {
  await product?.stop();
});

/** The concrete path for a documented one: real ids, fresh ones for the routes that delete. */
async function concrete(method: string, path: string): Promise<string> {
  const destructive = method === 'DELETE';
  const job = path.includes('{id}') ? (destructive ? await newJob() : jobId) : '';
  const model = path.includes('{model}') ? (destructive && !path.includes('{identity}') ? await newModel() : modelId) : '';
  return path.replace('{id}', job).replace('{model}', model).replace('{identity}', randomUUID()).replace('{key}', randomUUID());
}

/** A small body each route can read (refused or not: only "is it served" matters here). */
function bodyFor(method: string, path: string): Parameters<typeof send>[3] {
  if (path === '/api/v1/storage/') return { raw: 'some bytes', contentType: 'application/octet-stream' };
  if (path === '/api/v1/models/import/') return { raw: '{}', contentType: 'application/json' };
  if (method === 'POST' || method === 'PATCH') return { json: {} };
  return {};
}

/** Served: anything but the catch-all's 404; a 404 must name the missing resource of the path. */
function expectServed(reply: Reply, label: string, path: string): void {
  expect(reply.status, `${label}: ${reply.text.slice(0, 300)}`).not.toBe(405);
  expect(reply.status, `${label}: ${reply.text.slice(0, 300)}`).toBeLessThan(500);
  if (reply.status === 404) {
    expect(reply.body?.error?.code, label).toBe('not_found');
    expect(reply.body.error.message, label).not.toMatch(/^no route/);
    const ids = path.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];
    expect(ids.some((id) => reply.body.error.message.includes(id)), `${label}: ${reply.body.error.message}`).toBe(true);
  }
}

describe('every documented route is served', () => {
  it('the catch-all says "no route" (what the checks below look for)', async () => {
    const e = expectError(await send(url, 'GET', '/api/v1/nothing-here/'), 404, 'not_found', null);
    expect(e.message).toBe('no route GET /api/v1/nothing-here/');
    expectError(await send(url, 'PUT', '/api/v1/jobs/'), 404, 'not_found', null);
  });

  it('documents the routes this test expects to find', () => {
    expect(OPENAPI_ROUTES.length).toBeGreaterThanOrEqual(22);
  });

  it.each(OPENAPI_ROUTES.map((r) => [`${r.method} ${r.path}`, r.method, r.path] as const))('%s', async (_label, method, path) => {
    const documented = documentedStatuses(method, path);
    for (const slash of [true, false]) {
      const concretePath = await concrete(method, path);
      const p = slash || !concretePath.endsWith('/') ? concretePath : concretePath.slice(0, -1);
      const reply = await send(url, method, p, bodyFor(method, path));
      expectServed(reply, `${method} ${p}`, p);
      // …and with a status its operation documents
      expect(documented, `${method} ${p} answered ${reply.status}`).toContain(String(reply.status));
    }
  });

  it('answers the id routes with 200 for real ids, and 404 naming what is missing otherwise', async () => {
    expect((await send(url, 'GET', `/api/v1/jobs/${jobId}/`)).status).toBe(200);
    expect((await send(url, 'GET', `/api/v1/jobs/${jobId}/detailed-results/`)).status).toBe(200);
    expect((await send(url, 'GET', `/api/v1/models/${modelId}/`)).status).toBe(200);
    expect((await send(url, 'GET', `/api/v1/models/${modelId}/identities/`)).status).toBe(200);
    expect((await send(url, 'GET', `/api/v1/models/${modelId}/export/`)).status).toBe(200);
    const missing = randomUUID();
    const e = expectError(await send(url, 'GET', `/api/v1/models/${missing}/`), 404, 'not_found', null);
    expect(e.message).toContain(missing);
    expectError(await send(url, 'GET', `/api/v1/models/${modelId}/identities/${missing}/`), 404, 'not_found', null);
  });

  it('deletes a finished job (204), then it is gone (404)', async () => {
    const id = await newJob();
    await waitForJob(url, id);
    expect((await send(url, 'DELETE', `/api/v1/jobs/${id}`)).status).toBe(204);
    expectError(await send(url, 'GET', `/api/v1/jobs/${id}/`), 404, 'not_found', null);
  });

  it('refuses folder import when the operator has not set FACEREC_IMPORT_ROOT', async () => {
    const e = expectError(await send(url, 'POST', `/api/v1/models/${modelId}/import-folder/`, { json: { path: 'people' } }), 400, 'invalid_request', 'path');
    expect(e.message).toContain('FACEREC_IMPORT_ROOT');
  });
});

/** GET with a chosen Host header (fetch does not let one set it). */
function getWithHost(path: string, host: string): Promise<{ status: number; body: any }> {
  const target = new URL(`${url}${path}`);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path, method: 'GET', headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document of every documented route, with the request host as server', async () => {
    const r = await send(url, 'GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = r.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toEqual(expect.any(String));
    expect(doc.servers[0].url).toBe(url);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(OPENAPI_ROUTES.map((x) => `${x.method} ${x.path}`).sort());
  });

  it('builds servers[0].url from the Host the client used', async () => {
    const r = await getWithHost('/api/v1/openapi.json', 'faces.example.org:8443');
    expect(r.status).toBe(200);
    expect(r.body.servers[0].url).toBe('http://faces.example.org:8443');
  });
});

describe('health, readiness, metrics', () => {
  it('/healthz is 200 ok', async () => {
    const r = await send(url, 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 with every service ready', async () => {
    const r = await send(url, 'GET', '/readyz');
    expect(r.status, r.text).toBe(200);
    expect(r.body.ready).toBe(true);
    expect(Object.keys(r.body.checks).sort()).toEqual(['process', ...SERVICE_NAMES].sort());
    for (const name of ['process', ...SERVICE_NAMES]) expect(r.body.checks[name], name).toBe(true);
    expect(r.body.waiting).toEqual({});
  });

  it('/metrics has the request and job counters in Prometheus text', async () => {
    await send(url, 'GET', '/healthz');
    const r = await send(url, 'GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.text).toContain('# TYPE facerec_http_requests_total counter');
    expect(r.text).toMatch(/^facerec_http_requests_total\{[^}]*route="\/healthz"[^}]*\} [1-9]/m);
    expect(r.text).toContain('# TYPE facerec_jobs_submitted_total counter');
    // beforeAll submitted at least one job
    expect(r.text).toMatch(/^facerec_jobs_submitted_total [1-9]/m);
  });

  it('labels requests by route pattern, not by id', async () => {
    await send(url, 'GET', `/api/v1/jobs/${jobId}/`);
    const r = await send(url, 'GET', '/metrics');
    expect(r.text).not.toContain(jobId);
    expect(r.text).toMatch(/route="\/api\/v1\/jobs\/:id"/);
  });
});

import { describe, expect, it } from 'vitest';
import { buildOpenApi, OPENAPI_ROUTES } from '../../libs/api/openapi.js';
import { FACE_RECOGNITION_DEFAULTS, parseJobRequest } from '../../libs/api/validate-job.js';
import { ApiError } from '../../libs/api/errors.js';

type Json = Record<string, any>;
const doc = buildOpenApi('http://localhost:8080') as Json;

/** The routes the gateway is to serve. */
const EXPECTED = [
  'POST /api/v1/jobs/',
  'GET /api/v1/jobs/',
  'GET /api/v1/jobs/{id}/',
  'DELETE /api/v1/jobs/{id}/',
  'GET /api/v1/jobs/{id}/detailed-results/',
  'GET /api/v1/jobs/{id}/deliveries/',
  'POST /api/v1/models/',
  'GET /api/v1/models/',
  'GET /api/v1/models/{model}/',
  'DELETE /api/v1/models/{model}/',
  'POST /api/v1/models/{model}/identities/',
  'GET /api/v1/models/{model}/identities/',
  'GET /api/v1/models/{model}/identities/{identity}/',
  'PATCH /api/v1/models/{model}/identities/{identity}/',
  'DELETE /api/v1/models/{model}/identities/{identity}/',
  'POST /api/v1/models/{model}/import-folder/',
  'GET /api/v1/models/{model}/export/',
  'POST /api/v1/models/{model}/reembed/',
  'POST /api/v1/models/import/',
  'GET /api/v1/identities/',
  'GET /api/v1/identities/{id}/',
  'PATCH /api/v1/identities/{id}/',
  'DELETE /api/v1/identities/{id}/',
  'POST /api/v1/erasure/',
  'POST /api/v1/storage/',
  'POST /api/v1/keys/',
  'GET /api/v1/keys/',
  'GET /api/v1/keys/{key}/',
  'DELETE /api/v1/keys/{key}/',
  'GET /api/v1/audit/',
  'GET /api/v1/storage/{id}/',
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /api/v1/openapi.json',
];

const operations = () =>
  OPENAPI_ROUTES.map(({ method, path }) => ({ method, path, op: doc.paths[path][method.toLowerCase()] as Json }));

function resolve(ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else collectRefs(value, out);
    }
  }
  return out;
}

describe('buildOpenApi', () => {
  it('is an OpenAPI 3.1.0 document that survives JSON', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'http://localhost:8080' }]);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(doc.info.title).toBeTruthy();
  });

  it('describes every route, and OPENAPI_ROUTES lists exactly those', () => {
    const listed = OPENAPI_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect([...listed].sort()).toEqual([...EXPECTED].sort());
    for (const { op } of operations()) expect(op).toBeTypeOf('object');
  });

  it('resolves every $ref', () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) expect(resolve(ref), ref).toBeDefined();
  });

  it('gives each operation a unique operationId and responses, and declares every path parameter', () => {
    const ids = new Set<string>();
    for (const { method, path, op } of operations()) {
      expect(op.operationId, `${method} ${path}`).toBeTypeOf('string');
      expect(ids.has(op.operationId)).toBe(false);
      ids.add(op.operationId);
      expect(Object.keys(op.responses ?? {}).length).toBeGreaterThan(0);
      const declared = ((op.parameters ?? []) as Json[])
        .map((p) => (p.$ref ? (resolve(p.$ref) as Json) : p))
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort();
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(declared, `${method} ${path}`).toEqual(templated);
    }
  });

  it('shares one error schema in SPEC §1 form', () => {
    const error = doc.components.schemas.Error;
    expect(error.properties.error.required).toEqual(['code', 'field', 'message']);
    expect(doc.paths['/api/v1/jobs/'].post.responses['400']).toEqual({ $ref: '#/components/responses/Error400' });
    const body = new ApiError(400, 'invalid_request', 'tag', 'x').toBody();
    expect(Object.keys(body.error).sort()).toEqual(Object.keys(error.properties.error.properties).sort());
  });

  it('documents the job parameters with the validator’s defaults and limits', () => {
    const params = doc.components.schemas.FaceRecognitionParams.properties;
    for (const [key, value] of Object.entries(FACE_RECOGNITION_DEFAULTS)) expect(params[key].default).toBe(value);
    expect([params.top_k.minimum, params.top_k.maximum]).toEqual([1, 10]);
    expect([params.face_detection_scale.minimum, params.face_detection_scale.maximum]).toEqual([100, 2000]);
    expect(params.max_distance.maximum).toBe(2);
    expect(doc.components.schemas.FaceRecognitionParams.additionalProperties).toBe(false);
  });

  it('has a source pattern that agrees with the validator', () => {
    const pattern = new RegExp(doc.components.schemas.Source.pattern);
    const accepted = (source: string) => {
      try {
        parseJobRequest({ sources: [source], modules: { face_recognition: {} } }, { maxSources: 1 });
        return true;
      } catch (err) {
        if (err instanceof ApiError) return false;
        throw err;
      }
    };
    for (const source of [
      'https://media.example.com/a.jpg',
      'http://[::1]:8080/x',
      'storage://AbCdEf12',
      'storage://../x',
      'file:///etc/passwd',
      'https:host/a',
      'http:///a',
      'ftp://host/a',
    ]) {
      expect(pattern.test(source), source).toBe(accepted(source));
    }
  });

  it('offers JSON and multipart for identities, multipart and raw bodies for storage', () => {
    expect(Object.keys(doc.paths['/api/v1/models/{model}/identities/'].post.requestBody.content)).toEqual([
      'application/json',
      'multipart/form-data',
    ]);
    const storage = doc.paths['/api/v1/storage/'].post.requestBody.content;
    expect(storage['multipart/form-data'].schema.properties.file).toBeDefined();
    expect(storage['application/octet-stream']).toBeDefined();
  });

  it('returns a fresh copy each time', () => {
    const a = buildOpenApi('http://a') as Json;
    a.paths['/healthz'].get.operationId = 'changed';
    expect((buildOpenApi('http://b') as Json).paths['/healthz'].get.operationId).toBe('liveness');
  });
});

// API keys (issue 12, part 1): with FACEREC_API_KEY set, every /api/v1 route needs a key; keys made
// through the API carry scopes, are stored hashed where every gateway replica sees them, survive a
// restart, are rate limited, and every change is audited. Without FACEREC_API_KEY the gateway
// listens on loopback only unless FACEREC_ALLOW_ANONYMOUS.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_ROUTES } from '../../libs/api/openapi.js';
import { hashSecret, keyFromHeaders, requiredScope, verifySecret } from '../../libs/auth/api-keys.js';
import { RateLimiter } from '../../libs/auth/rate-limit.js';
import { listenHost } from '../../services/gateway/service.js';
import { startGatewayOnly, type RunningGateway } from '../support/gateway.js';
import { availableNats, uniqueName } from '../support/nats.js';
import { documentedStatuses, expectError, send, type Reply } from './helpers.js';

const ADMIN = 's3cret';

/** A request with a key (as Bearer, or as X-API-Key). */
async function call(url: string, method: string, path: string, key: string | null, opts: { json?: unknown; raw?: string; header?: 'bearer' | 'x-api-key' } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (key !== null) {
    if (opts.header === 'x-api-key') headers['x-api-key'] = key;
    else headers.authorization = `Bearer ${key}`;
  }
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.raw !== undefined) {
    headers['content-type'] = 'application/octet-stream';
    body = opts.raw;
  }
  const res = await fetch(`${url}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : null, text, headers: res.headers };
}

async function createKey(url: string, body: unknown, admin = ADMIN): Promise<{ id: string; key: string; scopes: string[] }> {
  const r = await call(url, 'POST', '/api/v1/keys/', admin, { json: body });
  expect(r.status, r.text).toBe(201);
  return r.body;
}

const concrete = (path: string) => path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');

describe('pieces', () => {
  it('hashes secrets with scrypt and verifies only the right one', async () => {
    const stored = await hashSecret('right');
    expect(stored).toMatch(/^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(stored).not.toContain('right');
    expect(await verifySecret('right', stored)).toBe(true);
    expect(await verifySecret('wrong', stored)).toBe(false);
    expect(await hashSecret('right')).not.toBe(stored); // salted
  });

  it('reads the key from Authorization: Bearer or X-API-Key', () => {
    expect(keyFromHeaders('Bearer abc', undefined)).toBe('abc');
    expect(keyFromHeaders('bearer  abc ', undefined)).toBe('abc');
    expect(keyFromHeaders(undefined, 'xyz')).toBe('xyz');
    expect(keyFromHeaders(undefined, undefined)).toBeNull();
  });

  it('maps routes to scopes', () => {
    expect(requiredScope('GET', '/jobs/x/detailed-results/')).toBe('read');
    expect(requiredScope('POST', '/jobs/')).toBe('write');
    expect(requiredScope('DELETE', '/jobs/x/')).toBe('write');
    expect(requiredScope('POST', '/storage/')).toBe('write');
    expect(requiredScope('GET', '/storage/abc/')).toBe('read');
    expect(requiredScope('GET', '/models/')).toBe('galleries');
    expect(requiredScope('PATCH', '/identities/x/')).toBe('galleries');
    expect(requiredScope('GET', '/keys/')).toBe('admin');
    expect(requiredScope('GET', '/audit/')).toBe('admin');
    // Erasure: an indexed person (DELETE) and by photo need admin; reading and naming stay with galleries.
    expect(requiredScope('DELETE', '/identities/x/')).toBe('admin');
    expect(requiredScope('GET', '/identities/x/')).toBe('galleries');
    expect(requiredScope('POST', '/erasure/')).toBe('admin');
    expect(requiredScope('GET', '/openapi.json')).toBeNull();
  });

  it('token bucket: a burst, then one request per 1/rate seconds, with the wait to the next token', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limit = { perSecond: 2, burst: 3 };
    for (let i = 0; i < 3; i++) expect(limiter.take('k', limit).ok).toBe(true);
    expect(limiter.take('k', limit)).toEqual({ ok: false, retryAfterS: 1 });
    expect(limiter.take('other', limit).ok).toBe(true); // per key
    now = 499;
    expect(limiter.take('k', limit).ok).toBe(false);
    now = 501;
    expect(limiter.take('k', limit).ok).toBe(true);
    expect(limiter.take('k', { perSecond: 0, burst: 1 }).ok).toBe(true); // 0: no limit
    const slow = { perSecond: 0.1, burst: 1 };
    expect(limiter.take('s', slow).ok).toBe(true);
    expect(limiter.take('s', slow)).toEqual({ ok: false, retryAfterS: 10 });
  });

  it('listens on loopback without a key unless anonymous access is allowed', () => {
    expect(listenHost('0.0.0.0', { apiKey: null, allowAnonymous: false })).toBe('127.0.0.1');
    expect(listenHost('::', { apiKey: null, allowAnonymous: false })).toBe('::1');
    expect(listenHost('127.0.0.1', { apiKey: null, allowAnonymous: false })).toBe('127.0.0.1');
    expect(listenHost('0.0.0.0', { apiKey: null, allowAnonymous: true })).toBe('0.0.0.0');
    expect(listenHost('0.0.0.0', { apiKey: 'k', allowAnonymous: false })).toBe('0.0.0.0');
  });
});

describe('with FACEREC_API_KEY (embedded stores)', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGatewayOnly({ env: { FACEREC_API_KEY: ADMIN } });
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('answers 401 with the error body on every documented /api/v1 route without a key, and with a wrong key', async () => {
    const routes = OPENAPI_ROUTES.filter((r) => r.path.startsWith('/api/v1/'));
    expect(routes.length).toBeGreaterThan(25);
    for (const { method, path } of routes) {
      expect(documentedStatuses(method, path), `${method} ${path}`).toContain('401');
      for (const key of [null, 'wrong', `frk_${'a'.repeat(16)}_${'b'.repeat(43)}`]) {
        const r = await call(gw.url, method, concrete(path), key, method === 'POST' || method === 'PATCH' ? { json: {} } : {});
        expectError(r, 401, 'unauthorized', null);
        expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    }
    // unknown routes under /api/v1 too: nothing about the API is told without a key
    expectError(await call(gw.url, 'GET', '/api/v1/nothing/', null), 401, 'unauthorized', null);
  });

  it('answers 200 with the right key, as Bearer or X-API-Key', async () => {
    for (const header of ['bearer', 'x-api-key'] as const) {
      for (const path of ['/api/v1/jobs/', '/api/v1/keys/', '/api/v1/audit/', '/api/v1/openapi.json']) {
        const r = await call(gw.url, 'GET', path, ADMIN, { header });
        expect(r.status, `${header} ${path}: ${r.text}`).toBe(200);
      }
    }
  });

  it('keeps /healthz and /readyz open, /metrics behind the read scope', async () => {
    expect((await call(gw.url, 'GET', '/healthz', null)).status).toBe(200);
    expect((await call(gw.url, 'GET', '/readyz', null)).status).toBe(200);
    expectError(await call(gw.url, 'GET', '/metrics', null), 401, 'unauthorized', null);
    const writer = await createKey(gw.url, { name: 'writer', scopes: ['write'] });
    expectError(await call(gw.url, 'GET', '/metrics', writer.key), 403, 'forbidden', null);
    const reader = await createKey(gw.url, { name: 'reader', scopes: ['read'] });
    expect((await call(gw.url, 'GET', '/metrics', reader.key)).status).toBe(200);
  });

  it('gives each key only its scopes: a read key cannot submit (403), a write key can upload', async () => {
    const reader = await createKey(gw.url, { name: 'reader', scopes: ['read'] });
    expect(reader.key).toMatch(/^frk_/);
    expect((await call(gw.url, 'GET', '/api/v1/jobs/', reader.key)).status).toBe(200);
    const e = expectError(await call(gw.url, 'POST', '/api/v1/jobs/', reader.key, { json: { sources: ['https://example.org/a.jpg'] } }), 403, 'forbidden', null);
    expect(e.message).toContain('write');
    expectError(await call(gw.url, 'POST', '/api/v1/storage/', reader.key, { raw: 'x' }), 403, 'forbidden', null);
    expectError(await call(gw.url, 'GET', '/api/v1/models/', reader.key), 403, 'forbidden', null);
    expectError(await call(gw.url, 'GET', '/api/v1/keys/', reader.key), 403, 'forbidden', null);
    expectError(await call(gw.url, 'POST', '/api/v1/keys/', reader.key, { json: { name: 'x', scopes: ['admin'] } }), 403, 'forbidden', null);

    const writer = await createKey(gw.url, { name: 'writer', scopes: ['write'] });
    const up = await call(gw.url, 'POST', '/api/v1/storage/', writer.key, { raw: 'some bytes' });
    expect(up.status, up.text).toBe(201);
    expectError(await call(gw.url, 'GET', '/api/v1/jobs/', writer.key), 403, 'forbidden', null);

    const admin = await createKey(gw.url, { name: 'second admin', scopes: ['admin'] });
    expect((await call(gw.url, 'GET', '/api/v1/jobs/', admin.key)).status).toBe(200);
    expect((await call(gw.url, 'GET', '/api/v1/keys/', admin.key)).status).toBe(200);
  });

  it('lists keys without secrets or hashes; revoking one makes it 401 at once; both leave audit records', async () => {
    const made = await createKey(gw.url, { name: 'short-lived', scopes: ['read', 'galleries'] });
    const list = await call(gw.url, 'GET', '/api/v1/keys/', ADMIN);
    const listed = list.body.data.find((k: any) => k.id === made.id);
    expect(listed).toEqual({ id: made.id, name: 'short-lived', scopes: ['read', 'galleries'], created: expect.any(String), rate_limit: null });
    expect(list.text).not.toContain(made.key.split('_')[2]);
    expect(list.text).not.toContain('scrypt');
    expect((await call(gw.url, 'GET', `/api/v1/keys/${made.id}/`, ADMIN)).body.name).toBe('short-lived');

    expect((await call(gw.url, 'GET', '/api/v1/jobs/', made.key)).status).toBe(200);
    expect((await call(gw.url, 'DELETE', `/api/v1/keys/${made.id}/`, ADMIN)).status).toBe(204);
    expectError(await call(gw.url, 'GET', '/api/v1/jobs/', made.key), 401, 'unauthorized', null);
    expectError(await call(gw.url, 'DELETE', `/api/v1/keys/${made.id}/`, ADMIN), 404, 'not_found', null);

    const audit = await call(gw.url, 'GET', '/api/v1/audit/?limit=1000', ADMIN);
    const mine = audit.body.data.filter((a: any) => a.target === made.id);
    expect(mine.map((a: any) => a.action)).toEqual(['key.revoke', 'key.create']); // newest first
    for (const a of mine) expect(a.actor).toBe('bootstrap');
    expect(audit.text).not.toContain(made.key);
  });

  it('validates key requests', async () => {
    expectError(await call(gw.url, 'POST', '/api/v1/keys/', ADMIN, { json: { name: 'x', scopes: ['root'] } }), 400, 'invalid_request', 'scopes[0]');
    expectError(await call(gw.url, 'POST', '/api/v1/keys/', ADMIN, { json: { name: 'x', scopes: [] } }), 400, 'invalid_request', 'scopes');
    expectError(await call(gw.url, 'POST', '/api/v1/keys/', ADMIN, { json: { scopes: ['read'] } }), 400, 'invalid_request', 'name');
    expectError(await call(gw.url, 'POST', '/api/v1/keys/', ADMIN, { json: { name: 'x', scopes: ['read'], owner: 'me' } }), 400, 'invalid_request', 'owner');
    expectError(await call(gw.url, 'POST', '/api/v1/keys/', ADMIN, { json: { name: 'x', scopes: ['read'], rate_limit: { per_second: -1, burst: 1 } } }), 400, 'invalid_request', 'rate_limit.per_second');
  });

  it('rate limits per key: 429 with Retry-After and the error body past the burst; other keys unaffected', async () => {
    const slow = await createKey(gw.url, { name: 'slow', scopes: ['read'], rate_limit: { per_second: 0.5, burst: 3 } });
    for (let i = 0; i < 3; i++) expect((await call(gw.url, 'GET', '/api/v1/jobs/', slow.key)).status).toBe(200);
    const r = await call(gw.url, 'GET', '/api/v1/jobs/', slow.key);
    expectError(r, 429, 'rate_limited', null);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(2);
    expect((await call(gw.url, 'GET', '/api/v1/jobs/', ADMIN)).status).toBe(200);
  });

  it('keeps keys across a restart', async () => {
    const kept = await createKey(gw.url, { name: 'kept', scopes: ['read'] });
    await gw.stop({ keepData: true });
    gw = await startGatewayOnly({ dataDir: gw.dataDir, env: { FACEREC_API_KEY: ADMIN } });
    expect((await call(gw.url, 'GET', '/api/v1/jobs/', kept.key)).status).toBe(200);
    expectError(await call(gw.url, 'POST', '/api/v1/storage/', kept.key, { raw: 'x' }), 403, 'forbidden', null);
    expectError(await call(gw.url, 'GET', '/api/v1/jobs/', null), 401, 'unauthorized', null);
  });
});

describe('without FACEREC_API_KEY', () => {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

  it('accepts requests without a key on loopback, and is not reachable on other addresses', async () => {
    const gw = await startGatewayOnly({ env: { HOST: '0.0.0.0' } });
    try {
      expect((await call(gw.url, 'GET', '/api/v1/jobs/', null)).status).toBe(200);
      expect((await call(gw.url, 'GET', '/metrics', null)).status).toBe(200);
      if (external) await expect(fetch(`http://${external}:${gw.port}/healthz`)).rejects.toThrow();
      else console.warn('no non-loopback IPv4 address here: the unreachability check is skipped');
      // a presented key is still checked
      expectError(await call(gw.url, 'GET', '/api/v1/jobs/', 'wrong'), 401, 'unauthorized', null);
    } finally {
      await gw.stop();
    }
  });

  it.skipIf(!external)('listens on HOST with FACEREC_ALLOW_ANONYMOUS=true', async () => {
    const gw = await startGatewayOnly({ env: { HOST: '0.0.0.0', FACEREC_ALLOW_ANONYMOUS: 'true' } });
    try {
      expect((await fetch(`http://${external}:${gw.port}/healthz`)).status).toBe(200);
    } finally {
      await gw.stop();
    }
  });

  it('serves /metrics without a key to anyone with FACEREC_METRICS_PUBLIC, even when keys are required', async () => {
    const gw = await startGatewayOnly({ env: { FACEREC_API_KEY: ADMIN, FACEREC_METRICS_PUBLIC: 'true' } });
    try {
      expect((await call(gw.url, 'GET', '/metrics', null)).status).toBe(200);
      expectError(await call(gw.url, 'GET', '/api/v1/jobs/', null), 401, 'unauthorized', null);
    } finally {
      await gw.stop();
    }
  });
});

const natsUrl = await availableNats();

describe.skipIf(!natsUrl)('distributed: keys in NATS KV, shared by gateway replicas', () => {
  it('a key made through one replica works on another; revoked on one, refused by both', async () => {
    const env = { FACEREC_API_KEY: ADMIN, NATS_URL: natsUrl!, FACEREC_NATS_PREFIX: uniqueName('keys') };
    const a = await startGatewayOnly({ env });
    const b = await startGatewayOnly({ env });
    try {
      const made = await createKey(a.url, { name: 'shared', scopes: ['read'] });
      expect((await call(b.url, 'GET', '/api/v1/jobs/', made.key)).status).toBe(200);
      expect((await call(b.url, 'GET', '/api/v1/keys/', ADMIN)).body.data.map((k: any) => k.id)).toContain(made.id);
      expect((await call(b.url, 'DELETE', `/api/v1/keys/${made.id}/`, ADMIN)).status).toBe(204);
      expectError(await call(a.url, 'GET', '/api/v1/jobs/', made.key), 401, 'unauthorized', null);
      const audit = await call(a.url, 'GET', '/api/v1/audit/', ADMIN);
      expect(audit.body.data.filter((r: any) => r.target === made.id).map((r: any) => r.action)).toEqual(['key.revoke', 'key.create']);
      // and they survive the replicas
      const kept = await createKey(a.url, { name: 'kept', scopes: ['read'] });
      await a.stop();
      const c = await startGatewayOnly({ env });
      try {
        expect((await call(c.url, 'GET', '/api/v1/jobs/', kept.key)).status).toBe(200);
      } finally {
        await c.stop();
      }
    } finally {
      await b.stop();
      await a.stop().catch(() => undefined);
    }
  });
});

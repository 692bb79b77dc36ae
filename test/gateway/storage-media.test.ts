// GET /api/v1/storage/{id}/: a stored upload served back as uploaded, with byte ranges (a browser's
// player seeks with them), and inert when it is not media.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRange } from '../../services/gateway/storage-routes.js';
import { startEmbedded, type RunningProduct } from '../support/product.js';
import { expectError, send } from './helpers.js';

let product: RunningProduct;
let url: string;
const bytes = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7) % 251));

async function store(body: Uint8Array | string, contentType: string): Promise<string> {
  const r = await send(url, 'POST', '/api/v1/storage/', { raw: body, contentType });
  expect(r.status, r.text).toBe(201);
  return r.body.id;
}

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

beforeAll(async () => {
  product = await startEmbedded();
  url = product.url;
});

afterAll(async () => {
  await product?.stop();
});

describe('GET /api/v1/storage/{id}/', () => {
  it('serves the whole upload with its media type, and says it takes ranges', async () => {
    const id = await store(bytes, 'video/mp4');
    for (const path of [`/api/v1/storage/${id}/`, `/api/v1/storage/${id}`]) {
      const r = await get(path);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('video/mp4');
      expect(r.headers.get('accept-ranges')).toBe('bytes');
      expect(r.headers.get('content-length')).toBe(String(bytes.length));
      expect(r.body.equals(bytes)).toBe(true);
    }
  });

  it('answers one byte range with 206 and exactly those bytes', async () => {
    const id = await store(bytes, 'video/mp4');
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=65530-70000', 65530, 70000],
      ['bytes=99990-', 99990, 99999],
      ['bytes=-10', 99990, 99999],
      ['bytes=5-200000', 5, 99999],
    ];
    for (const [range, start, end] of cases) {
      const r = await get(`/api/v1/storage/${id}/`, { range });
      expect(r.status, range).toBe(206);
      expect(r.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${bytes.length}`);
      expect(r.body.equals(bytes.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it('refuses a range past the end with 416 and the size', async () => {
    const id = await store(bytes, 'video/mp4');
    const res = await fetch(`${url}/api/v1/storage/${id}/`, { headers: { range: 'bytes=100000-' } });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */100000');
    expect((await res.json()).error.code).toBe('range_not_satisfiable');
  });

  it('serves what is not media as inert bytes', async () => {
    const id = await store('<script>alert(1)</script>', 'text/html');
    const r = await get(`/api/v1/storage/${id}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('answers 404 naming the upload for an unknown or malformed id', async () => {
    expect(expectError(await send(url, 'GET', '/api/v1/storage/AAAAAAAAAAAAAAAA/'), 404, 'not_found', null).message).toContain('AAAAAAAAAAAAAAAA');
    expectError(await send(url, 'GET', '/api/v1/storage/not..an..id/'), 404, 'not_found', null);
  });
});

describe('parseRange', () => {
  it('reads one range and refuses the unsatisfiable', () => {
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange('bytes=0-1,3-4', 10)).toBeNull();
    expect(parseRange('items=0-1', 10)).toBeNull();
    expect(parseRange('bytes=2-4', 10)).toEqual([2, 4]);
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-4', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
  });
});

// SPEC §1/§4 with bad media: a job whose sources are partly unusable (not an image, a truncated
// JPEG, a PNG whose header claims 10 gigapixels, a private-address URL) completes the good source
// and reports each bad one in `errors`; a job of only bad sources ends `failed`; the product stays
// ready. The upload route: raw and multipart bodies, empty uploads refused, the size limit.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, waitForJob, type RunningProduct } from '../support/product.js';
import { sharedDataFile } from '../support/shared-data.js';
import { expectError, expectInvalid, filePart, pngChunkCrcOk, pngClaiming, send, upload } from './helpers.js';

const obamaPath = sharedDataFile('faces/people/probes/obama1.jpg');
const PRIVATE_URL = 'http://127.0.0.1:1/x.jpg';

describe('the hand-built PNG header', () => {
  it('has correct chunk CRCs and claims 100000x100000 px', () => {
    const png = pngClaiming(100_000, 100_000);
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([100_000, 100_000]);
    expect(pngChunkCrcOk(png, 8)).toBe(true); // IHDR
    // IEND's CRC is a well-known constant
    expect(png.subarray(-12).toString('hex')).toBe('0000000049454e44ae426082');
  });
});

describe('uploads and jobs with bad media', () => {
  let product: RunningProduct;
  let url: string;

  beforeAll(async () => {
    product = await startEmbedded();
    url = product.url;
  });

  afterAll(async () => {
    await product?.stop();
  });

  const postJob = (sources: string[]) => send(url, 'POST', '/api/v1/jobs/', { json: { sources, modules: { face_recognition: {} } } });

  async function badSources(): Promise<{ text: string; truncated: string | null; bomb: string; url: string }> {
    return {
      text: await upload(url, Buffer.from('These are my notes, not a photo.\n'), 'notes.jpg', 'image/jpeg'),
      truncated: obamaPath ? await upload(url, readFileSync(obamaPath).subarray(0, 2000), 'truncated.jpg', 'image/jpeg') : null,
      bomb: await upload(url, pngClaiming(100_000, 100_000), 'huge.png', 'image/png'),
      url: PRIVATE_URL,
    };
  }

  describe('POST /api/v1/storage/', () => {
    it('stores a raw body with its content type', async () => {
      const bytes = Buffer.from('raw bytes of something');
      const r = await send(url, 'POST', '/api/v1/storage/', { raw: bytes, contentType: 'image/jpeg' });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{8,64}$/), source: `storage://${r.body.id}`, size: bytes.length, content_type: 'image/jpeg' });
    });

    it('stores a multipart upload from the field `file`', async () => {
      const form = new FormData();
      form.append('note', 'ignored');
      form.append('file', filePart(Buffer.from('PNG-ish'), 'image/png'), 'x.png');
      const r = await send(url, 'POST', '/api/v1/storage', { form });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ size: 7, content_type: 'image/png' });
    });

    it('refuses empty uploads, raw or multipart, with 400 on `file`', async () => {
      expect(expectInvalid(await send(url, 'POST', '/api/v1/storage/', { raw: Buffer.alloc(0), contentType: 'image/jpeg' }), 'file').message).toBe('the upload is empty');
      const form = new FormData();
      form.append('file', filePart(Buffer.alloc(0), 'image/jpeg'), 'empty.jpg');
      expectInvalid(await send(url, 'POST', '/api/v1/storage/', { form }), 'file');
    });

    it('refuses a multipart body without a `file` field, with 400 on `file`', async () => {
      const form = new FormData();
      form.append('image', filePart(Buffer.from('bytes'), 'image/jpeg'), 'a.jpg');
      expectInvalid(await send(url, 'POST', '/api/v1/storage/', { form }), 'file');
    });
  });

  describe.skipIf(!obamaPath)('a job with good and bad sources', () => {
    it('completes the good source and reports each bad one in `errors`', async () => {
      const good = await send(url, 'POST', '/api/v1/storage/', { raw: readFileSync(obamaPath!), contentType: 'image/jpeg' });
      expect(good.status, good.text).toBe(201);
      const bad = await badSources();
      const sources = [bad.text, good.body.source, bad.truncated!, bad.bomb, bad.url];
      const created = await postJob(sources);
      expect(created.status, created.text).toBe(201);

      const done = await waitForJob(url, created.body.id);
      expect(done.state, JSON.stringify(done.errors)).toBe('completed');
      expect(done.progress).toBe(1);
      expect(done.sources).toEqual(sources);
      const errors = new Map<string, string>(done.errors.map((e: { source: string; message: string }) => [e.source, e.message]));
      expect([...errors.keys()].sort()).toEqual([bad.text, bad.truncated!, bad.bomb, bad.url].sort());
      expect(done.errors).toHaveLength(4);
      expect(errors.get(bad.text)).toMatch(/^not a readable image or video: .*unsupported image format/);
      expect(errors.get(bad.truncated!)).toMatch(/^not a readable image or video: .*premature end of JPEG/);
      expect(errors.get(bad.bomb)).toMatch(/^not a readable image or video: .*100000x100000 \(10000\.0 MP\), over the 100\.0 MP limit/);
      expect(errors.get(bad.url)).toMatch(/^download refused: 127\.0\.0\.1 is a loopback address/);

      const goodSummary = done.result.summary.find((s: { source: string }) => s.source === good.body.source);
      expect(goodSummary, JSON.stringify(done.result.summary)).toBeDefined();
      expect(goodSummary.media_type).toBe('image');
      expect(goodSummary.items.length).toBeGreaterThanOrEqual(1);
      for (const s of done.result.summary) if (s.source !== good.body.source) expect(s.items ?? []).toEqual([]);

      const details = await send(url, 'GET', `/api/v1/jobs/${created.body.id}/detailed-results/?limit=100`);
      expect(details.status).toBe(200);
      expect(details.body.total).toBeGreaterThanOrEqual(1);
      for (const item of details.body.data) expect(item.source).toBe(good.body.source);
    });
  });

  it('ends `failed` when every source is bad, with each reason', async () => {
    const bad = await badSources();
    const sources = [bad.text, bad.bomb, bad.url, ...(bad.truncated ? [bad.truncated] : [])];
    const created = await postJob(sources);
    expect(created.status, created.text).toBe(201);
    const done = await waitForJob(url, created.body.id);
    expect(done.state).toBe('failed');
    expect(done.errors.map((e: { source: string }) => e.source).sort()).toEqual([...sources].sort());
    for (const e of done.errors) expect(e.message.length).toBeGreaterThan(10);
    const details = await send(url, 'GET', `/api/v1/jobs/${created.body.id}/detailed-results/`);
    expect(details.body).toMatchObject({ total: 0, data: [] });
  });

  it('stays ready and answering after all that', async () => {
    const ready = await send(url, 'GET', '/readyz');
    expect(ready.status, ready.text).toBe(200);
    expect(ready.body.ready).toBe(true);
    const list = await send(url, 'GET', '/api/v1/jobs/?state=failed');
    expect(list.status).toBe(200);
    expect(list.body.total).toBeGreaterThanOrEqual(1);
  });
});

describe('the upload size limit (FACEREC_MAX_UPLOAD_BYTES=1000)', () => {
  let product: RunningProduct;
  let url: string;

  beforeAll(async () => {
    product = await startEmbedded({ env: { FACEREC_MAX_UPLOAD_BYTES: '1000' } });
    url = product.url;
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('takes an upload of exactly the limit', async () => {
    const r = await send(url, 'POST', '/api/v1/storage/', { raw: Buffer.alloc(1000, 7), contentType: 'image/jpeg' });
    expect(r.status, r.text).toBe(201);
    expect(r.body.size).toBe(1000);
  });

  it('refuses a raw upload over the limit with 413 on `file`', async () => {
    const e = expectError(await send(url, 'POST', '/api/v1/storage/', { raw: Buffer.alloc(2000, 7), contentType: 'image/jpeg' }), 413, 'payload_too_large', 'file');
    expect(e.message).toContain('1000 bytes');
    expectError(await send(url, 'POST', '/api/v1/storage/', { raw: Buffer.alloc(1001, 7), contentType: 'image/jpeg' }), 413, 'payload_too_large', 'file');
  });

  it.each([1001, 2000, 50_000])('refuses a multipart upload of %i bytes with 413 on `file` (no hang)', async (size) => {
    const form = new FormData();
    form.append('file', filePart(Buffer.alloc(size, 7), 'image/jpeg'), 'big.jpg');
    expectError(await send(url, 'POST', '/api/v1/storage/', { form }), 413, 'payload_too_large', 'file');
  }, 15_000);

  it('refuses a body whose declared length is far over the limit before reading it', async () => {
    expectError(await send(url, 'POST', '/api/v1/storage/', { raw: Buffer.alloc(200_000, 7), contentType: 'image/jpeg' }), 413, 'payload_too_large', 'file');
  });

  it('still takes uploads after refusing', async () => {
    const r = await send(url, 'POST', '/api/v1/storage/', { raw: Buffer.alloc(10, 1), contentType: 'application/octet-stream' });
    expect(r.status, r.text).toBe(201);
  });
});

// SPEC §4: uploads, streamed into the BlobStore (multipart field `file`, or the raw body), and
// served back (with byte ranges, so that a browser's player can seek in a stored video).
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { ApiError, notFound } from '../../libs/api/errors.js';
import { BLOB_ID_PATTERN, BlobTooLargeError } from '../../libs/store/blob-store.js';
import { route, type GatewayContext } from './app.js';
import { isMultipart, streamMultipartFile } from './multipart.js';

export function storageRoutes(ctx: GatewayContext): Router {
  const router = Router();
  router.post(
    '/',
    route(async (req, res) => {
      const maxBytes = ctx.limits.maxUploadBytes;
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) throw tooLarge(maxBytes);
      const store = (data: AsyncIterable<Uint8Array>, contentType: string) =>
        ctx.blobs.put(data, { contentType, maxBytes }).catch((err: unknown) => {
          throw err instanceof BlobTooLargeError ? tooLarge(maxBytes) : err;
        });
      const meta = isMultipart(req)
        ? await streamMultipartFile(req, 'file', store)
        : await store(req, (req.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim());
      if (meta.size === 0) {
        await ctx.blobs.delete(meta.id);
        throw new ApiError(400, 'invalid_request', 'file', 'the upload is empty');
      }
      res.status(201).json({ id: meta.id, source: `storage://${meta.id}`, size: meta.size, content_type: meta.contentType });
    }),
  );
  router.get(
    '/:id',
    route(async (req, res) => {
      const id = String(req.params.id);
      const meta = BLOB_ID_PATTERN.test(id) ? await ctx.blobs.stat(id) : undefined;
      if (!meta) throw notFound(`upload ${id}`);
      const range = parseRange(req.headers.range, meta.size);
      if (range === 'unsatisfiable') {
        res.status(416).set('content-range', `bytes */${meta.size}`);
        throw new ApiError(416, 'range_not_satisfiable', 'range', `the upload has ${meta.size} bytes`);
      }
      const stream = await ctx.blobs.open(id);
      if (!stream) throw notFound(`upload ${id}`);
      // Uploads are the clients' bytes served from the API's origin: only media types are served as
      // themselves, and nothing is sniffed or run (an uploaded HTML page stays inert).
      res.set({
        'content-type': servedType(meta.contentType),
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        'accept-ranges': 'bytes',
        'cache-control': 'private, max-age=86400, immutable',
      });
      const [start, end] = range ?? [0, meta.size - 1];
      if (range) res.status(206).set('content-range', `bytes ${start}-${end}/${meta.size}`);
      res.set('content-length', String(Math.max(0, end - start + 1)));
      if (req.method === 'HEAD' || meta.size === 0) {
        stream.destroy();
        res.end();
        return;
      }
      await pipeline(range ? byteWindow(stream, start, end) : stream, res).catch((err: unknown) => {
        // A player that seeks closes its previous request: not an error of ours.
        if (!res.destroyed) throw err;
      });
    }),
  );

  return router;
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; null for none (or several: the whole body is sent). */
export function parseRange(header: string | undefined, size: number): [number, number] | null | 'unsatisfiable' {
  const m = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
    if (Number(m[2]) === 0) return 'unsatisfiable';
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}

/** Bytes start..end (inclusive) of the stream; the stream is closed once past the end. */
async function* byteWindow(stream: Readable, start: number, end: number): AsyncGenerator<Buffer> {
  let position = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const from = Math.max(0, start - position);
    const to = Math.min(chunk.length, end + 1 - position);
    position += chunk.length;
    if (to > from) yield chunk.subarray(from, to);
    if (position > end) break;
  }
}

const PLAYABLE = /^(image\/(jpeg|png|webp|gif|bmp|tiff|avif)|video\/[\w.+-]+|audio\/[\w.+-]+)$/i;

function servedType(contentType: string): string {
  return PLAYABLE.test(contentType) ? contentType : 'application/octet-stream';
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'payload_too_large', 'file', `the upload is larger than the limit of ${maxBytes} bytes`);
}

// SPEC §4: uploads, streamed into the BlobStore (multipart field `file`, or the raw body).
import { Router } from 'express';
import { ApiError } from '../../libs/api/errors.js';
import { BlobTooLargeError } from '../../libs/store/blob-store.js';
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
  return router;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'payload_too_large', 'file', `the upload is larger than the limit of ${maxBytes} bytes`);
}

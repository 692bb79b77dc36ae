// multipart/form-data bodies (uploads, identity photos), read with busboy as they stream in.
import busboy from 'busboy';
import type { Request } from 'express';
import { invalid } from '../../libs/api/errors.js';

export function isMultipart(req: Request): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
}

export interface MultipartFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** Reads every field and file into memory (bounded): for requests of a few photos. */
export function readMultipart(req: Request, limits: { maxFileBytes: number; maxFiles: number }): Promise<{ fields: Record<string, string[]>; files: MultipartFile[] }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fields: 100 } });
    } catch (err) {
      return reject(invalid(null, `malformed multipart body: ${(err as Error).message}`));
    }
    const fields: Record<string, string[]> = {};
    const files: MultipartFile[] = [];
    let failure: Error | undefined;
    parser.on('field', (name, value) => (fields[name] ??= []).push(value));
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => (failure ??= invalid(field, `file "${info.filename}" is larger than ${limits.maxFileBytes} bytes`)));
      stream.on('end', () => files.push({ field, filename: info.filename ?? field, contentType: info.mimeType, bytes: Buffer.concat(chunks) }));
    });
    parser.on('filesLimit', () => (failure ??= invalid(null, `more than ${limits.maxFiles} files`)));
    parser.on('error', (err: Error) => reject(invalid(null, `malformed multipart body: ${err.message}`)));
    parser.on('close', () => (failure ? reject(failure) : resolve({ fields, files })));
    req.pipe(parser);
  });
}

/** Streams the first file of a multipart body to `consume` (a large upload never sits in memory). */
export function streamMultipartFile<T>(req: Request, field: string, consume: (file: AsyncIterable<Uint8Array>, contentType: string) => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1 } });
    } catch (err) {
      return reject(invalid(null, `malformed multipart body: ${(err as Error).message}`));
    }
    let result: Promise<T> | undefined;
    parser.on('file', (name, stream, info) => {
      if (name !== field || result) {
        stream.resume();
        return;
      }
      // Not destroyed when `consume` stops early (e.g. past the size limit): a destroyed file stream
      // stalls busboy, which then never closes and the request hangs. Drained instead.
      result = consume(stream.iterator({ destroyOnReturn: false }), info.mimeType || 'application/octet-stream');
      result.catch(() => stream.resume());
    });
    parser.on('error', (err: Error) => reject(invalid(null, `malformed multipart body: ${err.message}`)));
    parser.on('close', () => (result ? result.then(resolve, reject) : reject(invalid(field, `a multipart upload needs a file in the field "${field}"`))));
    req.pipe(parser);
  });
}

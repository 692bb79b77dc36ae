// Small helpers for the gateway's integration tests (test/gateway): uploads, error bodies, and
// images made on the spot.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { expect } from 'vitest';
import { buildOpenApi } from '../../libs/api/openapi.js';
import { crc32, pngChunk } from '../support/png.js';

/** What the gateway answered: status, parsed JSON body (null when empty), raw text and headers. */
export interface Reply {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/** Any request; a JSON body is sent as JSON, a string or bytes as they are (with `contentType`). */
export async function send(
  url: string,
  method: string,
  path: string,
  opts: { json?: unknown; raw?: string | Uint8Array; contentType?: string; form?: FormData } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  let body: BodyInit | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.raw !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/octet-stream';
    body = typeof opts.raw === 'string' ? opts.raw : new Uint8Array(opts.raw);
  } else if (opts.form) {
    body = opts.form;
  }
  const res = await fetch(`${url}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = null;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** Asserts SPEC §1's error body and returns it. */
export function expectError(reply: Reply, status: number, code: string, field: string | null): { code: string; field: string | null; message: string } {
  const detail = `${reply.status} ${reply.text.slice(0, 500)}`;
  expect(reply.status, detail).toBe(status);
  expect(reply.body, detail).toEqual({ error: { code, field, message: expect.any(String) } });
  expect(reply.body.error.message.length, detail).toBeGreaterThan(0);
  return reply.body.error;
}

export function expectInvalid(reply: Reply, field: string | null) {
  return expectError(reply, 400, 'invalid_request', field);
}

/** A file as a multipart part. */
export function filePart(bytes: Uint8Array, type: string): Blob {
  return new Blob([new Uint8Array(bytes)], { type });
}

/** Uploads bytes through POST /api/v1/storage/ (multipart field `file`); returns `storage://<id>`. */
export async function upload(url: string, bytes: Uint8Array, filename = 'upload.jpg', type = 'image/jpeg'): Promise<string> {
  const form = new FormData();
  form.append('file', filePart(bytes, type), filename);
  const reply = await send(url, 'POST', '/api/v1/storage/', { form });
  expect(reply.status, reply.text).toBe(201);
  expect(reply.body.size).toBe(bytes.length);
  return reply.body.source as string;
}

export function uploadFile(url: string, path: string): Promise<string> {
  return upload(url, readFileSync(path), basename(path), path.endsWith('.png') ? 'image/png' : 'image/jpeg');
}

/** A plain-colour PNG: a readable image without any face. */
export function plainPng(width = 320, height = 240): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 90, g: 140, b: 200 } } }).png().toBuffer();
}

/**
 * A well-formed PNG header that claims `width`x`height` RGB pixels (8-bit), with a tiny IDAT
 * and IEND: a decompression bomb's header, without its bytes.
 */
export function pngClaiming(width: number, height: number): Buffer {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  // compression, filter, interlace: 0
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.alloc(4))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** The CRC of the chunk at `offset` of a PNG is right (checks the builder above). */
export function pngChunkCrcOk(png: Buffer, offset: number): boolean {
  const length = png.readUInt32BE(offset);
  const expected = png.readUInt32BE(offset + 8 + length);
  return crc32(png.subarray(offset + 4, offset + 8 + length)) === expected;
}

/** An operation of the OpenAPI document, e.g. ('POST', '/api/v1/storage/'); throws when it has none. */
function documentedOperation(method: string, path: string): { responses: Record<string, unknown>; parameters?: { name: string }[] } {
  const doc = buildOpenApi('http://localhost') as { paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: { name: string }[] }> | undefined> };
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`the OpenAPI document has no ${method} ${path}`);
  return op;
}

/** The statuses the OpenAPI document lists for an operation, e.g. ('POST', '/api/v1/storage/'). */
export function documentedStatuses(method: string, path: string): string[] {
  return Object.keys(documentedOperation(method, path).responses);
}

/** The parameter names the OpenAPI document lists for an operation. */
export function documentedParameters(method: string, path: string): string[] {
  return (documentedOperation(method, path).parameters ?? []).map((p) => p.name);
}

/** A unit vector of `dimension` values made from `seed` (the same seed, the same vector): a stand-in embedding. */
export function unitVector(dimension: number, seed: number): Float32Array {
  const v = Float32Array.from({ length: dimension }, (_, i) => Math.sin(seed * 7.3 + i * 1.7));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

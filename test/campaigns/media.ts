// Media campaign: hostile files and URLs, each the one source of a job on the embedded product in a
// child process: truncated and garbage files, decompression-bomb PNGs, a 60000x60000 header,
// zero bytes, an mp4 with hundreds of streams, a URL that redirects to 127.0.0.1, URLs that answer
// slowly forever. Each must end as a failed source with its reason (or, for a file that is valid
// but empty of faces, completed without results) within a time and memory limit, and the product
// must still be ready and able to do a real job afterwards.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { createDeflate, deflateSync } from 'node:zlib';
import { ffmpegPath } from '../../libs/media/binaries.js';
import { pngChunk } from '../support/png.js';
import {
  call,
  campaignData,
  fileOf,
  MemorySampler,
  say,
  signature,
  startEmbeddedProcess,
  submitJob,
  table,
  tempDir,
  uploadBytes,
  uploadFile,
  VIDEO,
  waitFinal,
  resultsOf,
  type Target,
} from './common.js';

export interface MediaOptions {
  /** FACEREC_FETCH_TIMEOUT_S of the product (the slow URLs must fail after this) */
  fetchTimeoutS: number;
  target?: Target;
}

interface Case {
  name: string;
  /** bytes to upload, or a URL to give as the source */
  input: () => Promise<{ bytes: Buffer; type: string } | { url: string }>;
  /** the failure reason expected; null: the source is valid (no faces), the job completes */
  reason: RegExp | null;
}

export interface MediaRow {
  name: string;
  size: string;
  outcome: string;
  reason: string;
  seconds: number;
  peakMb: number;
  ready: boolean;
  ok: boolean;
}

// ---------------------------------------------------------------- hostile files

function png(width: number, height: number, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A real decompression bomb: every row of a width x height RGB image deflated (all zeros), a few hundred kB to a few MB. */
async function pngBomb(width: number, height: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => deflate.on('end', r));
  const row = Buffer.alloc(1 + width * 3); // filter byte 0, then black pixels
  for (let y = 0; y < height; y++) if (!deflate.write(row)) await new Promise((r) => deflate.once('drain', r));
  deflate.end();
  await done;
  return png(width, height, Buffer.concat(out));
}

/** A JPEG whose frame header (SOF) claims width x height; the rest of the file as it was. */
function jpegClaiming(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i < out.length - 9; ) {
    if (out[i] !== 0xff) throw new Error('not a JPEG marker');
    const marker = out[i + 1]!;
    const length = out.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + length;
  }
  throw new Error('no SOF marker');
}

function manyStreamsMp4(streams: number): Buffer {
  const dir = tempDir('facerec-campaign-mp4-');
  const file = join(dir, 'many.mp4');
  const maps = Array.from({ length: streams }, () => ['-map', '0:v']).flat();
  execFileSync(ffmpegPath(), ['-y', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=32x32:rate=2:duration=1', ...maps, '-c:v', 'mpeg4', '-f', 'mp4', file]);
  const bytes = readFileSync(file);
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

// ---------------------------------------------------------------- hostile servers

/** /redirect → 302 to http://127.0.0.1:<port>/photo; /slow-body trickles a byte a second forever; /slow-headers never answers; /empty is 200 with no body. */
async function hostileServer(photo: Buffer): Promise<{ port: number; close(): Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const port = (server.address() as { port: number }).port;
    switch (req.url) {
      case '/redirect':
        res.writeHead(302, { location: `http://127.0.0.1:${port}/photo.jpg` }).end();
        return;
      case '/photo.jpg':
        res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
        return;
      case '/empty':
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '0' }).end();
        return;
      case '/slow-body': {
        res.writeHead(200, { 'content-type': 'video/mp4' });
        const timer = setInterval(() => res.write(Buffer.from([0])), 1000);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/slow-headers':
        return; // never answers
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearInterval(t);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// ---------------------------------------------------------------- the campaign

const NOT_READABLE = /^(not a readable (image or video|video file)|truncated or corrupt video source)/;
/** Every case must end within this (download limit included) and below this memory (the product's whole process tree). */
const TIME_LIMIT_S = 60;
const MEMORY_LIMIT_MB = 2048;

export interface MediaReport {
  rows: MediaRow[];
  table: string;
  ok: boolean;
}

export async function runMedia(opts: MediaOptions): Promise<MediaReport> {
  const data = campaignData();
  if ('missing' in data) throw new Error(`media campaign: ${data.missing}`);
  const photo = readFileSync(fileOf(data, 'obama1.jpg'));
  const clip = readFileSync(data.clip);
  const server = await hostileServer(photo);
  // localhost may be fetched (an operator's own media server by name), 127.0.0.1 may not: the
  // redirect case checks each hop is checked again.
  const own = opts.target
    ? null
    : await startEmbeddedProcess({ env: { FACEREC_FETCH_TIMEOUT_S: String(opts.fetchTimeoutS), FACEREC_ALLOW_PRIVATE_HOSTS: 'localhost' } });
  const t = opts.target ?? own!;
  const local = (path: string) => ({ url: `http://localhost:${server.port}${path}` });
  const timeout = new RegExp(`^download timed out after ${opts.fetchTimeoutS} s`);
  const cases: Case[] = [
    { name: 'zero-byte file, by URL', input: async () => local('/empty'), reason: /empty|not a readable image or video/ },
    { name: 'garbage (1 MB of random bytes)', input: async () => ({ bytes: randomBytes(1 << 20), type: 'image/jpeg' }), reason: NOT_READABLE },
    { name: 'truncated JPEG (first 2,000 bytes)', input: async () => ({ bytes: photo.subarray(0, 2000), type: 'image/jpeg' }), reason: NOT_READABLE },
    { name: 'truncated JPEG (first half)', input: async () => ({ bytes: photo.subarray(0, photo.length >> 1), type: 'image/jpeg' }), reason: NOT_READABLE },
    { name: 'truncated mp4 (first half)', input: async () => ({ bytes: clip.subarray(0, clip.length >> 1), type: 'video/mp4' }), reason: NOT_READABLE },
    { name: 'truncated mp4 (first 64 kB)', input: async () => ({ bytes: clip.subarray(0, 65536), type: 'video/mp4' }), reason: NOT_READABLE },
    { name: 'PNG bomb: 20000x20000 RGB (1.2 GB) deflated', input: async () => ({ bytes: await pngBomb(20_000, 20_000), type: 'image/png' }), reason: /over the 100\.0 MP limit/ },
    { name: 'PNG bomb under the pixel limit: 9000x9000 RGB (243 MB) deflated', input: async () => ({ bytes: await pngBomb(9000, 9000), type: 'image/png' }), reason: null },
    { name: '60000x60000 PNG header', input: async () => ({ bytes: png(60_000, 60_000, deflateSync(Buffer.alloc(4))), type: 'image/png' }), reason: /60000x60000 .*over the 100\.0 MP limit/ },
    { name: '60000x60000 JPEG header', input: async () => ({ bytes: jpegClaiming(photo, 60_000, 60_000), type: 'image/jpeg' }), reason: /60000x60000 .*over the 100\.0 MP limit/ },
    { name: 'mp4 with 300 video streams', input: async () => ({ bytes: manyStreamsMp4(300), type: 'video/mp4' }), reason: null },
    { name: 'URL redirecting to 127.0.0.1', input: async () => local('/redirect'), reason: /^download refused: 127\.0\.0\.1 is a loopback address/ },
    { name: 'URL answering its body a byte a second, forever', input: async () => local('/slow-body'), reason: timeout },
    { name: 'URL never answering', input: async () => local('/slow-headers'), reason: timeout },
  ];
  const rows: MediaRow[] = [];
  try {
    // Jobs name a gallery; an empty one will do (its people do not matter here).
    await call(t.url(), 'POST', '/api/v1/models/', { name: 'people' });
    // Zero bytes as an upload: refused at the door, with its reason.
    const empty = await uploadBytes(t.url(), Buffer.alloc(0), 'empty.jpg', 'image/jpeg');
    rows.push({
      name: 'zero-byte file, uploaded',
      size: '0 B',
      outcome: `upload refused ${empty.status}`,
      reason: empty.body?.error?.message ?? empty.text.slice(0, 80),
      seconds: 0,
      peakMb: 0,
      ready: true,
      ok: empty.status === 400 && typeof empty.body?.error?.message === 'string',
    });
    const pid = () => t.processes().map((p) => p.child.pid!);
    for (const c of cases) {
      const input = await c.input();
      let source: string;
      let size: string;
      if ('url' in input) {
        source = input.url;
        size = 'URL';
      } else {
        const up = await uploadBytes(t.url(), input.bytes, 'hostile', input.type);
        if (up.status !== 201) throw new Error(`upload of ${c.name}: ${up.status} ${up.text}`);
        source = up.body.source;
        size = input.bytes.length >= 1 << 20 ? `${(input.bytes.length / (1 << 20)).toFixed(1)} MB` : `${(input.bytes.length / 1024).toFixed(0)} kB`;
      }
      const memory = new MemorySampler(pid).start(100);
      const started = Date.now();
      const id = await submitJob(t.url(), [source]);
      const job = await waitFinal(t.url, id, (TIME_LIMIT_S + 30) * 1000).catch((err: Error) => ({ state: 'not final', errors: [{ message: err.message }] }));
      const seconds = (Date.now() - started) / 1000;
      const peakMb = memory.stop();
      const reason = String(job.errors?.[0]?.message ?? '');
      const ready = (await fetch(`${t.url()}/readyz`).then((r) => r.status, () => 0)) === 200;
      const expected = c.reason ? job.state === 'failed' && c.reason.test(reason) : job.state === 'completed';
      const ok = expected && ready && seconds <= TIME_LIMIT_S && peakMb <= MEMORY_LIMIT_MB;
      const faces = job.state === 'completed' ? `, ${(await resultsOf(t.url(), id)).length} faces` : '';
      rows.push({ name: c.name, size, outcome: `${job.state}${faces}`, reason, seconds, peakMb, ready, ok });
      say(`media: ${c.name}: ${job.state} in ${seconds.toFixed(1)} s, ${peakMb.toFixed(0)} MB, ${reason}`);
    }
    // Still able to do real work: a photo and the video give their reference results.
    const good = await Promise.all([uploadFile(t.url(), fileOf(data, 'obama1.jpg')), uploadFile(t.url(), fileOf(data, VIDEO))]);
    const started = Date.now();
    const id = await submitJob(t.url(), good);
    const job = await waitFinal(t.url, id, 120_000);
    const faces = job.state === 'completed' ? signature(await resultsOf(t.url(), id)).length : 0;
    rows.push({
      name: 'then a real photo and video',
      size: '',
      outcome: `${job.state}, ${faces} faces`,
      reason: JSON.stringify(job.errors),
      seconds: (Date.now() - started) / 1000,
      peakMb: 0,
      ready: true,
      ok: job.state === 'completed' && job.errors.length === 0 && faces > 0,
    });
  } finally {
    await own?.stop();
    await server.close();
  }
  const text = table(
    ['input', 'size', 'outcome', 'reason given', 'time (s)', 'peak memory (MB)', 'ready after', 'as expected'],
    rows.map((r) => [r.name, r.size, r.outcome, r.reason.replace(/\|/g, '\\|').slice(0, 110), r.seconds.toFixed(1), r.peakMb ? r.peakMb.toFixed(0) : '', r.ready ? 'yes' : 'NO', r.ok ? 'yes' : 'NO']),
  );
  return { rows, table: `${text}\n\nLimits: ${TIME_LIMIT_S} s and ${MEMORY_LIMIT_MB} MB (the product's process tree) per input; downloads time out after ${opts.fetchTimeoutS} s (FACEREC_FETCH_TIMEOUT_S).`, ok: rows.every((r) => r.ok) };
}

// A source, wherever it lives (an upload, an http(s) URL), copied as it streams in to a local
// temporary file: ffmpeg needs a seekable file (an MP4's index may sit at its end), and a large
// video never has to sit in memory. The first bytes are kept to tell images from video.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openUrl, SourceFetchError, type FetchOptions } from '../../libs/fetch/fetch-source.js';
import type { BlobStore } from '../../libs/store/blob-store.js';

/** A source this job cannot use: reported in the job's errors, the other sources go on. */
export class SourceError extends Error {
  override name = 'SourceError';
}

export interface SourceFile {
  path: string;
  size: number;
  /** Up to the first 512 bytes. */
  head: Buffer;
  /** Deletes the file. */
  remove(): Promise<void>;
}

const HEAD_BYTES = 512;

export async function fetchSourceFile(source: string, deps: { blobs: BlobStore; fetch: FetchOptions; signal?: AbortSignal }): Promise<SourceFile> {
  let stream: Readable;
  if (source.startsWith('storage://')) {
    const opened = await deps.blobs.open(source.slice('storage://'.length));
    if (!opened) throw new SourceError(`no upload ${source} (deleted, expired, or never stored)`);
    stream = opened;
  } else {
    try {
      stream = (await openUrl(source, { ...deps.fetch, signal: deps.signal })).stream;
    } catch (err) {
      if (err instanceof SourceFetchError) throw new SourceError(err.message);
      throw err;
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'facerec-source-'));
  const path = join(dir, 'source');
  const remove = () => rm(dir, { recursive: true, force: true });
  let size = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (headBytes < HEAD_BYTES) {
      head.push(chunk.subarray(0, HEAD_BYTES - headBytes));
      headBytes += Math.min(chunk.length, HEAD_BYTES - headBytes);
    }
  });
  try {
    await pipeline(stream, createWriteStream(path), { signal: deps.signal });
  } catch (err) {
    await remove();
    if (err instanceof SourceFetchError) throw new SourceError(err.message);
    throw err;
  }
  if (size === 0) {
    await remove();
    throw new SourceError('the source is empty (0 bytes)');
  }
  return { path, size, head: Buffer.concat(head), remove };
}

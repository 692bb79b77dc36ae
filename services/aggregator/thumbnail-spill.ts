// A job's video thumbnails on disk while the aggregator reads and decides: every track of a video
// has a thumbnail in its result item (base64 JPEG, ~4 kB), and a two-hour film has thousands of
// tracks; held as strings they would grow the aggregator with the film's length. They go to a
// file as they arrive and are read back one at a time when the results are written.
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeProcessTempDir } from '../../libs/store/process-temp.js';

/** A thumbnail in a spill file. */
export class SpilledThumbnail {
  constructor(
    private readonly spill: ThumbnailSpill,
    private readonly offset: number,
    private readonly length: number,
  ) {}

  text(): string {
    return this.spill.read(this.offset, this.length);
  }
}

/** A thumbnail as a track holds it: in memory, or spilled. */
export type ThumbnailImage = string | SpilledThumbnail;

export function thumbnailText(image: ThumbnailImage): string {
  return typeof image === 'string' ? image : image.text();
}

/** `{ image, meta }` of a result item whose image is read from the spill when it is read (JSON.stringify, one item at a time). */
export function itemThumbnail(image: ThumbnailImage | null): { image: string; meta: Record<string, never> } {
  if (image === null || typeof image === 'string') return { image: image ?? '', meta: {} };
  const thumbnail = { meta: {} } as { image: string; meta: Record<string, never> };
  Object.defineProperty(thumbnail, 'image', { get: () => image.text(), enumerable: true });
  return thumbnail;
}

export class ThumbnailSpill {
  /** Made on the first put: a job of photos never touches the disk. */
  private file: { dir: string; fd: number } | null = null;
  private end = 0;
  private closed = false;
  private buffer = Buffer.allocUnsafeSlow(64 * 1024);

  put(text: string): SpilledThumbnail {
    if (this.closed) throw new Error('the thumbnail spill was closed');
    if (!this.file) {
      const dir = makeProcessTempDir('facerec-thumbnails-');
      this.file = { dir, fd: openSync(join(dir, 'thumbnails'), 'w+') };
    }
    // base64: one byte per character, written through the one buffer (no buffer per thumbnail).
    const length = this.room(text.length).write(text, 0, 'latin1');
    writeSync(this.file.fd, this.buffer, 0, length, this.end);
    const spilled = new SpilledThumbnail(this, this.end, length);
    this.end += length;
    return spilled;
  }

  read(offset: number, length: number): string {
    if (this.closed || !this.file) throw new Error('the thumbnail spill was closed');
    readSync(this.file.fd, this.room(length), 0, length, offset);
    return this.buffer.toString('latin1', 0, length);
  }

  /** The one buffer for every read and write (thousands of them allocate nothing but the strings read), grown to hold `length` bytes. */
  private room(length: number): Buffer {
    if (this.buffer.length < length) this.buffer = Buffer.allocUnsafeSlow(Math.max(length, 2 * this.buffer.length));
    return this.buffer;
  }

  /** Removes the file; thumbnails still spilled can no longer be read. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.file) return;
    closeSync(this.file.fd);
    rmSync(this.file.dir, { recursive: true, force: true });
  }
}

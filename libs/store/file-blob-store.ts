// The embedded blob store: a directory holding each blob as `<id>` with its metadata beside it as
// `<id>.json`. Uploads are written under `.partial/` and renamed into place when complete, so a
// blob is either whole or absent; the metadata file, renamed last, is what makes it present.
import { randomBytes } from 'node:crypto';
import { mkdir, open as openFile, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BLOB_ID_PATTERN, BlobTooLargeError, type BlobMeta, type BlobStore } from './blob-store.js';

const PARTIAL_DIR = '.partial';

export class FileBlobStore implements BlobStore {
  private constructor(private readonly dir: string) {}

  /**
   * Opens (creating) the directory. Partial uploads left by a crash are removed: the directory
   * belongs to this one process (the embedded product).
   */
  static async open(dir: string): Promise<FileBlobStore> {
    await rm(join(dir, PARTIAL_DIR), { recursive: true, force: true });
    await mkdir(join(dir, PARTIAL_DIR), { recursive: true });
    return new FileBlobStore(dir);
  }

  async put(data: Buffer | AsyncIterable<Uint8Array>, opts: { contentType: string; maxBytes?: number }): Promise<BlobMeta> {
    const maxBytes = opts.maxBytes ?? Infinity;
    if (Buffer.isBuffer(data) && data.length > maxBytes) throw new BlobTooLargeError(maxBytes);
    const id = randomBytes(16).toString('base64url');
    const partialData = join(this.dir, PARTIAL_DIR, id);
    const partialMeta = `${partialData}.json`;
    try {
      const size = await writeLimited(partialData, Buffer.isBuffer(data) ? [data] : data, maxBytes);
      const meta: BlobMeta = { id, size, contentType: opts.contentType, created: new Date().toISOString() };
      await writeSynced(partialMeta, JSON.stringify(meta));
      await rename(partialData, this.dataPath(id));
      await rename(partialMeta, this.metaPath(id));
      return meta;
    } catch (err) {
      // Whichever step failed, no trace of this id stays behind.
      await Promise.all([rm(partialData, { force: true }), rm(partialMeta, { force: true }), rm(this.dataPath(id), { force: true })]);
      throw err;
    }
  }

  async stat(id: string): Promise<BlobMeta | undefined> {
    if (!BLOB_ID_PATTERN.test(id)) return undefined;
    try {
      return JSON.parse(await readFile(this.metaPath(id), 'utf8')) as BlobMeta;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async read(id: string): Promise<Buffer | undefined> {
    if (!(await this.stat(id))) return undefined;
    try {
      return await readFile(this.dataPath(id));
    } catch (err) {
      if (isNotFound(err)) return undefined; // deleted since the stat
      throw err;
    }
  }

  async open(id: string): Promise<Readable | undefined> {
    if (!(await this.stat(id))) return undefined;
    try {
      // Opened before returning, so that a missing file is `undefined` rather than a stream error.
      return (await openFile(this.dataPath(id))).createReadStream();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async delete(id: string): Promise<boolean> {
    if (!(await this.stat(id))) return false;
    // Metadata first: the blob is absent from then on, even if removing the data fails.
    await rm(this.metaPath(id), { force: true });
    await rm(this.dataPath(id), { force: true });
    return true;
  }

  async list(): Promise<BlobMeta[]> {
    const ids = (await readdir(this.dir)).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
    const metas = await Promise.all(ids.map((id) => this.stat(id)));
    return metas.filter((m): m is BlobMeta => m !== undefined);
  }

  async close(): Promise<void> {}

  private dataPath(id: string): string {
    return join(this.dir, id);
  }

  private metaPath(id: string): string {
    return join(this.dir, `${id}.json`);
  }
}

/** Writes the chunks to `path` as they come and returns the byte count; throws past `maxBytes`. */
async function writeLimited(path: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, maxBytes: number): Promise<number> {
  const file = await openFile(path, 'wx');
  try {
    let size = 0;
    // Leaving the loop by throwing ends the source too (its iterator's return()).
    for await (const chunk of chunks) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
      // A short write (disk nearly full) is continued, so that the next one reports the error.
      for (let written = 0; written < chunk.byteLength; ) {
        written += (await file.write(chunk, written)).bytesWritten;
      }
    }
    await file.sync();
    return size;
  } finally {
    await file.close();
  }
}

async function writeSynced(path: string, text: string): Promise<void> {
  const file = await openFile(path, 'wx');
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

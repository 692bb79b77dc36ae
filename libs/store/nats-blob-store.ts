// The distributed blob store: a JetStream object store, one object per blob (name = blob id),
// the content type in the object's headers. An object becomes visible only when its last chunk
// and then its metadata are written, so a failed or refused upload leaves nothing behind.
//
// A blob is read back pulling its chunks a few at a time as the reader takes them: the object
// store's own get() pushes every chunk into the stream at the server's pace, so a decoder writing
// a two-hour video to disk more slowly held most of its 2.4 GB in memory.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { jetstream, StorageType, type JetStreamClient } from '@nats-io/jetstream';
import { Objm, type ObjectInfo, type ObjectStore } from '@nats-io/obj';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { BLOB_ID_PATTERN, BlobTooLargeError, type BlobMeta, type BlobStore } from './blob-store.js';

const CONTENT_TYPE_HEADER = 'Content-Type';
const SHA256_PREFIX = 'SHA-256=';
/** Chunks (128 kB each by default) fetched ahead of the reader. */
const PULLED_CHUNKS = 8;

export class NatsBlobStore implements BlobStore {
  private constructor(
    private readonly objects: ObjectStore,
    private readonly js: JetStreamClient,
    private readonly bucket: string,
  ) {}

  /** Opens the bucket, creating it when absent. The connection stays the caller's to close. */
  static async open(nc: NatsConnection, opts: { bucket?: string } = {}): Promise<NatsBlobStore> {
    const bucket = opts.bucket ?? 'facerec_uploads';
    const objects = await new Objm(nc).create(bucket, { storage: StorageType.File });
    return new NatsBlobStore(objects, jetstream(nc), bucket);
  }

  async put(data: Buffer | AsyncIterable<Uint8Array>, opts: { contentType: string; maxBytes?: number }): Promise<BlobMeta> {
    const maxBytes = opts.maxBytes ?? Infinity;
    if (Buffer.isBuffer(data) && data.length > maxBytes) throw new BlobTooLargeError(maxBytes);
    const id = randomBytes(16).toString('base64url');
    const objectHeaders = headers();
    objectHeaders.set(CONTENT_TYPE_HEADER, opts.contentType);
    // A stream that fails (too large, or the source broke) makes put() purge the chunks it wrote
    // and reject without writing the metadata: the object never exists.
    const info = await this.objects.put(
      { name: id, headers: objectHeaders },
      limitedStream(Buffer.isBuffer(data) ? [data] : data, maxBytes),
    );
    return toBlobMeta(info);
  }

  async stat(id: string): Promise<BlobMeta | undefined> {
    const info = await this.liveInfo(id);
    return info && toBlobMeta(info);
  }

  async read(id: string): Promise<Buffer | undefined> {
    if (!BLOB_ID_PATTERN.test(id)) return undefined;
    const bytes = await this.objects.getBlob(id);
    return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
  }

  async open(id: string): Promise<Readable | undefined> {
    const info = await this.liveInfo(id);
    if (!info) return undefined;
    if (!info.options?.link && info.size > 0 && info.digest.startsWith(SHA256_PREFIX)) return Readable.from(this.pulledChunks(info), { objectMode: false });
    const result = await this.objects.get(id);
    // The DOM and Node typings of ReadableStream differ; the object is Node's own at run time.
    return result ? Readable.fromWeb(result.data as unknown as NodeReadableStream<Uint8Array>) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    if (!(await this.liveInfo(id))) return false;
    return (await this.objects.delete(id)).success;
  }

  async list(): Promise<BlobMeta[]> {
    // list() answers infos without their headers: each is read again for its content type.
    const names = (await this.objects.list()).filter((info) => !info.deleted && BLOB_ID_PATTERN.test(info.name)).map((info) => info.name);
    return (await Promise.all(names.map((name) => this.stat(name)))).filter((m): m is BlobMeta => m !== undefined);
  }

  /**
   * The object's chunks, fetched a few at a time as they are taken (an ordered pull consumer),
   * checked against the object's SHA-256 at the end as the object store's get() checks them.
   */
  private async *pulledChunks(info: ObjectInfo): AsyncGenerator<Uint8Array> {
    const consumer = await this.js.consumers.get(`OBJ_${this.bucket}`, { filter_subjects: `$O.${this.bucket}.C.${info.nuid}` });
    const messages = await consumer.consume({ max_messages: PULLED_CHUNKS });
    const sha = createHash('sha256');
    let size = 0;
    try {
      for await (const m of messages) {
        if (m.data.length > 0) {
          sha.update(m.data);
          size += m.data.length;
          yield m.data;
        }
        if (m.info.pending === 0) break;
      }
    } finally {
      messages.stop();
    }
    const unpadded = (b64: string) => b64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    if (size !== info.size || unpadded(sha.digest('base64')) !== unpadded(info.digest.slice(SHA256_PREFIX.length))) {
      throw new Error(`blob ${info.name}: read ${size} bytes whose digest does not match the object's (${info.digest})`);
    }
  }

  /** Nothing to release: the bucket lives on the server and the connection is the caller's. */
  async close(): Promise<void> {}

  /** The object's info, or undefined when absent, deleted (info() still answers then) or not a blob id. */
  private async liveInfo(id: string): Promise<ObjectInfo | undefined> {
    if (!BLOB_ID_PATTERN.test(id)) return undefined;
    const info = await this.objects.info(id);
    return info && !info.deleted ? info : undefined;
  }
}

function toBlobMeta(info: ObjectInfo): BlobMeta {
  return {
    id: info.name,
    size: info.size,
    contentType: info.headers?.get(CONTENT_TYPE_HEADER) ?? 'application/octet-stream',
    created: info.mtime,
  };
}

/** The chunks as a web stream (what the object store reads), pulled one at a time; errors past `maxBytes`. */
function limitedStream(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  const iterator = Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
  let size = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) {
        controller.close();
        return;
      }
      size += value.byteLength;
      if (size > maxBytes) {
        // Stop the source (e.g. the upload request) rather than leave it paused.
        await iterator.return?.();
        throw new BlobTooLargeError(maxBytes);
      }
      controller.enqueue(value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

// The behaviour every BlobStore must have. Each backend's test file runs this suite against a
// real instance (a directory, a NATS server).
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BLOB_ID_PATTERN, BlobTooLargeError, type BlobStore } from '../../libs/store/blob-store.js';

export interface BlobStoreFixture {
  store: BlobStore;
  /** How many things the backend holds (files, stream messages): shows that a refused put left nothing. */
  storedEntries(): Promise<number>;
  cleanup(): Promise<void>;
}

/** Ids that are not ours: each must read as absent without reaching the backend's storage. */
const FOREIGN_IDS = ['../etc/passwd', '..', '', 'short', 'a/b/c/d/e/f/g', 'abcdefgh.json', '%2e%2e%2fetc%2fpasswd', 'x'.repeat(65)];

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** `count` random chunks of `size` bytes, as an async source that records whether it was ended. */
function chunkSource(count: number, size: number) {
  const chunks = Array.from({ length: count }, () => randomBytes(size));
  const source = {
    chunks,
    bytes: Buffer.concat(chunks),
    pulled: 0,
    finished: false,
    async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
      try {
        for (const chunk of chunks) {
          source.pulled++;
          yield new Uint8Array(chunk);
        }
      } finally {
        source.finished = true;
      }
    },
  };
  return source;
}

export function describeBlobStore(name: string, factory: () => Promise<BlobStoreFixture>): void {
  describe(name, () => {
    let fixture: BlobStoreFixture;
    let store: BlobStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await store.close();
      await fixture.cleanup();
    });

    it('stores a Buffer and gives it back by stat, read and open', async () => {
      const bytes = randomBytes(5000);
      const before = Date.now();
      const meta = await store.put(bytes, { contentType: 'image/jpeg' });

      expect(meta.id).toMatch(BLOB_ID_PATTERN);
      expect(meta).toMatchObject({ size: 5000, contentType: 'image/jpeg' });
      expect(Date.parse(meta.created)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(meta.created)).toBeLessThanOrEqual(Date.now() + 1000);

      expect(await store.stat(meta.id)).toEqual(meta);
      expect((await store.read(meta.id))?.equals(bytes)).toBe(true);
      const stream = await store.open(meta.id);
      expect(stream).toBeInstanceOf(Readable);
      expect((await collect(stream!)).equals(bytes)).toBe(true);
    });

    it('stores a stream of many chunks, larger than one backend chunk', async () => {
      const source = chunkSource(40, 32 * 1024 + 7);
      const meta = await store.put(source, { contentType: 'video/mp4', maxBytes: 10 * 1024 * 1024 });
      expect(meta.size).toBe(source.bytes.length);
      expect((await store.read(meta.id))?.equals(source.bytes)).toBe(true);
      expect((await collect((await store.open(meta.id))!)).equals(source.bytes)).toBe(true);
    });

    it('stores a Node Readable', async () => {
      const parts = [randomBytes(1000), randomBytes(2000)];
      const meta = await store.put(Readable.from(parts), { contentType: 'video/webm' });
      expect((await store.read(meta.id))?.equals(Buffer.concat(parts))).toBe(true);
    });

    it('stores an empty blob', async () => {
      const meta = await store.put(Buffer.alloc(0), { contentType: 'application/octet-stream' });
      expect(meta.size).toBe(0);
      expect((await store.read(meta.id))?.length).toBe(0);
      expect((await collect((await store.open(meta.id))!)).length).toBe(0);
    });

    it('gives every blob its own id', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 5; i++) ids.add((await store.put(Buffer.from([i]), { contentType: 'image/png' })).id);
      expect(ids.size).toBe(5);
    });

    it('deletes a blob, after which it is absent', async () => {
      const keep = await store.put(Buffer.from('keep'), { contentType: 'text/plain' });
      const meta = await store.put(Buffer.from('gone'), { contentType: 'text/plain' });
      expect(await store.delete(meta.id)).toBe(true);
      expect(await store.stat(meta.id)).toBeUndefined();
      expect(await store.read(meta.id)).toBeUndefined();
      expect(await store.open(meta.id)).toBeUndefined();
      expect(await store.delete(meta.id)).toBe(false);
      expect((await store.read(keep.id))?.toString()).toBe('keep');
    });

    it('lists every stored blob with its metadata, and not the deleted ones', async () => {
      const a = await store.put(Buffer.from('aa'), { contentType: 'image/png' });
      const b = await store.put(Buffer.from('bbb'), { contentType: 'text/plain' });
      const c = await store.put(Buffer.from('c'), { contentType: 'text/plain' });
      await store.delete(c.id);
      const listed = (await store.list()).sort((x, y) => x.size - y.size);
      expect(listed).toEqual([a, b].sort((x, y) => x.size - y.size));
    });

    it('answers absent for an unknown id', async () => {
      const unknown = 'AAAAAAAAAAAAAAAAAAAAAA';
      expect(await store.stat(unknown)).toBeUndefined();
      expect(await store.read(unknown)).toBeUndefined();
      expect(await store.open(unknown)).toBeUndefined();
      expect(await store.delete(unknown)).toBe(false);
    });

    it('answers absent for ids that are not blob ids', async () => {
      for (const id of FOREIGN_IDS) {
        expect(await store.stat(id)).toBeUndefined();
        expect(await store.read(id)).toBeUndefined();
        expect(await store.open(id)).toBeUndefined();
        expect(await store.delete(id)).toBe(false);
      }
    });

    it('accepts a blob of exactly maxBytes', async () => {
      const meta = await store.put(randomBytes(100), { contentType: 'image/png', maxBytes: 100 });
      expect(meta.size).toBe(100);
      const streamed = await store.put(chunkSource(4, 25), { contentType: 'image/png', maxBytes: 100 });
      expect(streamed.size).toBe(100);
    });

    it('refuses a Buffer over maxBytes and stores nothing', async () => {
      const entries = await fixture.storedEntries();
      await expect(store.put(randomBytes(101), { contentType: 'image/png', maxBytes: 100 })).rejects.toBeInstanceOf(BlobTooLargeError);
      expect(await fixture.storedEntries()).toBe(entries);
    });

    it('refuses a stream over maxBytes as soon as it passes the limit, stores nothing and ends the source', async () => {
      const entries = await fixture.storedEntries();
      const source = chunkSource(100, 64 * 1024);
      const maxBytes = 20 * 64 * 1024 + 1;
      const refused = store.put(source, { contentType: 'video/mp4', maxBytes });
      await expect(refused).rejects.toBeInstanceOf(BlobTooLargeError);
      await expect(refused).rejects.toMatchObject({ maxBytes });
      expect(source.pulled).toBe(21);
      expect(source.finished).toBe(true);
      expect(await fixture.storedEntries()).toBe(entries);

      // The store still works after a refusal.
      const meta = await store.put(Buffer.from('after'), { contentType: 'text/plain', maxBytes });
      expect((await store.read(meta.id))?.toString()).toBe('after');
    });

    it('stores nothing when the source fails midway', async () => {
      const entries = await fixture.storedEntries();
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield randomBytes(200 * 1024);
        yield randomBytes(200 * 1024);
        throw new Error('client went away');
      }
      await expect(store.put(failing(), { contentType: 'video/mp4' })).rejects.toThrow('client went away');
      expect(await fixture.storedEntries()).toBe(entries);
    });
  });
}

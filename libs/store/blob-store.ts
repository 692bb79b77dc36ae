// Uploaded media (SPEC §4 `storage://<id>`). Embedded: files in the data directory
// (FileBlobStore); distributed: a NATS JetStream object store (NatsBlobStore). Both pass the same
// suite (test/store/blob-store.contract.ts).
import type { Readable } from 'node:stream';

export interface BlobMeta {
  id: string;
  size: number;
  contentType: string;
  /** ISO-8601 UTC. */
  created: string;
}

export interface BlobStore {
  /**
   * Stores the bytes under a new random id. Streams are consumed as they come (a video is never
   * held whole in memory). Rejects with BlobTooLargeError past `maxBytes`, storing nothing.
   */
  put(data: Buffer | AsyncIterable<Uint8Array>, opts: { contentType: string; maxBytes?: number }): Promise<BlobMeta>;
  stat(id: string): Promise<BlobMeta | undefined>;
  /** The whole blob in memory (images); undefined when absent. */
  read(id: string): Promise<Buffer | undefined>;
  /** A stream of the blob (video); undefined when absent. */
  open(id: string): Promise<Readable | undefined>;
  delete(id: string): Promise<boolean>;
  /** Every stored blob's metadata (retention sweeps), in no particular order. */
  list(): Promise<BlobMeta[]>;
  close(): Promise<void>;
}

export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`upload is larger than the limit of ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

/** Blob ids are ours (random, url-safe); anything else in `storage://…` is rejected before a lookup. */
export const BLOB_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

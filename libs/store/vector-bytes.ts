// Vectors as the databases hold them: their float32 bytes (a SQLite BLOB, a PostgreSQL bytea).
// Bytes rather than numbers so that every bit comes back (negative zero, NaN payloads) and a
// 512-d vector costs 2 KiB, with no text conversion in between.

/** A vector's float32 bytes, without a copy. */
export function vectorToBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** A column's float32 bytes as a vector of its own (copied: the driver's buffer may be pooled or unaligned). */
export function blobToVector(blob: Uint8Array): Float32Array {
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

// Opening a SQLite database file the way every embedded store wants it.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;
export type SqliteStatement<Params extends unknown[], Row = unknown> = Database.Statement<Params, Row>;

/** Opens (creating the parent directory) `path`, or an in-memory database for ':memory:'. */
export function openSqlite(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  // WAL: readers (the API) do not wait for the writer (the workers), and a commit is one fsync.
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return db;
}

/** A vector as a BLOB column holds it: its float32 bytes, without a copy. */
export function vectorToBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** A BLOB column's float32 bytes as a vector of its own (copied: the driver's buffer may be pooled or unaligned). */
export function blobToVector(blob: Uint8Array): Float32Array {
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

export interface CountRow {
  total: number;
}

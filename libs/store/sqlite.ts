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

export { blobToVector, vectorToBlob } from './vector-bytes.js';

export interface CountRow {
  total: number;
}

// Where API keys live: next to the jobs, so every gateway replica sees the same keys. Embedded:
// a table in the job store's SQLite file; distributed: a JetStream KV bucket. A key is stored as
// its id, name, scopes and scrypt hash; the secret itself is never stored.
import { StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { openSqlite, type SqliteDatabase } from './sqlite.js';

export const SCOPES = ['read', 'write', 'galleries', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: Scope[];
  /** "scrypt$<salt hex>$<hash hex>" of the key's secret part. */
  hash: string;
  /** ISO time. */
  created: string;
  /** Requests per second and burst of this key; null: the installation's default. */
  rateLimit: { perSecond: number; burst: number } | null;
}

export interface KeyStore {
  put(record: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Oldest first. */
  list(): Promise<ApiKeyRecord[]>;
  /** False when it did not exist. */
  delete(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Key ids are made by the gateway; anything else cannot name a stored key. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9]{8,32}$/;

export class SqliteKeyStore implements KeyStore {
  private readonly db: SqliteDatabase;

  constructor(path: string) {
    this.db = openSqlite(path);
    this.db.exec('CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, created TEXT NOT NULL, json TEXT NOT NULL)');
  }

  async put(record: ApiKeyRecord): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO api_keys (id, created, json) VALUES (?, ?, ?)').run(record.id, record.created, JSON.stringify(record));
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const row = this.db.prepare('SELECT json FROM api_keys WHERE id = ?').get(id) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as ApiKeyRecord) : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = this.db.prepare('SELECT json FROM api_keys ORDER BY created, id').all() as { json: string }[];
    return rows.map((r) => JSON.parse(r.json) as ApiKeyRecord);
  }

  async delete(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM api_keys WHERE id = ?').run(id).changes > 0;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export class NatsKeyStore implements KeyStore {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, bucket: string): Promise<NatsKeyStore> {
    return new NatsKeyStore(await new Kvm(nc).create(bucket, { storage: StorageType.File, history: 1 }));
  }

  async put(record: ApiKeyRecord): Promise<void> {
    if (!KEY_ID_PATTERN.test(record.id)) throw new Error(`invalid key id: ${JSON.stringify(record.id)}`);
    await this.kv.put(record.id, JSON.stringify(record));
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    if (!KEY_ID_PATTERN.test(id)) return undefined;
    const entry = await this.kv.get(id);
    return entry?.operation === 'PUT' ? entry.json<ApiKeyRecord>() : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const ids: string[] = [];
    for await (const id of await this.kv.keys()) ids.push(id);
    const records = (await Promise.all(ids.map((id) => this.get(id)))).filter((r): r is ApiKeyRecord => r !== undefined);
    return records.sort((a, b) => (a.created === b.created ? a.id.localeCompare(b.id) : a.created < b.created ? -1 : 1));
  }

  async delete(id: string): Promise<boolean> {
    if (!(await this.get(id))) return false;
    await this.kv.purge(id);
    return true;
  }

  /** The bucket lives on the server; the connection is the caller's. */
  async close(): Promise<void> {}
}

// The audit trail: one record per key change and per erasure, newest first through the API.
// Embedded: a table in the job store's SQLite file; distributed: a JetStream KV bucket whose keys
// sort by time.
import { randomBytes } from 'node:crypto';
import { StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Page } from './job-store.js';
import { openSqlite, type SqliteDatabase } from './sqlite.js';

export interface AuditRecord {
  id: string;
  /** ISO time. */
  time: string;
  /** The key that acted ("bootstrap" for FACEREC_API_KEY, "anonymous" without keys). */
  actor: string;
  /** e.g. "key.create", "key.revoke", "erasure.identity", "erasure.indexed", "erasure.search". */
  action: string;
  /** What it acted on (a key id, "model/identity", an indexed identity id…). */
  target: string;
  /** What was done, e.g. counts of removed samples and blanked results. */
  details: Record<string, unknown>;
}

export interface AuditLog {
  append(entry: Omit<AuditRecord, 'id' | 'time'>): Promise<AuditRecord>;
  /** Newest first. */
  list(page: { limit: number; offset: number }): Promise<Page<AuditRecord>>;
  close(): Promise<void>;
}

/** Ids that sort by time: milliseconds (base 36, fixed width) then randomness. */
function auditId(now: number): string {
  return `${now.toString(36).padStart(10, '0')}${randomBytes(6).toString('hex')}`;
}

export class SqliteAuditLog implements AuditLog {
  private readonly db: SqliteDatabase;

  constructor(path: string) {
    this.db = openSqlite(path);
    this.db.exec('CREATE TABLE IF NOT EXISTS audit (id TEXT PRIMARY KEY, json TEXT NOT NULL)');
  }

  async append(entry: Omit<AuditRecord, 'id' | 'time'>): Promise<AuditRecord> {
    const now = Date.now();
    const record: AuditRecord = { id: auditId(now), time: new Date(now).toISOString(), ...entry };
    this.db.prepare('INSERT INTO audit (id, json) VALUES (?, ?)').run(record.id, JSON.stringify(record));
    return record;
  }

  async list(page: { limit: number; offset: number }): Promise<Page<AuditRecord>> {
    const { total } = this.db.prepare('SELECT COUNT(*) AS total FROM audit').get() as { total: number };
    const rows = this.db.prepare('SELECT json FROM audit ORDER BY id DESC LIMIT ? OFFSET ?').all(page.limit, page.offset) as { json: string }[];
    return { total, items: rows.map((r) => JSON.parse(r.json) as AuditRecord) };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export class NatsAuditLog implements AuditLog {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, bucket: string): Promise<NatsAuditLog> {
    return new NatsAuditLog(await new Kvm(nc).create(bucket, { storage: StorageType.File, history: 1 }));
  }

  async append(entry: Omit<AuditRecord, 'id' | 'time'>): Promise<AuditRecord> {
    const now = Date.now();
    const record: AuditRecord = { id: auditId(now), time: new Date(now).toISOString(), ...entry };
    await this.kv.create(record.id, JSON.stringify(record));
    return record;
  }

  async list(page: { limit: number; offset: number }): Promise<Page<AuditRecord>> {
    const ids: string[] = [];
    for await (const id of await this.kv.keys()) ids.push(id);
    ids.sort().reverse();
    const slice = ids.slice(page.offset, page.offset + page.limit);
    const items = (await Promise.all(slice.map(async (id) => (await this.kv.get(id))?.json<AuditRecord>()))).filter((r): r is AuditRecord => !!r);
    return { total: ids.length, items };
  }

  async close(): Promise<void> {}
}

// The identity index's metadata in SQLite: the matcher's gallery file (tables prefixed `index_`),
// opened on its own connection. Samples and appearances go with their identity (ON DELETE CASCADE).
import type { Page } from '../store/job-store.js';
import { openSqlite, type CountRow, type SqliteDatabase, vectorToBlob } from '../store/sqlite.js';
import {
  AlreadyNamedError,
  type AppearanceRecord,
  type IdentityIndexStore,
  type IndexedIdentityRecord,
  type IndexSampleRecord,
  type NamedTo,
} from './identity-index.js';
import { mergedAppearanceColumns, newAppearanceColumns, toAppearance, toIdentity, toSample, type AppearanceRow, type IdentityRow, type SampleRow } from './identity-index-rows.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS index_identities (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    thumbnail BLOB NOT NULL,
    -- set once named
    name TEXT,
    model_id TEXT,
    model_name TEXT,
    identity_id TEXT,
    named_at TEXT,
    moved_samples INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS index_identities_by_created ON index_identities (created DESC, id DESC);
  CREATE TABLE IF NOT EXISTS index_samples (
    id TEXT PRIMARY KEY,
    identity_id TEXT NOT NULL REFERENCES index_identities (id) ON DELETE CASCADE,
    embedding BLOB NOT NULL,
    crop BLOB NOT NULL,
    created TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS index_samples_by_identity ON index_samples (identity_id);
  CREATE TABLE IF NOT EXISTS index_appearances (
    identity_id TEXT NOT NULL REFERENCES index_identities (id) ON DELETE CASCADE,
    job_id TEXT NOT NULL,
    source TEXT NOT NULL,
    result_ids TEXT NOT NULL,
    frame_start INTEGER NOT NULL,
    frame_end INTEGER NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (identity_id, job_id, source)
  );
`;




const IDENTITY_COLUMNS = `*,
  (SELECT count(*) FROM index_samples WHERE identity_id = index_identities.id) AS sample_count,
  (SELECT count(*) FROM index_appearances WHERE identity_id = index_identities.id) AS appearance_count`;

const NAMED_CLAUSE = { any: '', named: 'WHERE name IS NOT NULL', unnamed: 'WHERE name IS NULL' } as const;

export class SqliteIdentityIndex implements IdentityIndexStore {
  private readonly db: SqliteDatabase;
  private readonly queries: ReturnType<typeof prepareQueries>;

  /** `path` is a file (its directory is created) or ':memory:'. */
  constructor(path: string) {
    this.db = openSqlite(path);
    this.db.exec(SCHEMA);
    this.queries = prepareQueries(this.db);
  }

  async create(identity: { id: string; thumbnail: Buffer; created?: string }): Promise<IndexedIdentityRecord> {
    const created = identity.created ?? new Date().toISOString();
    this.queries.insertIdentity.run(identity.id, created, identity.thumbnail);
    return { id: identity.id, created, thumbnail: identity.thumbnail, sampleCount: 0, appearanceCount: 0, named: null };
  }

  async get(id: string): Promise<IndexedIdentityRecord | undefined> {
    const row = this.queries.selectIdentity.get(id);
    return row && toIdentity(row);
  }

  async list(query: { limit: number; offset: number; named?: boolean }): Promise<Page<IndexedIdentityRecord>> {
    const which = query.named === undefined ? 'any' : query.named ? 'named' : 'unnamed';
    return {
      total: this.queries.count[which].get()?.total ?? 0,
      items: this.queries.page[which].all(query.limit, query.offset).map(toIdentity),
    };
  }

  async setThumbnail(id: string, thumbnail: Buffer): Promise<void> {
    this.queries.updateThumbnail.run(thumbnail, id);
  }

  async addSamples(samples: readonly IndexSampleRecord[]): Promise<void> {
    this.queries.insertSamples(samples);
  }

  async listSamples(identityId: string): Promise<IndexSampleRecord[]> {
    return this.queries.selectSamples.all(identityId).map(toSample);
  }

  async addAppearance(identityId: string, appearance: Omit<AppearanceRecord, 'created'>): Promise<void> {
    this.queries.upsertAppearance(identityId, appearance);
  }

  async listAppearances(identityId: string, limit: number): Promise<AppearanceRecord[]> {
    return this.queries.selectAppearances.all(identityId, limit).map(toAppearance);
  }

  async markNamed(id: string, named: NamedTo): Promise<IndexedIdentityRecord | undefined> {
    const row = this.queries.markNamed(id, named);
    return row && toIdentity(row);
  }

  async delete(id: string): Promise<boolean> {
    // Samples and appearances go with it (ON DELETE CASCADE).
    return this.db.prepare<[string]>('DELETE FROM index_identities WHERE id = ?').run(id).changes > 0;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function prepareQueries(db: SqliteDatabase) {
  const selectIdentity = db.prepare<[string], IdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM index_identities WHERE id = ?`);
  const insertSample = db.prepare<[string, string, Buffer, Buffer, string]>(
    'INSERT INTO index_samples (id, identity_id, embedding, crop, created) VALUES (?, ?, ?, ?, ?)',
  );
  const selectAppearance = db.prepare<[string, string, string], AppearanceRow>(
    'SELECT * FROM index_appearances WHERE identity_id = ? AND job_id = ? AND source = ?',
  );
  const insertAppearance = db.prepare<[string, string, string, string, number, number, string]>(
    'INSERT INTO index_appearances (identity_id, job_id, source, result_ids, frame_start, frame_end, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const updateAppearance = db.prepare<[string, number, number, string, string, string]>(
    'UPDATE index_appearances SET result_ids = ?, frame_start = ?, frame_end = ? WHERE identity_id = ? AND job_id = ? AND source = ?',
  );
  const updateNamed = db.prepare<[string, string, string, string, string, number, string]>(
    'UPDATE index_identities SET name = ?, model_id = ?, model_name = ?, identity_id = ?, named_at = ?, moved_samples = ? WHERE id = ?',
  );
  const deleteSamples = db.prepare<[string]>('DELETE FROM index_samples WHERE identity_id = ?');
  const countSamples = db.prepare<[string], CountRow>('SELECT count(*) AS total FROM index_samples WHERE identity_id = ?');

  const pageQuery = (where: string) =>
    db.prepare<[number, number], IdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM index_identities ${where} ORDER BY created DESC, id DESC LIMIT ? OFFSET ?`);
  const countQuery = (where: string) => db.prepare<[], CountRow>(`SELECT count(*) AS total FROM index_identities ${where}`);

  return {
    selectIdentity,
    insertIdentity: db.prepare<[string, string, Buffer]>('INSERT INTO index_identities (id, created, thumbnail) VALUES (?, ?, ?)'),
    updateThumbnail: db.prepare<[Buffer, string]>('UPDATE index_identities SET thumbnail = ? WHERE id = ?'),
    page: { any: pageQuery(NAMED_CLAUSE.any), named: pageQuery(NAMED_CLAUSE.named), unnamed: pageQuery(NAMED_CLAUSE.unnamed) },
    count: { any: countQuery(NAMED_CLAUSE.any), named: countQuery(NAMED_CLAUSE.named), unnamed: countQuery(NAMED_CLAUSE.unnamed) },
    // Creation order is rowid order.
    selectSamples: db.prepare<[string], SampleRow>('SELECT * FROM index_samples WHERE identity_id = ? ORDER BY rowid'),
    selectAppearances: db.prepare<[string, number], AppearanceRow>(
      'SELECT * FROM index_appearances WHERE identity_id = ? ORDER BY created DESC, rowid DESC LIMIT ?',
    ),

    insertSamples: db.transaction((samples: readonly IndexSampleRecord[]): void => {
      for (const s of samples) {
        insertSample.run(s.id, s.identityId, vectorToBlob(s.embedding), s.crop, s.created);
      }
    }),

    upsertAppearance: db.transaction((identityId: string, a: Omit<AppearanceRecord, 'created'>): void => {
      const existing = selectAppearance.get(identityId, a.jobId, a.source);
      if (!existing) {
        const row = newAppearanceColumns(a);
        insertAppearance.run(identityId, a.jobId, a.source, row.resultIds, row.frameStart, row.frameEnd, new Date().toISOString());
        return;
      }
      const merged = mergedAppearanceColumns(existing, a);
      updateAppearance.run(merged.resultIds, merged.frameStart, merged.frameEnd, identityId, a.jobId, a.source);
    }),

    markNamed: db.transaction((id: string, named: NamedTo): IdentityRow | undefined => {
      const row = selectIdentity.get(id);
      if (!row) return undefined;
      if (row.name !== null) throw new AlreadyNamedError(id, row.name);
      const moved = countSamples.get(id)?.total ?? 0;
      updateNamed.run(named.name, named.modelId, named.modelName, named.identityId, named.at, moved, id);
      deleteSamples.run(id);
      return selectIdentity.get(id);
    }),
  };
}



// Gallery metadata in SQLite (the matcher's own file). Deleting a model or an identity removes
// what belongs to it through ON DELETE CASCADE. Names compare case-sensitively (SQLite's BINARY
// collation), so "Ann" and "ann" are two identities.
import type { Page } from '../store/job-store.js';
import { openSqlite, type CountRow, type SqliteDatabase, type SqliteStatement, vectorToBlob } from '../store/sqlite.js';
import {
  IdentityNameTakenError,
  ModelNameTakenError,
  type GalleryStore,
  type IdentityFilter,
  type IdentityMetadata,
  type IdentityRecord,
  type ModelRecord,
  type ModelStats,
  type SampleRecord,
} from './gallery-store.js';
import { toIdentity, toModel, toSample, type IdentityRow, type ModelRow, type SampleRow } from './gallery-rows.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS models (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    embedding_model TEXT NOT NULL,
    created TEXT NOT NULL,
    embedding_sha256 TEXT NOT NULL DEFAULT ''
  );
  CREATE TABLE IF NOT EXISTS identities (
    id TEXT PRIMARY KEY,
    model_id TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    sources TEXT NOT NULL DEFAULT '',
    UNIQUE (model_id, name)
  );
  CREATE TABLE IF NOT EXISTS samples (
    id TEXT PRIMARY KEY,
    identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    model_id TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    embedding BLOB NOT NULL,
    crop BLOB NOT NULL,
    origin TEXT NOT NULL,
    created TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS samples_by_identity ON samples (identity_id);
  CREATE INDEX IF NOT EXISTS samples_by_model ON samples (model_id);
`;


type ModelWithStatsRow = ModelRow & { identity_count: number; sample_count: number };



const MODEL_STATS_COLUMNS = `
  (SELECT count(*) FROM identities WHERE model_id = models.id) AS identity_count,
  (SELECT count(*) FROM samples WHERE model_id = models.id) AS sample_count`;

const IDENTITY_COLUMNS = `
  id, model_id, name, created, aliases, category, country, sources, (SELECT count(*) FROM samples WHERE identity_id = identities.id) AS sample_count`;

export class SqliteGalleryStore implements GalleryStore {
  private readonly db: SqliteDatabase;
  private readonly queries: ReturnType<typeof prepareQueries>;
  /** exclusive(): the last work queued per key. */
  private readonly held = new Map<string, Promise<void>>();
  /** The identity listing's count and page statements, prepared once per combination of filters (by WHERE clause). */
  private readonly listings = new Map<string, { count: SqliteStatement<(string | number)[], CountRow>; page: SqliteStatement<(string | number)[], IdentityRow> }>();

  /** `path` is a file (its directory is created) or ':memory:'. */
  constructor(path: string) {
    this.db = openSqlite(path);
    this.db.exec(SCHEMA);
    // Galleries made before the embedder's SHA-256 was recorded.
    addMissingTextColumns(this.db, 'models', ['embedding_sha256']);
    // Identities stored before they carried metadata (aliases, category, country, sources).
    addMissingTextColumns(this.db, 'identities', ['aliases', 'category', 'country', 'sources']);
    // Case-insensitive search of names beyond ASCII (SQLite's lower() folds A-Z only): "émile" finds "Émile".
    this.db.function('fold_case', { deterministic: true }, (text: unknown) => foldCase(String(text)));
    this.queries = prepareQueries(this.db);
  }

  async createModel(model: Omit<ModelRecord, 'created'> & { created?: string }): Promise<ModelRecord> {
    const record: ModelRecord = { ...model, embeddingSha256: model.embeddingSha256 ?? '', created: model.created ?? new Date().toISOString() };
    this.queries.createModel(record);
    return record;
  }

  async findModel(idOrName: string): Promise<ModelRecord | undefined> {
    const row = this.queries.selectModelById.get(idOrName) ?? this.queries.selectModelByName.get(idOrName);
    return row && toModel(row);
  }

  async listModels(): Promise<(ModelRecord & ModelStats)[]> {
    return this.queries.selectModelsWithStats.all().map((row) => ({
      ...toModel(row),
      identityCount: row.identity_count,
      sampleCount: row.sample_count,
    }));
  }

  async modelStats(modelId: string): Promise<ModelStats> {
    return {
      identityCount: this.queries.countIdentitiesOfModel.get(modelId)?.total ?? 0,
      sampleCount: this.queries.countSamplesOfModel.get(modelId)?.total ?? 0,
    };
  }

  async deleteModel(modelId: string): Promise<boolean> {
    return this.queries.deleteModel.run(modelId).changes > 0;
  }

  async createIdentity(identity: { id: string; modelId: string; name: string; created?: string }): Promise<IdentityRecord> {
    const record: IdentityRecord = {
      id: identity.id,
      modelId: identity.modelId,
      name: identity.name,
      created: identity.created ?? new Date().toISOString(),
      sampleCount: 0,
    };
    this.queries.createIdentity(record);
    return record;
  }

  async getIdentity(identityId: string): Promise<IdentityRecord | undefined> {
    const row = this.queries.selectIdentity.get(identityId);
    return row && toIdentity(row);
  }

  async findIdentityByName(modelId: string, name: string): Promise<IdentityRecord | undefined> {
    const row = this.queries.selectIdentityByName.get(modelId, name);
    return row && toIdentity(row);
  }

  async listIdentities(modelId: string, page: { limit: number; offset: number }, filter?: string | IdentityFilter): Promise<Page<IdentityRecord>> {
    const f: IdentityFilter = typeof filter === 'string' ? { query: filter } : (filter ?? {});
    const where = ['model_id = ?'];
    const params: (string | number)[] = [modelId];
    if (f.query) {
      where.push('(instr(fold_case(name), ?) > 0 OR instr(fold_case(aliases), ?) > 0)');
      params.push(foldCase(f.query), foldCase(f.query));
    }
    if (f.category) [where.push('category = ?'), params.push(f.category)];
    if (f.country) [where.push('country = ?'), params.push(f.country)];
    const clause = where.join(' AND ');
    let listing = this.listings.get(clause);
    if (!listing) {
      listing = {
        count: this.db.prepare<(string | number)[], CountRow>(`SELECT count(*) AS total FROM identities WHERE ${clause}`),
        page: this.db.prepare<(string | number)[], IdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM identities WHERE ${clause} ORDER BY name, id LIMIT ? OFFSET ?`),
      };
      this.listings.set(clause, listing);
    }
    return {
      total: listing.count.get(...params)?.total ?? 0,
      items: listing.page.all(...params, page.limit, page.offset).map(toIdentity),
    };
  }

  async renameIdentity(identityId: string, name: string): Promise<IdentityRecord | undefined> {
    const row = this.queries.renameIdentity(identityId, name);
    return row && toIdentity(row);
  }

  async deleteIdentity(identityId: string): Promise<boolean> {
    return this.queries.deleteIdentity.run(identityId).changes > 0;
  }

  async identityNames(identityIds: readonly string[]): Promise<Map<string, string>> {
    const rows = this.queries.selectIdentityNames.all(JSON.stringify(identityIds));
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  async addSamples(samples: readonly SampleRecord[]): Promise<void> {
    this.queries.insertSamples(samples);
  }

  async listSamples(selector: { identityId: string } | { modelId: string }): Promise<SampleRecord[]> {
    const rows =
      'identityId' in selector
        ? this.queries.selectSamplesOfIdentity.all(selector.identityId)
        : this.queries.selectSamplesOfModel.all(selector.modelId);
    return rows.map(toSample);
  }

  async replaceModelContents(
    modelId: string,
    contents: { description: string; embedder: { model: string; sha256: string }; identities: ({ id: string; name: string } & IdentityMetadata)[]; samples: SampleRecord[] },
  ): Promise<void> {
    this.queries.replaceModelContents(modelId, contents);
  }

  async replaceEmbeddings(modelId: string, embedder: { model: string; sha256: string }, embeddings: ReadonlyMap<string, Float32Array>): Promise<void> {
    this.queries.replaceEmbeddings(modelId, embedder, embeddings);
  }

  /** Within this process, one at a time per key (the file has one matcher). */
  async exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.held.get(key) ?? Promise.resolve();
    const run = before.then(work, work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.held.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.held.get(key) === tail) this.held.delete(key);
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** A name or a search for one, compared without case (Unicode lower case of the NFC form). */
/** Adds the columns (TEXT NOT NULL DEFAULT '') that a table made by an earlier version lacks. */
function addMissingTextColumns(db: SqliteDatabase, table: string, columns: readonly string[]): void {
  const have = new Set(db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all().map((c) => c.name));
  for (const column of columns) if (!have.has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} TEXT NOT NULL DEFAULT ''`);
}

function foldCase(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

function prepareQueries(db: SqliteDatabase) {
  const selectModelByName = db.prepare<[string], ModelRow>('SELECT * FROM models WHERE name = ?');
  const insertModel = db.prepare<[string, string, string, string, string, string]>(
    'INSERT INTO models (id, name, description, embedding_model, embedding_sha256, created) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const updateSampleEmbedding = db.prepare<[Buffer, string, string]>('UPDATE samples SET embedding = ? WHERE id = ? AND model_id = ?');
  const updateModelEmbedder = db.prepare<[string, string, string]>('UPDATE models SET embedding_model = ?, embedding_sha256 = ? WHERE id = ?');
  const updateModelDescription = db.prepare<[string, string]>('UPDATE models SET description = ? WHERE id = ?');
  const deleteIdentitiesOfModel = db.prepare<[string]>('DELETE FROM identities WHERE model_id = ?');
  const selectModelById = db.prepare<[string], ModelRow>('SELECT * FROM models WHERE id = ?');
  const selectIdentityByName = db.prepare<[string, string], IdentityRow>(
    `SELECT ${IDENTITY_COLUMNS} FROM identities WHERE model_id = ? AND name = ?`,
  );
  const selectIdentity = db.prepare<[string], IdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM identities WHERE id = ?`);
  const insertIdentity = db.prepare<[string, string, string, string]>(
    'INSERT INTO identities (id, model_id, name, created) VALUES (?, ?, ?, ?)',
  );
  const insertIdentityWithMetadata = db.prepare<[string, string, string, string, string, string, string, string]>(
    'INSERT INTO identities (id, model_id, name, created, aliases, category, country, sources) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const updateIdentityName = db.prepare<[string, string]>('UPDATE identities SET name = ? WHERE id = ?');
  const insertSample = db.prepare<[string, string, string, Buffer, Buffer, string, string]>(
    'INSERT INTO samples (id, identity_id, model_id, embedding, crop, origin, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );

  return {
    selectModelById,
    selectModelByName,
    selectModelsWithStats: db.prepare<[], ModelWithStatsRow>(`SELECT *, ${MODEL_STATS_COLUMNS} FROM models ORDER BY name, id`),
    countIdentitiesOfModel: db.prepare<[string], CountRow>('SELECT count(*) AS total FROM identities WHERE model_id = ?'),
    countSamplesOfModel: db.prepare<[string], CountRow>('SELECT count(*) AS total FROM samples WHERE model_id = ?'),
    deleteModel: db.prepare<[string]>('DELETE FROM models WHERE id = ?'),
    selectIdentity,
    selectIdentityByName,
    deleteIdentity: db.prepare<[string]>('DELETE FROM identities WHERE id = ?'),
    selectIdentityNames: db.prepare<[string], { id: string; name: string }>(
      'SELECT id, name FROM identities WHERE id IN (SELECT value FROM json_each(?))',
    ),
    // Creation order is rowid order: a new row gets one more than the largest rowid present.
    selectSamplesOfIdentity: db.prepare<[string], SampleRow>('SELECT * FROM samples WHERE identity_id = ? ORDER BY rowid'),
    selectSamplesOfModel: db.prepare<[string], SampleRow>('SELECT * FROM samples WHERE model_id = ? ORDER BY rowid'),

    // Name checks and writes in one transaction, so the error names the clash rather than the
    // constraint (the UNIQUE constraints still guard against anything that skips these).
    createModel: db.transaction((model: ModelRecord): void => {
      if (selectModelByName.get(model.name)) throw new ModelNameTakenError(model.name);
      insertModel.run(model.id, model.name, model.description, model.embeddingModel, model.embeddingSha256 ?? '', model.created);
    }),

    replaceModelContents: db.transaction(
      (modelId: string, contents: { description: string; embedder: { model: string; sha256: string }; identities: ({ id: string; name: string } & IdentityMetadata)[]; samples: SampleRecord[] }): void => {
        if (!selectModelById.get(modelId)) throw new Error(`model ${modelId} does not exist`);
        deleteIdentitiesOfModel.run(modelId); // their samples go with them (ON DELETE CASCADE)
        const created = new Date().toISOString();
        for (const identity of contents.identities)
          insertIdentityWithMetadata.run(identity.id, modelId, identity.name, created, (identity.aliases ?? []).join('\n'), identity.category ?? '', identity.country ?? '', (identity.sources ?? []).join(','));
        for (const sample of contents.samples) {
          const embedding = vectorToBlob(sample.embedding);
          insertSample.run(sample.id, sample.identityId, modelId, embedding, sample.crop, sample.origin, sample.created);
        }
        updateModelDescription.run(contents.description, modelId);
        updateModelEmbedder.run(contents.embedder.model, contents.embedder.sha256, modelId);
      },
    ),

    replaceEmbeddings: db.transaction((modelId: string, embedder: { model: string; sha256: string }, embeddings: ReadonlyMap<string, Float32Array>): void => {
      for (const [id, e] of embeddings) updateSampleEmbedding.run(vectorToBlob(e), id, modelId);
      updateModelEmbedder.run(embedder.model, embedder.sha256, modelId);
    }),

    createIdentity: db.transaction((identity: IdentityRecord): void => {
      if (!selectModelById.get(identity.modelId)) throw new Error(`model ${identity.modelId} does not exist`);
      if (selectIdentityByName.get(identity.modelId, identity.name)) throw new IdentityNameTakenError(identity.name);
      insertIdentity.run(identity.id, identity.modelId, identity.name, identity.created);
    }),

    renameIdentity: db.transaction((identityId: string, name: string): IdentityRow | undefined => {
      const identity = selectIdentity.get(identityId);
      if (!identity) return undefined;
      const holder = selectIdentityByName.get(identity.model_id, name);
      if (holder && holder.id !== identityId) throw new IdentityNameTakenError(name);
      updateIdentityName.run(name, identityId);
      return { ...identity, name };
    }),

    insertSamples: db.transaction((samples: readonly SampleRecord[]): void => {
      for (const sample of samples) {
        const embedding = vectorToBlob(sample.embedding);
        insertSample.run(sample.id, sample.identityId, sample.modelId, embedding, sample.crop, sample.origin, sample.created);
      }
    }),
  };
}




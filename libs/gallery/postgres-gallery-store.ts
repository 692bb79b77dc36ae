// Gallery metadata in PostgreSQL (DATABASE_URL), so that several matcher replicas share one set of
// galleries. Behaves as the SQLite store does (one contract suite runs against both): names and
// ids compare and sort byte-wise (COLLATE "C", SQLite's BINARY), creation order is an insertion
// sequence (SQLite's rowid), deleting a model or an identity cascades, and every multi-row change
// is one transaction. Embeddings are float32 bytes in bytea (bit-exact, 2 KiB for 512-d); crops
// are bytea too, next to their sample, so that an erasure removes both in one commit. Every change
// of vectors is announced (NOTIFY, in the writing transaction) to the replicas that follow them.
import type { Page } from '../store/job-store.js';
import { notify, openMigrated, transaction, violatedForeignKey, violatedUnique, type Migration, type PgClient, type PgPool } from '../store/postgres.js';
import type { GalleryChange } from './gallery-changes.js';
import { vectorToBlob } from '../store/vector-bytes.js';
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

export const GALLERY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE models (
        id text COLLATE "C" PRIMARY KEY,
        name text COLLATE "C" NOT NULL CONSTRAINT models_name_unique UNIQUE,
        description text NOT NULL,
        embedding_model text NOT NULL,
        embedding_sha256 text NOT NULL DEFAULT '',
        created text NOT NULL
      );
      CREATE TABLE identities (
        id text COLLATE "C" PRIMARY KEY,
        model_id text COLLATE "C" NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        name text COLLATE "C" NOT NULL,
        created text NOT NULL,
        -- newline-separated, as given
        aliases text NOT NULL DEFAULT '',
        category text NOT NULL DEFAULT '',
        country text NOT NULL DEFAULT '',
        -- comma-separated
        sources text NOT NULL DEFAULT '',
        -- name and aliases folded in JS (NFC, toLowerCase) as the SQLite store folds them, for the listing's query
        name_folded text NOT NULL,
        aliases_folded text NOT NULL DEFAULT '',
        CONSTRAINT identities_name_unique UNIQUE (model_id, name)
      );
      CREATE INDEX identities_by_model_name ON identities (model_id, name, id);
      CREATE TABLE samples (
        seq bigserial NOT NULL,
        id text COLLATE "C" PRIMARY KEY,
        identity_id text COLLATE "C" NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
        model_id text COLLATE "C" NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        embedding bytea NOT NULL,
        crop bytea NOT NULL,
        origin text NOT NULL,
        created text NOT NULL
      );
      CREATE INDEX samples_by_identity ON samples (identity_id, seq);
      CREATE INDEX samples_by_model ON samples (model_id, seq);
    `,
  },
];




const MODEL_COLUMNS = 'id, name, description, embedding_model, embedding_sha256, created';
const IDENTITY_COLUMNS = `id, model_id, name, created, aliases, category, country, sources,
  (SELECT count(*)::int FROM samples WHERE identity_id = identities.id) AS sample_count`;
const SAMPLE_COLUMNS = 'id, identity_id, model_id, embedding, crop, origin, created';

export class PostgresGalleryStore implements GalleryStore {
  private constructor(
    private readonly pool: PgPool,
    /** Where the changes are announced (PostgresChangeFeed listens there). */
    private readonly channel: string,
  ) {}

  /** Connects to `url` and brings the tables up to date (safe when several replicas start at once). */
  static async open(url: string): Promise<PostgresGalleryStore> {
    const { pool, channel } = await openMigrated(url, 'galleries', GALLERY_MIGRATIONS);
    return new PostgresGalleryStore(pool, channel);
  }

  async createModel(model: Omit<ModelRecord, 'created'> & { created?: string }): Promise<ModelRecord> {
    const record: ModelRecord = { ...model, embeddingSha256: model.embeddingSha256 ?? '', created: model.created ?? new Date().toISOString() };
    try {
      await this.pool.query(`INSERT INTO models (${MODEL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`, [
        record.id, record.name, record.description, record.embeddingModel, record.embeddingSha256, record.created,
      ]);
    } catch (err) {
      if (violatedUnique(err) === 'models_name_unique') throw new ModelNameTakenError(record.name);
      throw err;
    }
    return record;
  }

  async findModel(idOrName: string): Promise<ModelRecord | undefined> {
    // By id first: a model named like another's id does not hide it.
    const { rows } = await this.pool.query<ModelRow>(
      `SELECT ${MODEL_COLUMNS} FROM models WHERE id = $1 OR name = $1 ORDER BY (id = $1) DESC LIMIT 1`,
      [idOrName],
    );
    return rows[0] && toModel(rows[0]);
  }

  async listModels(): Promise<(ModelRecord & ModelStats)[]> {
    const { rows } = await this.pool.query<ModelRow & { identity_count: number; sample_count: number }>(
      `SELECT ${MODEL_COLUMNS},
         (SELECT count(*)::int FROM identities WHERE model_id = models.id) AS identity_count,
         (SELECT count(*)::int FROM samples WHERE model_id = models.id) AS sample_count
       FROM models ORDER BY name, id`,
    );
    return rows.map((row) => ({ ...toModel(row), identityCount: row.identity_count, sampleCount: row.sample_count }));
  }

  async modelStats(modelId: string): Promise<ModelStats> {
    const { rows } = await this.pool.query<{ identity_count: number; sample_count: number }>(
      `SELECT (SELECT count(*)::int FROM identities WHERE model_id = $1) AS identity_count,
              (SELECT count(*)::int FROM samples WHERE model_id = $1) AS sample_count`,
      [modelId],
    );
    return { identityCount: rows[0]?.identity_count ?? 0, sampleCount: rows[0]?.sample_count ?? 0 };
  }

  async deleteModel(modelId: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `WITH gone AS (DELETE FROM models WHERE id = $1 RETURNING id) SELECT pg_notify($2, json_build_object('kind', 'model', 'id', id)::text) FROM gone`,
      [modelId, this.channel],
    );
    return rows.length > 0;
  }

  async createIdentity(identity: { id: string; modelId: string; name: string; created?: string }): Promise<IdentityRecord> {
    const record: IdentityRecord = { id: identity.id, modelId: identity.modelId, name: identity.name, created: identity.created ?? new Date().toISOString(), sampleCount: 0 };
    try {
      await this.pool.query('INSERT INTO identities (id, model_id, name, created, name_folded) VALUES ($1, $2, $3, $4, $5)', [
        record.id, record.modelId, record.name, record.created, foldCase(record.name),
      ]);
    } catch (err) {
      if (violatedForeignKey(err) !== null) throw new Error(`model ${identity.modelId} does not exist`);
      if (violatedUnique(err) === 'identities_name_unique') throw new IdentityNameTakenError(identity.name);
      throw err;
    }
    return record;
  }

  async getIdentity(identityId: string): Promise<IdentityRecord | undefined> {
    const { rows } = await this.pool.query<IdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM identities WHERE id = $1`, [identityId]);
    return rows[0] && toIdentity(rows[0]);
  }

  async findIdentityByName(modelId: string, name: string): Promise<IdentityRecord | undefined> {
    const { rows } = await this.pool.query<IdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM identities WHERE model_id = $1 AND name = $2`, [modelId, name]);
    return rows[0] && toIdentity(rows[0]);
  }

  async listIdentities(modelId: string, page: { limit: number; offset: number }, filter?: string | IdentityFilter): Promise<Page<IdentityRecord>> {
    const f: IdentityFilter = typeof filter === 'string' ? { query: filter } : (filter ?? {});
    const params: (string | number)[] = [modelId];
    const where = ['model_id = $1'];
    if (f.query) {
      params.push(foldCase(f.query));
      where.push(`(strpos(name_folded, $${params.length}) > 0 OR strpos(aliases_folded, $${params.length}) > 0)`);
    }
    if (f.category) [params.push(f.category), where.push(`category = $${params.length}`)];
    if (f.country) [params.push(f.country), where.push(`country = $${params.length}`)];
    const clause = where.join(' AND ');
    const [count, items] = await Promise.all([
      this.pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM identities WHERE ${clause}`, params),
      this.pool.query<IdentityRow>(
        `SELECT ${IDENTITY_COLUMNS} FROM identities WHERE ${clause} ORDER BY name, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, page.limit, page.offset],
      ),
    ]);
    return { total: count.rows[0]?.total ?? 0, items: items.rows.map(toIdentity) };
  }

  async renameIdentity(identityId: string, name: string): Promise<IdentityRecord | undefined> {
    try {
      const { rows } = await this.pool.query<IdentityRow>(
        `UPDATE identities SET name = $2, name_folded = $3 WHERE id = $1 RETURNING ${IDENTITY_COLUMNS}`,
        [identityId, name, foldCase(name)],
      );
      return rows[0] && toIdentity(rows[0]);
    } catch (err) {
      if (violatedUnique(err) === 'identities_name_unique') throw new IdentityNameTakenError(name);
      throw err;
    }
  }

  async deleteIdentity(identityId: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `WITH gone AS (DELETE FROM identities WHERE id = $1 RETURNING id) SELECT pg_notify($2, json_build_object('kind', 'identity', 'id', id)::text) FROM gone`,
      [identityId, this.channel],
    );
    return rows.length > 0;
  }

  async identityNames(identityIds: readonly string[]): Promise<Map<string, string>> {
    if (identityIds.length === 0) return new Map();
    const { rows } = await this.pool.query<{ id: string; name: string }>('SELECT id, name FROM identities WHERE id = ANY($1::text[])', [identityIds]);
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  async addSamples(samples: readonly SampleRecord[]): Promise<void> {
    if (samples.length === 0) return;
    await transaction(this.pool, async (client) => {
      await insertSamples(client, samples);
      await notify(client, this.channel, identityChanges(samples));
    });
  }

  async listSamples(selector: { identityId: string } | { modelId: string }): Promise<SampleRecord[]> {
    const [column, value] = 'identityId' in selector ? ['identity_id', selector.identityId] : ['model_id', selector.modelId];
    const { rows } = await this.pool.query<SampleRow>(`SELECT ${SAMPLE_COLUMNS} FROM samples WHERE ${column} = $1 ORDER BY seq`, [value]);
    return rows.map(toSample);
  }

  async replaceModelContents(
    modelId: string,
    contents: { description: string; embedder: { model: string; sha256: string }; identities: ({ id: string; name: string } & IdentityMetadata)[]; samples: SampleRecord[] },
  ): Promise<void> {
    await transaction(this.pool, async (client) => {
      const model = await client.query('SELECT id FROM models WHERE id = $1 FOR UPDATE', [modelId]);
      if (model.rowCount === 0) throw new Error(`model ${modelId} does not exist`);
      await client.query('DELETE FROM identities WHERE model_id = $1', [modelId]); // their samples go with them (ON DELETE CASCADE)
      const created = new Date().toISOString();
      const ids = contents.identities;
      for (let start = 0; start < ids.length; start += BATCH_ROWS) {
        const batch = ids.slice(start, start + BATCH_ROWS);
        await client.query(
          `INSERT INTO identities (id, model_id, name, created, aliases, category, country, sources, name_folded, aliases_folded)
           SELECT id, $1, name, $2, aliases, category, country, sources, name_folded, aliases_folded
           FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
             WITH ORDINALITY AS t (id, name, aliases, category, country, sources, name_folded, aliases_folded, n)
           ORDER BY n`,
          [
            modelId,
            created,
            batch.map((i) => i.id),
            batch.map((i) => i.name),
            ...metadataColumns(batch),
          ],
        );
      }
      await insertSamples(client, contents.samples.map((s) => ({ ...s, modelId })));
      await client.query('UPDATE models SET description = $2, embedding_model = $3, embedding_sha256 = $4 WHERE id = $1', [
        modelId, contents.description, contents.embedder.model, contents.embedder.sha256,
      ]);
      await notify(client, this.channel, [{ kind: 'model', id: modelId } satisfies GalleryChange]);
    });
  }

  async replaceEmbeddings(modelId: string, embedder: { model: string; sha256: string }, embeddings: ReadonlyMap<string, Float32Array>): Promise<void> {
    await transaction(this.pool, async (client) => {
      const entries = [...embeddings];
      for (let start = 0; start < entries.length; start += BATCH_ROWS) {
        const batch = entries.slice(start, start + BATCH_ROWS);
        await client.query(
          `UPDATE samples SET embedding = v.embedding FROM unnest($2::text[], $3::bytea[]) AS v (id, embedding)
           WHERE samples.id = v.id AND samples.model_id = $1`,
          [modelId, batch.map(([id]) => id), batch.map(([, e]) => vectorToBlob(e))],
        );
      }
      await client.query('UPDATE models SET embedding_model = $2, embedding_sha256 = $3 WHERE id = $1', [modelId, embedder.model, embedder.sha256]);
      await notify(client, this.channel, [{ kind: 'model', id: modelId } satisfies GalleryChange]);
    });
  }

  /**
   * Rows made elsewhere (`facerec admin migrate-galleries`), ids and times kept, in one transaction;
   * a row whose id is already here is left as it is, so copying twice adds nothing. A name held by
   * another id rejects as on creation. Resolves to the numbers of rows added.
   */
  async insertMissing(rows: { models?: readonly ModelRecord[]; identities?: readonly IdentityRecord[]; samples?: readonly SampleRecord[] }): Promise<{ models: number; identities: number; samples: number }> {
    const added = { models: 0, identities: 0, samples: 0 };
    await transaction(this.pool, async (client) => {
      for (const m of rows.models ?? []) {
        const r = await client
          .query(`INSERT INTO models (${MODEL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`, [
            m.id, m.name, m.description, m.embeddingModel, m.embeddingSha256 ?? '', m.created,
          ])
          .catch((err: unknown) => {
            throw violatedUnique(err) === 'models_name_unique' ? new ModelNameTakenError(m.name) : err;
          });
        added.models += r.rowCount ?? 0;
      }
      const identities = rows.identities ?? [];
      for (let start = 0; start < identities.length; start += BATCH_ROWS) {
        const batch = identities.slice(start, start + BATCH_ROWS);
        const r = await client
          .query(
            `INSERT INTO identities (id, model_id, name, created, aliases, category, country, sources, name_folded, aliases_folded)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
             ON CONFLICT (id) DO NOTHING`,
            [
              batch.map((i) => i.id),
              batch.map((i) => i.modelId),
              batch.map((i) => i.name),
              batch.map((i) => i.created),
              ...metadataColumns(batch),
            ],
          )
          .catch((err: unknown) => {
            // Another id holds the name in that model: say which (PostgreSQL's detail names the key).
            throw violatedUnique(err) === 'identities_name_unique' ? new Error(`an identity of another id has that name here: ${String((err as { detail?: string }).detail)}`) : err;
          });
        added.identities += r.rowCount ?? 0;
      }
      added.samples = await insertSamples(client, rows.samples ?? [], 'ON CONFLICT (id) DO NOTHING');
      const models = new Set([...(rows.models ?? []).map((m) => m.id), ...(rows.samples ?? []).map((s) => s.modelId)]);
      await notify(client, this.channel, [...models].map((id) => ({ kind: 'model', id }) satisfies GalleryChange));
    });
    return added;
  }

  /**
   * Under a session advisory lock on the key, held on a connection of its own for the whole work
   * (a replica that dies mid-work loses its session, and the lock with it).
   */
  async exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("SELECT pg_advisory_lock(hashtext(current_schema() || ':' || $1))", [key]);
      try {
        return await work();
      } finally {
        // A connection that cannot unlock is closed rather than pooled: closing ends the lock too.
        await client.query("SELECT pg_advisory_unlock(hashtext(current_schema() || ':' || $1))", [key]).catch((err: Error) => (broken = err));
      }
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

/** Rows per statement in bulk writes: large enough to amortise a round trip, small enough for one message. */
const BATCH_ROWS = 1000;

/** Inserts in creation order (the sequence follows the rows' order). */
async function insertSamples(db: PgPool | PgClient, samples: readonly SampleRecord[], onConflict = ''): Promise<number> {
  if (samples.length === 0) return 0;
  if (samples.length > BATCH_ROWS && !('release' in db)) {
    // Batches of one call must still be all or nothing.
    return transaction(db, (client) => insertSamples(client, samples, onConflict));
  }
  let added = 0;
  for (let start = 0; start < samples.length; start += BATCH_ROWS) {
    const batch = samples.slice(start, start + BATCH_ROWS);
    const r = await db.query(
      `INSERT INTO samples (${SAMPLE_COLUMNS})
       SELECT id, identity_id, model_id, embedding, crop, origin, created
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bytea[], $6::text[], $7::text[])
         WITH ORDINALITY AS t (id, identity_id, model_id, embedding, crop, origin, created, n)
       ORDER BY n ${onConflict}`,
      [
        batch.map((s) => s.id),
        batch.map((s) => s.identityId),
        batch.map((s) => s.modelId),
        batch.map((s) => vectorToBlob(s.embedding)),
        batch.map((s) => s.crop),
        batch.map((s) => s.origin),
        batch.map((s) => s.created),
      ],
    );
    added += r.rowCount ?? 0;
  }
  return added;
}

function identityChanges(samples: readonly { identityId: string }[]): GalleryChange[] {
  return [...new Set(samples.map((s) => s.identityId))].map((id) => ({ kind: 'identity', id }));
}

/**
 * A batch of identities' metadata columns, one array per column for unnest: aliases (newline-
 * separated), category, country, sources (comma-separated), name_folded, aliases_folded.
 */
function metadataColumns(batch: readonly ({ name: string } & IdentityMetadata)[]): string[][] {
  const aliases = batch.map((i) => (i.aliases ?? []).join('\n'));
  return [aliases, batch.map((i) => i.category ?? ''), batch.map((i) => i.country ?? ''), batch.map((i) => (i.sources ?? []).join(',')), batch.map((i) => foldCase(i.name)), aliases.map(foldCase)];
}

/** A name or a search for one, compared without case (Unicode lower case of the NFC form), as the SQLite store does. */
function foldCase(text: string): string {
  return text.normalize('NFC').toLowerCase();
}




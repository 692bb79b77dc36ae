// The identity index's metadata in PostgreSQL (DATABASE_URL), next to the galleries, for several
// matcher replicas. Same behaviour as the SQLite store (one contract suite runs against both):
// newest first by created then id (byte-wise), samples in insertion order, appearances merged per
// (identity, job, source) even when two replicas record the same one at once, naming all or nothing.
// Changes of samples are announced (NOTIFY, in the writing transaction) to replicas that follow them.
import type { Page } from '../store/job-store.js';
import { notify, openMigrated, transaction, type Migration, type PgPool } from '../store/postgres.js';
import type { GalleryChange } from './gallery-changes.js';
import { vectorToBlob } from '../store/vector-bytes.js';
import {
  AlreadyNamedError,
  type AppearanceRecord,
  type IdentityIndexStore,
  type IndexedIdentityRecord,
  type IndexSampleRecord,
  type NamedTo,
} from './identity-index.js';
import { mergedAppearanceColumns, newAppearanceColumns, toAppearance, toIdentity, toSample, type AppearanceRow, type IdentityRow, type SampleRow } from './identity-index-rows.js';

export const IDENTITY_INDEX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE index_identities (
        id text COLLATE "C" PRIMARY KEY,
        created text COLLATE "C" NOT NULL,
        thumbnail bytea NOT NULL,
        -- set once named
        name text,
        model_id text,
        model_name text,
        identity_id text,
        named_at text,
        moved_samples integer NOT NULL DEFAULT 0
      );
      CREATE INDEX index_identities_by_created ON index_identities (created DESC, id DESC);
      CREATE TABLE index_samples (
        seq bigserial NOT NULL,
        id text COLLATE "C" PRIMARY KEY,
        identity_id text COLLATE "C" NOT NULL REFERENCES index_identities (id) ON DELETE CASCADE,
        embedding bytea NOT NULL,
        crop bytea NOT NULL,
        created text NOT NULL
      );
      CREATE INDEX index_samples_by_identity ON index_samples (identity_id, seq);
      CREATE TABLE index_appearances (
        seq bigserial NOT NULL,
        identity_id text COLLATE "C" NOT NULL REFERENCES index_identities (id) ON DELETE CASCADE,
        job_id text NOT NULL,
        source text NOT NULL,
        -- JSON array, in the order the ids were first recorded
        result_ids text NOT NULL,
        frame_start integer NOT NULL,
        frame_end integer NOT NULL,
        created text COLLATE "C" NOT NULL,
        PRIMARY KEY (identity_id, job_id, source)
      );
    `,
  },
];




const IDENTITY_COLUMNS = `id, created, thumbnail, name, model_id, model_name, identity_id, named_at, moved_samples,
  (SELECT count(*)::int FROM index_samples WHERE identity_id = index_identities.id) AS sample_count,
  (SELECT count(*)::int FROM index_appearances WHERE identity_id = index_identities.id) AS appearance_count`;

const NAMED_CLAUSE = { any: '', named: 'WHERE name IS NOT NULL', unnamed: 'WHERE name IS NULL' } as const;

export class PostgresIdentityIndex implements IdentityIndexStore {
  private constructor(
    private readonly pool: PgPool,
    /** Where the changes are announced (PostgresChangeFeed listens there). */
    private readonly channel: string,
  ) {}

  /** Connects to `url` and brings the tables up to date (safe when several replicas start at once). */
  static async open(url: string): Promise<PostgresIdentityIndex> {
    const { pool, channel } = await openMigrated(url, 'identity-index', IDENTITY_INDEX_MIGRATIONS);
    return new PostgresIdentityIndex(pool, channel);
  }

  async create(identity: { id: string; thumbnail: Buffer; created?: string }): Promise<IndexedIdentityRecord> {
    const created = identity.created ?? new Date().toISOString();
    await this.pool.query('INSERT INTO index_identities (id, created, thumbnail) VALUES ($1, $2, $3)', [identity.id, created, identity.thumbnail]);
    return { id: identity.id, created, thumbnail: identity.thumbnail, sampleCount: 0, appearanceCount: 0, named: null };
  }

  async get(id: string): Promise<IndexedIdentityRecord | undefined> {
    const { rows } = await this.pool.query<IdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM index_identities WHERE id = $1`, [id]);
    return rows[0] && toIdentity(rows[0]);
  }

  async list(query: { limit: number; offset: number; named?: boolean }): Promise<Page<IndexedIdentityRecord>> {
    const where = NAMED_CLAUSE[query.named === undefined ? 'any' : query.named ? 'named' : 'unnamed'];
    const [count, page] = await Promise.all([
      this.pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM index_identities ${where}`),
      this.pool.query<IdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM index_identities ${where} ORDER BY created DESC, id DESC LIMIT $1 OFFSET $2`, [
        query.limit,
        query.offset,
      ]),
    ]);
    return { total: count.rows[0]?.total ?? 0, items: page.rows.map(toIdentity) };
  }

  async setThumbnail(id: string, thumbnail: Buffer): Promise<void> {
    await this.pool.query('UPDATE index_identities SET thumbnail = $2 WHERE id = $1', [id, thumbnail]);
  }

  async addSamples(samples: readonly IndexSampleRecord[]): Promise<void> {
    if (samples.length === 0) return;
    // One statement, announcement included: all or nothing; WITH ORDINALITY keeps the sequence in the given order.
    await this.pool.query(
      `WITH added AS (
         INSERT INTO index_samples (id, identity_id, embedding, crop, created)
         SELECT id, identity_id, embedding, crop, created
         FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::text[]) WITH ORDINALITY AS t (id, identity_id, embedding, crop, created, n)
         ORDER BY n
         RETURNING identity_id)
       SELECT pg_notify($6, json_build_object('kind', 'index-identity', 'id', identity_id)::text) FROM (SELECT DISTINCT identity_id FROM added) AS d`,
      [samples.map((s) => s.id), samples.map((s) => s.identityId), samples.map((s) => vectorToBlob(s.embedding)), samples.map((s) => s.crop), samples.map((s) => s.created), this.channel],
    );
  }

  async listSamples(identityId: string): Promise<IndexSampleRecord[]> {
    const { rows } = await this.pool.query<SampleRow>('SELECT id, identity_id, embedding, crop, created FROM index_samples WHERE identity_id = $1 ORDER BY seq', [identityId]);
    return rows.map(toSample);
  }

  async addAppearance(identityId: string, a: Omit<AppearanceRecord, 'created'>): Promise<void> {
    await transaction(this.pool, async (client) => {
      // Insert, or (when the row exists, perhaps just written by another replica) merge under a row lock.
      const row = newAppearanceColumns(a);
      const inserted = await client.query(
        `INSERT INTO index_appearances (identity_id, job_id, source, result_ids, frame_start, frame_end, created)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (identity_id, job_id, source) DO NOTHING`,
        [identityId, a.jobId, a.source, row.resultIds, row.frameStart, row.frameEnd, new Date().toISOString()],
      );
      if (inserted.rowCount === 1) return;
      const { rows } = await client.query<AppearanceRow>(
        'SELECT result_ids, frame_start, frame_end FROM index_appearances WHERE identity_id = $1 AND job_id = $2 AND source = $3 FOR UPDATE',
        [identityId, a.jobId, a.source],
      );
      const merged = mergedAppearanceColumns(rows[0]!, a);
      await client.query(
        'UPDATE index_appearances SET result_ids = $4, frame_start = $5, frame_end = $6 WHERE identity_id = $1 AND job_id = $2 AND source = $3',
        [identityId, a.jobId, a.source, merged.resultIds, merged.frameStart, merged.frameEnd],
      );
    });
  }

  async listAppearances(identityId: string, limit: number): Promise<AppearanceRecord[]> {
    const { rows } = await this.pool.query<AppearanceRow>(
      'SELECT job_id, source, result_ids, frame_start, frame_end, created FROM index_appearances WHERE identity_id = $1 ORDER BY created DESC, seq DESC LIMIT $2',
      [identityId, limit],
    );
    return rows.map(toAppearance);
  }

  async markNamed(id: string, named: NamedTo): Promise<IndexedIdentityRecord | undefined> {
    return transaction(this.pool, async (client) => {
      // The row lock makes a second replica naming the same identity wait, then see it named.
      const { rows } = await client.query<{ name: string | null }>('SELECT name FROM index_identities WHERE id = $1 FOR UPDATE', [id]);
      const row = rows[0];
      if (!row) return undefined;
      if (row.name !== null) throw new AlreadyNamedError(id, row.name);
      await client.query(
        `UPDATE index_identities SET name = $2, model_id = $3, model_name = $4, identity_id = $5, named_at = $6,
           moved_samples = (SELECT count(*) FROM index_samples WHERE identity_id = $1)
         WHERE id = $1`,
        [id, named.name, named.modelId, named.modelName, named.identityId, named.at],
      );
      await client.query('DELETE FROM index_samples WHERE identity_id = $1', [id]);
      await notify(client, this.channel, [{ kind: 'index-identity', id } satisfies GalleryChange]);
      const after = await client.query<IdentityRow>(`SELECT ${IDENTITY_COLUMNS} FROM index_identities WHERE id = $1`, [id]);
      return after.rows[0] && toIdentity(after.rows[0]);
    });
  }

  async delete(id: string): Promise<boolean> {
    // Samples and appearances go with it (ON DELETE CASCADE).
    const { rows } = await this.pool.query(
      `WITH gone AS (DELETE FROM index_identities WHERE id = $1 RETURNING id) SELECT pg_notify($2, json_build_object('kind', 'index-identity', 'id', id)::text) FROM gone`,
      [id, this.channel],
    );
    return rows.length > 0;
  }

  /**
   * Rows made elsewhere (`facerec admin migrate-galleries`), ids, times and order kept, in one
   * transaction; rows already here (by id; appearances by identity, job and source) are left as
   * they are, so copying twice adds nothing. Appearances are given oldest first. Resolves to the
   * numbers of rows added.
   */
  async insertMissing(rows: {
    identities?: readonly IndexedIdentityRecord[];
    samples?: readonly IndexSampleRecord[];
    appearances?: readonly (AppearanceRecord & { identityId: string })[];
  }): Promise<{ identities: number; samples: number; appearances: number }> {
    return transaction(this.pool, async (client) => {
      const added = { identities: 0, samples: 0, appearances: 0 };
      for (const i of rows.identities ?? []) {
        const r = await client.query(
          `INSERT INTO index_identities (id, created, thumbnail, name, model_id, model_name, identity_id, named_at, moved_samples)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
          [i.id, i.created, i.thumbnail, i.named?.name ?? null, i.named?.modelId ?? null, i.named?.modelName ?? null, i.named?.identityId ?? null, i.named?.at ?? null, i.named ? i.sampleCount : 0],
        );
        added.identities += r.rowCount ?? 0;
      }
      const samples = rows.samples ?? [];
      if (samples.length > 0) {
        const r = await client.query(
          `INSERT INTO index_samples (id, identity_id, embedding, crop, created)
           SELECT id, identity_id, embedding, crop, created
           FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::text[]) WITH ORDINALITY AS t (id, identity_id, embedding, crop, created, n)
           ORDER BY n ON CONFLICT (id) DO NOTHING`,
          [samples.map((s) => s.id), samples.map((s) => s.identityId), samples.map((s) => vectorToBlob(s.embedding)), samples.map((s) => s.crop), samples.map((s) => s.created)],
        );
        added.samples = r.rowCount ?? 0;
      }
      for (const a of rows.appearances ?? []) {
        const r = await client.query(
          `INSERT INTO index_appearances (identity_id, job_id, source, result_ids, frame_start, frame_end, created)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (identity_id, job_id, source) DO NOTHING`,
          [a.identityId, a.jobId, a.source, JSON.stringify(a.resultIds), a.frameStart, a.frameEnd, a.created],
        );
        added.appearances += r.rowCount ?? 0;
      }
      await notify(client, this.channel, [...new Set(samples.map((s) => s.identityId))].map((id) => ({ kind: 'index-identity', id }) satisfies GalleryChange));
      return added;
    });
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}


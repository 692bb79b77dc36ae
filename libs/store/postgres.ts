// Opening PostgreSQL (DATABASE_URL) the way every shared store wants it, and bringing its tables
// up to date. Several matcher replicas start together against one database: each store's schema
// changes are numbered steps, applied in one transaction under an advisory lock, so the second
// replica waits for the first and then finds nothing left to do.
import pg from 'pg';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

/** A numbered schema change of one store; never edited once shipped, only followed by another. */
export interface Migration {
  version: number;
  sql: string;
}

/**
 * A pool on `url`. A `search_path` in the URL (`?options=-c%20search_path%3Dname`) puts the
 * tables in that schema: the tests give each file its own.
 */
export function openPostgres(url: string, max = 10): PgPool {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client losing its server (a restart) must not take the process down; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * A new empty schema `name` on `url`, and the connection string whose tables land in it; `drop`
 * removes it with everything in it. For work that must not touch an installation's tables (the
 * tests, one schema per file; the gallery-store bench).
 */
export async function createSchema(url: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  await adminQuery(url, `CREATE SCHEMA ${name}`);
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${name}`);
  return { url: scoped.toString(), drop: () => adminQuery(url, `DROP SCHEMA IF EXISTS ${name} CASCADE`) };
}

/** One statement on a connection of its own, outside any pool. */
async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A store's pool on `url` with its tables brought up to date, and the channel its changes are
 * announced on; the pool is closed again when that fails.
 */
export async function openMigrated(url: string, component: string, steps: readonly Migration[]): Promise<{ pool: PgPool; channel: string }> {
  const pool = openPostgres(url);
  try {
    await migrate(pool, component, steps);
    return { pool, channel: await changeChannel(pool) };
  } catch (err) {
    await pool.end();
    throw err;
  }
}

/** Applies the steps of `component` not yet recorded in schema_migrations, in order, in one transaction. */
export async function migrate(pool: PgPool, component: string, steps: readonly Migration[]): Promise<number[]> {
  return transaction(pool, async (client) => {
    // Per schema, so that two installations (or two test files) in one database do not wait on each other.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':facerec-migrations'))`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      component text NOT NULL,
      version integer NOT NULL,
      applied text NOT NULL,
      PRIMARY KEY (component, version)
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations WHERE component = $1', [component]);
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const step of [...steps].sort((a, b) => a.version - b.version)) {
      if (done.has(step.version)) continue;
      await client.query(step.sql);
      await client.query('INSERT INTO schema_migrations (component, version, applied) VALUES ($1, $2, $3)', [component, step.version, new Date().toISOString()]);
      applied.push(step.version);
    }
    return applied;
  });
}

/** Runs `work` in a transaction on one client: committed when it resolves, rolled back when it throws. */
export async function transaction<T>(pool: PgPool, work: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The unique constraint a failed statement violated, if that is why it failed (SQLSTATE 23505). */
export function violatedUnique(err: unknown): string | null {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' ? (e.constraint ?? '') : null;
}

/** Socket errors of a server that is gone or not there yet. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The server could not be reached or is going down or coming up (a restart, a failover): a
 * fault of the moment, worth trying again, not a defect. SQLSTATE class 08 (connection
 * exception), 57P01-57P03 (shut down by the administrator, crash, cannot connect now); pg's own
 * "Connection terminated…" when the socket closes under a query.
 */
export function databaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(e.code))) return true;
  return typeof e?.message === 'string' && (e.message.startsWith('Connection terminated') || e.message.includes('not queryable'));
}

/** The foreign key a failed statement violated (SQLSTATE 23503). */
export function violatedForeignKey(err: unknown): string | null {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23503' ? (e.constraint ?? '') : null;
}

/**
 * The NOTIFY channel of the galleries' changes (libs/gallery/gallery-changes.ts) in the schema the
 * connection works in: installations (and test files) in other schemas of one database do not hear them.
 */
export async function changeChannel(db: PgPool | PgClient | pg.Client): Promise<string> {
  const { rows } = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
  return `facerec_changes:${rows[0]!.schema}`;
}

/** Sends `changes` (JSON) on `channel`; inside a transaction they are delivered at its commit, and not at all on rollback. */
export async function notify(db: PgPool | PgClient, channel: string, changes: readonly object[]): Promise<void> {
  if (changes.length === 0) return;
  await db.query('SELECT pg_notify($1, c) FROM unnest($2::text[]) AS c', [channel, changes.map((c) => JSON.stringify(c))]);
}

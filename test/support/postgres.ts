// The PostgreSQL server for the store tests: FACEREC_TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test). Absent, those tests skip with a printed reason on a
// developer machine and fail under CI, where it must exist. Each test file works in a schema of
// its own, so files running in parallel never see each other's tables.
import pg from 'pg';
import { createSchema } from '../../libs/store/postgres.js';

export const TEST_DATABASE_URL = process.env.FACEREC_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** TEST_DATABASE_URL when a server answers there, else null (after a warning); throws under CI. */
export async function availablePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return TEST_DATABASE_URL;
  } catch (err) {
    const reason = `PostgreSQL is not reachable at ${TEST_DATABASE_URL}: ${(err as Error).message}`;
    if (process.env.CI === 'true') throw new Error(`${reason} (required when CI=true; set FACEREC_TEST_DATABASE_URL)`);
    console.warn(`skipping tests that need PostgreSQL: ${reason}`);
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A suite's title, with the reason it is skipped where no server answers (`npm test` lists those titles at the end). */
export function postgresTitle(title: string, url: string | null): string {
  return url ? title : `${title} — SKIPPED: no PostgreSQL at ${TEST_DATABASE_URL} (set FACEREC_TEST_DATABASE_URL)`;
}

/** A new empty schema on `url`: `url` is the connection string whose tables land in it; `drop` removes it with everything in it. */
export async function freshSchema(url: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  return { name, ...(await createSchema(url, name)) };
}

// Schema migrations on the real PostgreSQL server (test/support/postgres.ts): replicas starting
// together apply each step once, and a failing step leaves nothing behind.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GALLERY_MIGRATIONS, PostgresGalleryStore } from '../../libs/gallery/postgres-gallery-store.js';
import { IDENTITY_INDEX_MIGRATIONS, PostgresIdentityIndex } from '../../libs/gallery/postgres-identity-index.js';
import { migrate, openPostgres, type PgPool } from '../../libs/store/postgres.js';
import { availablePostgres, freshSchema, postgresTitle } from '../support/postgres.js';

const url = await availablePostgres();

describe.skipIf(!url)(postgresTitle('PostgreSQL migrations', url), () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let pool: PgPool;

  beforeEach(async () => {
    schema = await freshSchema(url!);
    pool = openPostgres(schema.url);
  });

  afterEach(async () => {
    await pool.end();
    await schema.drop();
  });

  it('applies each step once when several replicas start at the same moment', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => migrate(pool, 'galleries', GALLERY_MIGRATIONS)));
    expect(results.filter((applied) => applied.length > 0)).toEqual([GALLERY_MIGRATIONS.map((m) => m.version)]);
    expect(await migrate(pool, 'galleries', GALLERY_MIGRATIONS)).toEqual([]);
    // Stores opened together, both components: each records its own steps.
    const stores = await Promise.all([PostgresGalleryStore.open(schema.url), PostgresIdentityIndex.open(schema.url), PostgresIdentityIndex.open(schema.url)]);
    await Promise.all(stores.map((s) => s.close()));
    const { rows } = await pool.query('SELECT component, version FROM schema_migrations ORDER BY component, version');
    expect(rows).toEqual([
      ...GALLERY_MIGRATIONS.map((m) => ({ component: 'galleries', version: m.version })),
      ...IDENTITY_INDEX_MIGRATIONS.map((m) => ({ component: 'identity-index', version: m.version })),
    ]);
  });

  it('applies later steps in order and rolls back a failing one with the steps before it in the same run', async () => {
    await migrate(pool, 'demo', [{ version: 1, sql: 'CREATE TABLE demo (id int)' }]);
    const broken = [
      { version: 1, sql: 'CREATE TABLE demo (id int)' },
      { version: 3, sql: 'ALTER TABLE demo ADD COLUMN missing_type nosuchtype' },
      { version: 2, sql: 'ALTER TABLE demo ADD COLUMN name text' },
    ];
    await expect(migrate(pool, 'demo', broken)).rejects.toThrow('nosuchtype');
    const columns = async () => (await pool.query("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'demo' ORDER BY column_name")).rows.map((r) => r.column_name);
    expect(await columns()).toEqual(['id']);
    expect(await migrate(pool, 'demo', [...broken.slice(0, 1), broken[2]!, { version: 3, sql: 'ALTER TABLE demo ADD COLUMN size int' }])).toEqual([2, 3]);
    expect(await columns()).toEqual(['id', 'name', 'size']);
  });
});

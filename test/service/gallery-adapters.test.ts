// Which gallery stores a process opens, by configuration alone: DATABASE_URL → PostgreSQL (the
// real server, test/support/postgres.ts; skipped with the reason printed where none answers,
// failing under CI=true), with a change feed to follow unless the vectors are shared in Qdrant;
// without it, galleries.db in the data directory and nothing to follow.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../libs/config/config.js';
import { PostgresChangeFeed } from '../../libs/gallery/postgres-change-feed.js';
import { PostgresGalleryStore } from '../../libs/gallery/postgres-gallery-store.js';
import { PostgresIdentityIndex } from '../../libs/gallery/postgres-identity-index.js';
import { SqliteGalleryStore } from '../../libs/gallery/sqlite-gallery-store.js';
import { SqliteIdentityIndex } from '../../libs/gallery/sqlite-identity-index.js';
import { Adapters } from '../../libs/service/adapters.js';
import { availablePostgres, freshSchema, postgresTitle } from '../support/postgres.js';

const url = await availablePostgres();

describe(postgresTitle('gallery adapters', url), () => {
  let dir: string;
  let adapters: Adapters | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'facerec-adapters-'));
  });

  afterEach(async () => {
    await adapters?.close();
    adapters = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('without DATABASE_URL: galleries.db in the data directory, no change feed', async () => {
    adapters = new Adapters(loadConfig({ FACEREC_DATA_DIR: dir }));
    expect(await adapters.galleryStore()).toBeInstanceOf(SqliteGalleryStore);
    expect(await adapters.identityIndexStore()).toBeInstanceOf(SqliteIdentityIndex);
    expect(await adapters.galleryChanges()).toBeNull();
    expect(existsSync(join(dir, 'galleries.db'))).toBe(true);
  });

  it.skipIf(!url)('with DATABASE_URL: both stores in PostgreSQL (nothing in the data directory) and a change feed; none with QDRANT_URL', async () => {
    const schema = await freshSchema(url!);
    try {
      adapters = new Adapters(loadConfig({ FACEREC_DATA_DIR: dir, DATABASE_URL: schema.url }));
      const store = await adapters.galleryStore();
      expect(store).toBeInstanceOf(PostgresGalleryStore);
      expect(await adapters.identityIndexStore()).toBeInstanceOf(PostgresIdentityIndex);
      expect(await adapters.galleryChanges()).toBeInstanceOf(PostgresChangeFeed);
      await store.createModel({ id: 'm', name: 'staff', description: '', embeddingModel: 'x' });
      expect(existsSync(join(dir, 'galleries.db'))).toBe(false);
      await adapters.close();

      adapters = new Adapters(loadConfig({ FACEREC_DATA_DIR: dir, DATABASE_URL: schema.url, QDRANT_URL: 'http://127.0.0.1:6333' }));
      expect(await adapters.galleryChanges()).toBeNull();
      expect(await (await adapters.galleryStore()).findModel('staff')).toMatchObject({ id: 'm' });
    } finally {
      await adapters?.close();
      adapters = undefined;
      await schema.drop();
    }
  });
});

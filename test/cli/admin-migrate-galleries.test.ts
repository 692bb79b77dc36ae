// `facerec admin migrate-galleries` from a real SQLite data directory into the real PostgreSQL
// server (test/support/postgres.ts; skipped with the reason printed where none answers, failing
// under CI=true): everything comes over equal, a second run copies nothing, a later run copies only
// what is new, and a target that differs fails the verification.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GalleryStore, SampleRecord } from '../../libs/gallery/gallery-store.js';
import type { IdentityIndexStore } from '../../libs/gallery/identity-index.js';
import { PostgresGalleryStore } from '../../libs/gallery/postgres-gallery-store.js';
import { PostgresIdentityIndex } from '../../libs/gallery/postgres-identity-index.js';
import { SqliteGalleryStore } from '../../libs/gallery/sqlite-gallery-store.js';
import { SqliteIdentityIndex } from '../../libs/gallery/sqlite-identity-index.js';
import { adminCommand } from '../../services/cli/admin.js';
import { UsageError } from '../../services/cli/args.js';
import { availablePostgres, freshSchema, postgresTitle } from '../support/postgres.js';

const url = await availablePostgres();

function sample(n: number, identityId: string, modelId: string): SampleRecord {
  // Values a lossy copy would disturb: negative zero, a NaN payload, the smallest subnormal.
  const embedding = Float32Array.from({ length: 128 }, (_, i) => Math.sin(n * 1000 + i));
  embedding[0] = -0;
  embedding[1] = 1e-45;
  new Uint32Array(embedding.buffer)[2] = 0x7fc00000 + n;
  return { id: `s-${n}`, identityId, modelId, embedding, crop: Buffer.from([0xff, 0xd8, n & 0xff, n >> 8, 0xff, 0xd9]), origin: `photo-${n}.jpg`, created: `2025-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z` };
}

/** Everything a store pair says about its contents, as the API would read it. */
async function contents(galleries: GalleryStore, index: IdentityIndexStore) {
  const models = await galleries.listModels();
  return {
    models,
    identities: await Promise.all(models.map((m) => galleries.listIdentities(m.id, { limit: 1000, offset: 0 }))),
    samples: await Promise.all(models.map((m) => galleries.listSamples({ modelId: m.id }))),
    index: await index.list({ limit: 1000, offset: 0 }),
    indexSamples: await index.listSamples('x-1'),
    appearances: await index.listAppearances('x-1', 100),
  };
}

describe.skipIf(!url)(postgresTitle('facerec admin migrate-galleries', url), () => {
  let dir: string;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let source: { galleries: SqliteGalleryStore; index: SqliteIdentityIndex };
  const lines: string[] = [];
  const run = (...extra: string[]) => adminCommand(['migrate-galleries', '--from', dir, '--to', schema.url, ...extra], (l) => lines.push(l));

  beforeEach(async () => {
    lines.length = 0;
    dir = await mkdtemp(join(tmpdir(), 'facerec-migrate-'));
    schema = await freshSchema(url!);
    const file = join(dir, 'galleries.db');
    source = { galleries: new SqliteGalleryStore(file), index: new SqliteIdentityIndex(file) };
    const g = source.galleries;
    await g.createModel({ id: 'm-staff', name: 'staff', description: 'our people', embeddingModel: 'faceplugin-fr512', embeddingSha256: 'abc', created: '2024-05-01T00:00:00.000Z' });
    await g.createModel({ id: 'm-celebs', name: 'celebrities', description: 'pre-built', embeddingModel: 'faceplugin-fr512' });
    await g.replaceModelContents('m-celebs', {
      description: 'pre-built',
      embedder: { model: 'faceplugin-fr512', sha256: 'abc' },
      identities: [{ id: 'c-1', name: 'Émile Zola', aliases: ['The Novelist'], category: 'entertainment', country: 'FR', sources: ['lfw'] }],
      samples: [sample(100, 'c-1', 'm-celebs')],
    });
    for (let i = 0; i < 30; i++) await g.createIdentity({ id: `i-${i}`, modelId: 'm-staff', name: i % 2 ? `Person ${i}` : `person ${i}` });
    await g.addSamples(Array.from({ length: 75 }, (_, n) => sample(n, `i-${(n * 7) % 30}`, 'm-staff')));

    const x = source.index;
    await x.create({ id: 'x-1', thumbnail: Buffer.from([1, 2, 3]), created: '2025-03-01T00:00:00.000Z' });
    await x.create({ id: 'x-2', thumbnail: Buffer.alloc(0), created: '2025-03-02T00:00:00.000Z' });
    await x.addSamples([0, 1, 2].map((n) => ({ id: `xs-${n}`, identityId: n === 2 ? 'x-2' : 'x-1', embedding: sample(200 + n, '', '').embedding, crop: Buffer.from([n]), created: '2025-03-01T00:00:00.000Z' })));
    await x.addAppearance('x-1', { jobId: 'j1', source: 'a.mp4', resultIds: ['r1', 'r2'], frameStart: 1, frameEnd: 9 });
    await x.addAppearance('x-1', { jobId: 'j2', source: 'b.mp4', resultIds: ['r3'], frameStart: 4, frameEnd: 5 });
    await x.markNamed('x-2', { name: 'Person 1', modelId: 'm-staff', modelName: 'staff', identityId: 'i-1', at: '2025-03-03T00:00:00.000Z' });
  });

  afterEach(async () => {
    await source.galleries.close();
    await source.index.close();
    await schema.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function target() {
    const t = { galleries: await PostgresGalleryStore.open(schema.url), index: await PostgresIdentityIndex.open(schema.url) };
    return { ...t, close: () => Promise.all([t.galleries.close(), t.index.close()]) };
  }

  it('copies galleries, crops, embeddings and the identity index so that the target reads as the source does; a second run copies nothing', async () => {
    await run();
    expect(lines.join('\n')).toMatch(/samples\s+76\s+76\s+0/);
    expect(lines.join('\n')).toMatch(/appearances\s+2\s+2\s+0/);
    expect(lines.at(-1)).toMatch(/^verified: every source row is in postgres:/);

    const t = await target();
    try {
      expect(await contents(t.galleries, t.index)).toEqual(await contents(source.galleries, source.index));
      expect(await t.index.get('x-2')).toEqual(await source.index.get('x-2'));
      expect(await t.galleries.listIdentities('m-celebs', { limit: 10, offset: 0 }, { query: 'émile' })).toMatchObject({ total: 1, items: [{ id: 'c-1', country: 'FR' }] });
    } finally {
      await t.close();
    }

    lines.length = 0;
    await run();
    expect(lines.join('\n')).toMatch(/identities\s+31\s+0\s+31/);
    expect(lines.join('\n')).toMatch(/samples\s+76\s+0\s+76/);
    expect(lines.at(-1)).toMatch(/already migrated/);
  });

  it('a later run copies only what is new, and keeps what was added in PostgreSQL meanwhile', async () => {
    await run();
    const t = await target();
    try {
      await t.galleries.createIdentity({ id: 'i-pg', modelId: 'm-staff', name: 'Added through a PostgreSQL matcher' });
      await source.galleries.createIdentity({ id: 'i-new', modelId: 'm-staff', name: 'Newcomer' });
      await source.galleries.addSamples([sample(500, 'i-new', 'm-staff')]);
      lines.length = 0;
      await run();
      expect(lines.join('\n')).toMatch(/identities\s+32\s+1\s+31/);
      expect(lines.join('\n')).toMatch(/samples\s+77\s+1\s+76/);
      expect(await t.galleries.modelStats('m-staff')).toEqual({ identityCount: 32, sampleCount: 76 });
      expect((await t.galleries.listSamples({ identityId: 'i-new' })).map((s) => s.id)).toEqual(['s-500']);
    } finally {
      await t.close();
    }
  });

  it('fails the verification when a copied row differs, naming it; a row gone from the target is copied again', async () => {
    await run();
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      await client.query("UPDATE samples SET embedding = '\\x00000000'::bytea WHERE id = 's-7'");
      await client.query("UPDATE samples SET crop = '\\x00'::bytea WHERE id = 's-8'");
      await client.query("DELETE FROM index_appearances WHERE job_id = 'j2'");
    } finally {
      await client.end();
    }
    await expect(run()).rejects.toThrow(/in 2 place\(s\): sample s-7 of model "staff" has another embedding; sample s-8 of model "staff" has another crop$/);
    expect(lines.join('\n')).toMatch(/appearances\s+2\s+1\s+1/);
  });

  it('refuses a target whose model of that name has another id, copying nothing of that model', async () => {
    const t = await target();
    try {
      await t.galleries.createModel({ id: 'm-other', name: 'staff', description: '', embeddingModel: 'faceplugin-fr512' });
      await expect(run()).rejects.toThrow('a model named "staff" already exists');
      expect(await t.galleries.modelStats('m-staff')).toEqual({ identityCount: 0, sampleCount: 0 });
    } finally {
      await t.close();
    }
  });

  it('says what is missing in the command line', async () => {
    await expect(adminCommand(['migrate-galleries', '--to', schema.url])).rejects.toBeInstanceOf(UsageError);
    await expect(adminCommand(['migrate-galleries', '--from', join(dir, 'nowhere'), '--to', schema.url])).rejects.toThrow('no galleries.db');
    await expect(adminCommand(['migrate-galleries', '--from', dir, '--to', 'mysql://x'])).rejects.toThrow('postgres://');
  });
});

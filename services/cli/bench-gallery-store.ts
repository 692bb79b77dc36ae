// `facerec bench gallery-store`: the matcher's galleries over each GalleryStore (SQLite file,
// PostgreSQL at DATABASE_URL), with the embedded vector index beside them, as the matcher runs:
//  - enrolment: one AddSamples call per identity (Galleries.addSamples: find the identity by name,
//    create it, insert its samples with their crops, upsert the vectors, read the identity back),
//    one call at a time as `facerec models import` makes them, or --concurrency calls at once (API
//    clients enrolling in parallel, or several matcher replicas);
//  - search: Galleries.match of one face against the gallery, as the aggregator asks for every
//    track: the vector search (in memory) and the store lookup of the hits' names;
//  - listing: one page of identities filtered by a part of the name (the API's GET …/identities?q=).
// Random 512-d unit vectors; crops of random bytes (incompressible, as JPEG is) of --crop-bytes
// (a 256 px source crop at quality 90 is about 10 KB).
// With --crops N, also where a crop is best kept: N crops written one at a time and 200 read back,
// as bytea rows in PostgreSQL vs objects in the NATS object store (NatsBlobStore, at NATS_URL).
//
//   facerec bench gallery-store [--identities 10000] [--samples 2] [--store sqlite,postgres] [--concurrency 1] [--queries 300] [--database postgres://…] [--crops 1000]
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { Objm } from '@nats-io/obj';
import pg from 'pg';
import type { GalleryStore } from '../../libs/gallery/gallery-store.js';
import { PostgresGalleryStore } from '../../libs/gallery/postgres-gallery-store.js';
import { SqliteGalleryStore } from '../../libs/gallery/sqlite-gallery-store.js';
import { NatsBlobStore } from '../../libs/store/nats-blob-store.js';
import { createSchema } from '../../libs/store/postgres.js';
import { EmbeddedVectorIndex } from '../../libs/vector/embedded-vector-index.js';
import { Galleries } from '../matcher/galleries.js';
import { parseIntOption, UsageError } from './args.js';
import { seededRandom, unitVector } from './bench-search.js';
import { percentile } from './percentile.js';

const STORES = ['sqlite', 'postgres'] as const;
type StoreName = (typeof STORES)[number];

export interface GalleryStoreBenchRow {
  store: StoreName;
  /** AddSamples calls in flight at once during enrolment. */
  concurrency: number;
  identities: number;
  samples: number;
  /** Enrolment of every identity, seconds. */
  enrolSeconds: number;
  identitiesPerSecond: number;
  samplesPerSecond: number;
  /** One Galleries.match of one face against the full gallery, ms. */
  searchP50Ms: number;
  searchP95Ms: number;
  /** One page (20) of identities whose name contains a query, ms. */
  listP50Ms: number;
}

interface Place {
  store: GalleryStore;
  remove(): Promise<void>;
}

async function openPlace(store: StoreName, work: string, databaseUrl: string): Promise<Place> {
  if (store === 'sqlite') {
    const s = new SqliteGalleryStore(join(work, 'galleries.db'));
    return { store: s, remove: () => s.close() };
  }
  // A schema of its own, dropped afterwards: the bench never touches an installation's tables.
  const schema = await createSchema(databaseUrl, `bench_${process.pid}_${Date.now().toString(36)}`);
  const s = await PostgresGalleryStore.open(schema.url);
  return {
    store: s,
    remove: async () => {
      await s.close();
      await schema.drop();
    },
  };
}

export async function benchGalleryStore(opts: {
  stores: readonly StoreName[];
  identities: number;
  samples: number;
  concurrency: number;
  queries: number;
  cropBytes: number;
  dimension: number;
  databaseUrl: string;
  progress?: (line: string) => void;
}): Promise<GalleryStoreBenchRow[]> {
  const rows: GalleryStoreBenchRow[] = [];
  const crop = randomBytes(opts.cropBytes);
  for (const storeName of opts.stores) {
    const work = mkdtempSync(join(tmpdir(), 'facerec-bench-gallery-'));
    const place = await openPlace(storeName, work, opts.databaseUrl);
    const index = await EmbeddedVectorIndex.open(join(work, 'vectors.db'));
    try {
      const galleries = new Galleries(place.store, index, { name: 'bench', sha256: '', dimension: opts.dimension, toContract: (raw) => raw });
      await galleries.init();
      const model = await galleries.createModel('bench', 'bench gallery');
      const next = seededRandom(1); // every store gets the same gallery and queries
      const people = Array.from({ length: opts.identities }, (_, i) =>
        Array.from({ length: opts.samples }, (_, k) => ({ embedding: unitVector(next, opts.dimension), crop, origin: `person-${i}-${k}.jpg` })),
      );
      const enrolStarted = performance.now();
      let taken = 0;
      const enrolling = async () => {
        for (let i = taken++; i < opts.identities; i = taken++) {
          await galleries.addSamples(model.id, `Person ${i}`, people[i]!);
          if ((i + 1) % 2000 === 0) opts.progress?.(`${storeName}: ${i + 1} identities enrolled`);
        }
      };
      await Promise.all(Array.from({ length: opts.concurrency }, enrolling));
      const enrolSeconds = (performance.now() - enrolStarted) / 1000;
      const stats = await place.store.modelStats(model.id);
      if (stats.identityCount !== opts.identities || stats.sampleCount !== opts.identities * opts.samples) throw new Error(`${storeName} holds ${JSON.stringify(stats)} after enrolment`);

      const queries = Array.from({ length: opts.queries }, () => unitVector(next, opts.dimension));
      for (const q of queries.slice(0, 20)) await galleries.match([q], [model.id], 3); // warm-up (JIT, connections)
      const search: number[] = [];
      for (const q of queries) {
        const t = performance.now();
        const [candidates] = await galleries.match([q], [model.id], 3);
        search.push(performance.now() - t);
        if (candidates?.length !== 3) throw new Error(`${storeName}: a search found ${candidates?.length} identities, not 3`);
      }
      const list: number[] = [];
      for (let i = 0; i < Math.min(opts.queries, 200); i++) {
        const t = performance.now();
        await galleries.listIdentities(model.id, { limit: 20, offset: 0 }, `son ${(i * 37) % opts.identities}`);
        list.push(performance.now() - t);
      }
      search.sort((a, b) => a - b);
      list.sort((a, b) => a - b);
      const samples = opts.identities * opts.samples;
      rows.push({
        store: storeName,
        concurrency: opts.concurrency,
        identities: opts.identities,
        samples,
        enrolSeconds: round(enrolSeconds, 1),
        identitiesPerSecond: round(opts.identities / enrolSeconds, 0),
        samplesPerSecond: round(samples / enrolSeconds, 0),
        searchP50Ms: round(percentile(search, 0.5), 3),
        searchP95Ms: round(percentile(search, 0.95), 3),
        listP50Ms: round(percentile(list, 0.5), 3),
      });
    } finally {
      await index.close();
      await place.remove();
      rmSync(work, { recursive: true, force: true });
    }
  }
  return rows;
}

export interface CropBenchRow {
  where: 'postgres bytea' | 'nats object store';
  crops: number;
  writesPerSecond: number;
  readP50Ms: number;
}

/** `crops` crops written one at a time (each its own commit, as an AddSamples call makes), then 200 read back by id. */
export async function benchCrops(opts: { crops: number; cropBytes: number; databaseUrl: string; natsUrl: string }): Promise<CropBenchRow[]> {
  const crop = randomBytes(opts.cropBytes);
  const ids = Array.from({ length: opts.crops }, () => randomUUID());
  const rows: CropBenchRow[] = [];
  const measure = async (where: CropBenchRow['where'], write: (id: string) => Promise<string>, read: (key: string) => Promise<Buffer | undefined>) => {
    const keys: string[] = [];
    const started = performance.now();
    for (const id of ids) keys.push(await write(id));
    const writesPerSecond = opts.crops / ((performance.now() - started) / 1000);
    const reads: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      const back = await read(keys[(i * 7919) % keys.length]!);
      reads.push(performance.now() - t);
      if (!back?.equals(crop)) throw new Error(`${where}: a crop came back different`);
    }
    reads.sort((a, b) => a - b);
    rows.push({ where, crops: opts.crops, writesPerSecond: round(writesPerSecond, 0), readP50Ms: round(percentile(reads, 0.5), 3) });
  };

  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 2 });
  const table = `bench_crops_${process.pid}`;
  try {
    await pool.query(`CREATE TABLE ${table} (id text PRIMARY KEY, crop bytea NOT NULL)`);
    await measure(
      'postgres bytea',
      async (id) => (await pool.query(`INSERT INTO ${table} (id, crop) VALUES ($1, $2)`, [id, crop]), id),
      async (id) => (await pool.query<{ crop: Buffer }>(`SELECT crop FROM ${table} WHERE id = $1`, [id])).rows[0]?.crop,
    );
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  }

  const nc = await connect({ servers: opts.natsUrl, timeout: 5000 });
  const bucket = `bench_crops_${process.pid}`;
  try {
    const blobs = await NatsBlobStore.open(nc, { bucket });
    await measure(
      'nats object store',
      async () => (await blobs.put(crop, { contentType: 'image/jpeg' })).id,
      (id) => blobs.read(id),
    );
  } finally {
    await (await new Objm(nc).open(bucket)).destroy().catch(() => undefined);
    await nc.close();
  }
  return rows;
}

function round(x: number, digits: number): number {
  return +x.toFixed(digits);
}

export async function benchGalleryStoreCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      identities: { type: 'string', default: '10000' },
      samples: { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '1' },
      store: { type: 'string', default: 'sqlite,postgres' },
      queries: { type: 'string', default: '300' },
      'crop-bytes': { type: 'string', default: '10000' },
      database: { type: 'string' },
      crops: { type: 'string', default: '0' },
    },
  });
  const identities = parseIntOption('identities', values.identities);
  const samples = parseIntOption('samples', values.samples);
  const queries = parseIntOption('queries', values.queries);
  const concurrency = parseIntOption('concurrency', values.concurrency);
  const cropBytes = parseIntOption('crop-bytes', values['crop-bytes']);
  const stores = values.store.split(',').map((s) => s.trim());
  for (const s of stores) if (!(STORES as readonly string[]).includes(s)) throw new UsageError(`--store: '${s}' is not one of ${STORES.join(', ')}`);
  if (identities < 1 || samples < 1 || queries < 1 || concurrency < 1 || cropBytes < 0) throw new UsageError('--identities, --samples, --concurrency and --queries must be positive');
  const databaseUrl = values.database ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const cpu = cpus();
  console.log(`# facerec bench gallery-store\n\nCPU: ${cpu[0]?.model.trim()}, ${cpu.length} cores; load average at start ${loadavg()[0]!.toFixed(2)}.`);
  console.log(
    `Galleries (services/matcher) over each store with the embedded vector index: ${identities} identities × ${samples} samples (512-d, ${cropBytes}-byte crops), enrolled by ${concurrency} AddSamples call(s) at a time; ` +
      `search = Galleries.match of one face, top-3 (vector search + the store's name lookup), ${queries} queries; list = one page of 20 identities filtered by a part of the name.` +
      (stores.includes('postgres') ? ` PostgreSQL: ${redacted(databaseUrl)} (a schema of its own, dropped after).` : '') +
      '\n',
  );
  const rows = await benchGalleryStore({ stores: stores as StoreName[], identities, samples, concurrency, queries, cropBytes, dimension: 512, databaseUrl, progress: (l) => console.error(l) });
  console.log('| store | calls at once | identities | samples | enrolment s | identities/s | samples/s | search p50 ms | search p95 ms | list p50 ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.store} | ${r.concurrency} | ${r.identities} | ${r.samples} | ${r.enrolSeconds} | ${r.identitiesPerSecond} | ${r.samplesPerSecond} | ${r.searchP50Ms} | ${r.searchP95Ms} | ${r.listP50Ms} |`);
  }
  const [sqlite, postgres] = [rows.find((r) => r.store === 'sqlite'), rows.find((r) => r.store === 'postgres')];
  if (sqlite && postgres) {
    console.log('');
    console.log(
      `PostgreSQL vs SQLite: enrolment ${(postgres.identitiesPerSecond / sqlite.identitiesPerSecond).toFixed(2)}× the rate, ` +
        `search p50 ${(postgres.searchP50Ms / sqlite.searchP50Ms).toFixed(2)}× the time, list p50 ${(postgres.listP50Ms / sqlite.listP50Ms).toFixed(2)}× the time`,
    );
  }
  console.log('');
  console.log(JSON.stringify({ bench: 'gallery-store', identities, samples, concurrency, cropBytes, queries, rows }));
  const crops = parseIntOption('crops', values.crops);
  if (crops > 0) {
    const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
    console.log(`\nWhere crops live: ${crops} crops of ${cropBytes} bytes written one at a time (a commit or an object each), then 200 read back by id; NATS at ${natsUrl}.\n`);
    const cropRows = await benchCrops({ crops, cropBytes, databaseUrl, natsUrl });
    console.log('| where | crops | writes/s | read p50 ms |');
    console.log('|---|---:|---:|---:|');
    for (const r of cropRows) console.log(`| ${r.where} | ${r.crops} | ${r.writesPerSecond} | ${r.readP50Ms} |`);
    console.log('');
    console.log(JSON.stringify({ bench: 'gallery-store-crops', cropBytes, rows: cropRows }));
  }
}

function redacted(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

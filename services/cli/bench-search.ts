// `facerec bench search`: speed of the embedded vector index (libs/vector/embedded-vector-index.ts)
// on synthetic galleries of random 512-d unit vectors: the time to load them (one bulk upsert, as a
// gallery artefact or an import does) and the time per query of a top-k search restricted to one
// model, as the matcher makes for every face (another model of 1000 vectors sits beside it, so the
// restriction is exercised). One thread (the index is synchronous JavaScript); a SQLite file in a
// temporary directory, as in the product's data directory.
//
//   facerec bench search [--sizes 1000,10000,13000,100000] [--queries 200] [--limit 16] [--dimension 512]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddedVectorIndex } from '../../libs/vector/embedded-vector-index.js';
import type { VectorPoint } from '../../libs/vector/vector-index.js';
import { parseIntOption, UsageError } from './args.js';
import { percentile } from './percentile.js';

export interface SearchBenchRow {
  vectors: number;
  dimension: number;
  /** One upsert of every vector of the model, SQLite included, ms. */
  loadMs: number;
  /** Reopening the index file (every vector read back into memory), ms. */
  reopenMs: number;
  /** Mean time of one search restricted to the model, ms. */
  msPerQuery: number;
  /** Median and 95th percentile of the single queries, ms. */
  p50Ms: number;
  p95Ms: number;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32): every run (and every store a bench compares) gets the same. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random unit vector (Gaussian components by Box–Muller, normalised). */
export function unitVector(next: () => number, dimension: number): Float32Array {
  const v = new Float32Array(dimension);
  let norm = 0;
  for (let i = 0; i < dimension; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    v[i] = g;
    norm += g * g;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dimension; i++) v[i]! /= norm;
  return v;
}

function points(n: number, dimension: number, modelId: string, next: () => number): VectorPoint[] {
  const out: VectorPoint[] = [];
  for (let i = 0; i < n; i++) {
    const id = `00000000-0000-4000-8000-${(i + (modelId === 'other' ? 1e9 : 0)).toString(16).padStart(12, '0')}`;
    out.push({ id, vector: unitVector(next, dimension), payload: { modelId, identityId: `${modelId}-person-${Math.floor(i / 2)}` } });
  }
  return out;
}

export async function benchSearch(opts: { sizes: readonly number[]; queries: number; limit: number; dimension: number }): Promise<SearchBenchRow[]> {
  const rows: SearchBenchRow[] = [];
  for (const size of opts.sizes) {
    const work = mkdtempSync(join(tmpdir(), 'facerec-bench-search-'));
    try {
      const next = seededRandom(size);
      const gallery = points(size, opts.dimension, 'gallery', next);
      const other = points(1000, opts.dimension, 'other', next);
      const queries = Array.from({ length: opts.queries }, () => unitVector(next, opts.dimension));
      const path = join(work, 'vectors.db');
      let index = await EmbeddedVectorIndex.open(path);
      await index.init(opts.dimension);
      await index.upsert(other);
      let t = performance.now();
      await index.upsert(gallery);
      const loadMs = performance.now() - t;
      await index.close();
      t = performance.now();
      index = await EmbeddedVectorIndex.open(path);
      const reopenMs = performance.now() - t;
      if ((await index.count(['gallery'])) !== size) throw new Error(`the index holds ${await index.count(['gallery'])} vectors of the gallery, not ${size}`);
      for (const q of queries.slice(0, 10)) await index.search(q, { modelIds: ['gallery'], limit: opts.limit }); // warm-up (JIT)
      const times: number[] = [];
      for (const q of queries) {
        t = performance.now();
        const hits = await index.search(q, { modelIds: ['gallery'], limit: opts.limit });
        times.push(performance.now() - t);
        if (hits.length !== Math.min(opts.limit, size) || hits.some((h) => h.payload.modelId !== 'gallery')) throw new Error('search answered outside the gallery');
      }
      await index.close();
      const sorted = [...times].sort((a, b) => a - b);
      rows.push({
        vectors: size,
        dimension: opts.dimension,
        loadMs: round(loadMs),
        reopenMs: round(reopenMs),
        msPerQuery: round(times.reduce((a, b) => a + b, 0) / times.length, 3),
        p50Ms: round(percentile(sorted, 0.5), 3),
        p95Ms: round(percentile(sorted, 0.95), 3),
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return rows;
}

function round(x: number, digits = 1): number {
  return +x.toFixed(digits);
}

export async function benchSearchCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '1000,10000,13000,100000' },
      queries: { type: 'string', default: '200' },
      limit: { type: 'string', default: '16' },
      dimension: { type: 'string', default: '512' },
    },
  });
  const sizes = values.sizes.split(',').map((s) => parseIntOption('sizes', s.trim()));
  const queries = parseIntOption('queries', values.queries);
  const limit = parseIntOption('limit', values.limit);
  const dimension = parseIntOption('dimension', values.dimension);
  if (sizes.some((s) => s < 1) || queries < 1 || limit < 1 || dimension < 1) throw new UsageError('--sizes, --queries, --limit and --dimension must be positive');
  const cpu = cpus();
  console.log(`# facerec bench search\n\nCPU: ${cpu[0]?.model.trim()}, ${cpu.length} cores (the index runs on 1 thread); load average at start ${loadavg()[0]!.toFixed(2)}.`);
  console.log(`Embedded vector index, random ${dimension}-d unit vectors; top-${limit} exact search restricted to one model (another model of 1000 vectors beside it), ${queries} queries per size; load = one bulk upsert into SQLite + memory.\n`);
  const rows = await benchSearch({ sizes, queries, limit, dimension });
  console.log('| vectors | dim | ms / query (mean) | p50 | p95 | load (bulk upsert) ms | reopen ms |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.vectors} | ${r.dimension} | ${r.msPerQuery} | ${r.p50Ms} | ${r.p95Ms} | ${r.loadMs} | ${r.reopenMs} |`);
  console.log('');
  console.log(JSON.stringify({ bench: 'search', index: 'embedded', threads: 1, limit, queries, rows }));
}

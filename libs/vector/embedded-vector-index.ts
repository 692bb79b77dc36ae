// The VectorIndex of the embedded product: exact search over every point in memory, persisted in
// SQLite. Galleries of the embedded product hold thousands of faces, not millions, so a linear
// scan of the asked models is fast and has no recall loss.
import { openSqlite, type SqliteDatabase } from '../store/sqlite.js';
import type { VectorHit, VectorIndex, VectorPayload, VectorPoint } from './vector-index.js';

interface StoredPoint {
  id: string;
  identityId: string;
  vector: Float32Array;
}

interface PointRow {
  id: string;
  model_id: string;
  identity_id: string;
  vector: Buffer;
}

export class EmbeddedVectorIndex implements VectorIndex {
  /** modelId -> id -> point: a search only touches the models it asks for. */
  private readonly models = new Map<string, Map<string, StoredPoint>>();
  /** id -> modelId, to find a point whatever its model. */
  private readonly modelOf = new Map<string, string>();
  private dimension: number | undefined;

  private constructor(private readonly db: SqliteDatabase) {}

  /** Opens (creating if needed) the index at `path` (':memory:' for none) and loads every point. */
  static async open(path: string): Promise<EmbeddedVectorIndex> {
    const db = openSqlite(path);
    db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS points (
        id TEXT PRIMARY KEY,
        model_id TEXT NOT NULL,
        identity_id TEXT NOT NULL,
        vector BLOB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS points_model ON points (model_id);
      CREATE INDEX IF NOT EXISTS points_identity ON points (identity_id);
    `);
    const index = new EmbeddedVectorIndex(db);
    const dimension = db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'dimension'`).get();
    if (dimension) index.dimension = Number(dimension.value);
    for (const row of db.prepare<[], PointRow>('SELECT id, model_id, identity_id, vector FROM points').iterate()) {
      // A copy: the row's Buffer may share (and misalign) a larger allocation.
      const vector = new Float32Array(row.vector.buffer.slice(row.vector.byteOffset, row.vector.byteOffset + row.vector.byteLength));
      index.put(row.model_id, { id: row.id, identityId: row.identity_id, vector });
    }
    return index;
  }

  async init(dimension: number): Promise<void> {
    if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`invalid vector dimension ${dimension}`);
    if (this.dimension === undefined) {
      this.db.prepare(`INSERT INTO meta (key, value) VALUES ('dimension', ?)`).run(String(dimension));
      this.dimension = dimension;
    } else if (this.dimension !== dimension) {
      throw new Error(`the vector index holds vectors of dimension ${this.dimension}, not ${dimension}`);
    }
  }

  async upsert(points: readonly VectorPoint[]): Promise<void> {
    const stored = points.map((p) => ({ modelId: p.payload.modelId, point: { id: p.id, identityId: p.payload.identityId, vector: this.checked(p.vector) } }));
    const insert = this.db.prepare(
      `INSERT INTO points (id, model_id, identity_id, vector) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET model_id = excluded.model_id, identity_id = excluded.identity_id, vector = excluded.vector`,
    );
    this.db.transaction(() => {
      for (const { modelId, point } of stored) {
        insert.run(point.id, modelId, point.identityId, Buffer.from(point.vector.buffer, point.vector.byteOffset, point.vector.byteLength));
      }
    })();
    for (const { modelId, point } of stored) {
      this.remove(point.id);
      this.put(modelId, point);
    }
  }

  async delete(selector: { ids: readonly string[] } | { identityId: string } | { modelId: string }): Promise<void> {
    if ('ids' in selector) {
      const del = this.db.prepare('DELETE FROM points WHERE id = ?');
      this.db.transaction(() => selector.ids.forEach((id) => del.run(id)))();
      for (const id of selector.ids) this.remove(id);
    } else if ('identityId' in selector) {
      this.db.prepare('DELETE FROM points WHERE identity_id = ?').run(selector.identityId);
      for (const points of this.models.values()) {
        for (const point of points.values()) if (point.identityId === selector.identityId) this.remove(point.id);
      }
    } else {
      this.db.prepare('DELETE FROM points WHERE model_id = ?').run(selector.modelId);
      for (const id of this.models.get(selector.modelId)?.keys() ?? []) this.modelOf.delete(id);
      this.models.delete(selector.modelId);
    }
  }

  async search(vector: readonly number[] | Float32Array, opts: { modelIds: readonly string[]; limit: number }): Promise<VectorHit[]> {
    const query = this.checked(vector);
    const top = new TopK<{ point: StoredPoint; modelId: string }>(opts.limit);
    for (const modelId of new Set(opts.modelIds)) {
      for (const point of this.models.get(modelId)?.values() ?? []) {
        top.offer(squaredL2(query, point.vector), { point, modelId });
      }
    }
    return top.sorted().map(({ score, item }) => ({
      id: item.point.id,
      distance: Math.sqrt(score),
      payload: { modelId: item.modelId, identityId: item.point.identityId } satisfies VectorPayload,
    }));
  }

  async count(modelIds?: readonly string[]): Promise<number> {
    if (!modelIds) return this.modelOf.size;
    let n = 0;
    for (const modelId of new Set(modelIds)) n += this.models.get(modelId)?.size ?? 0;
    return n;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private checked(vector: readonly number[] | Float32Array): Float32Array {
    if (this.dimension === undefined) throw new Error('the vector index is not initialised (init(dimension) first)');
    if (vector.length !== this.dimension) throw new Error(`vector of dimension ${vector.length}; the index holds ${this.dimension}`);
    return Float32Array.from(vector);
  }

  private put(modelId: string, point: StoredPoint): void {
    let points = this.models.get(modelId);
    if (!points) this.models.set(modelId, (points = new Map()));
    points.set(point.id, point);
    this.modelOf.set(point.id, modelId);
  }

  private remove(id: string): void {
    const modelId = this.modelOf.get(id);
    if (modelId === undefined) return;
    this.modelOf.delete(id);
    const points = this.models.get(modelId);
    points?.delete(id);
    if (points?.size === 0) this.models.delete(modelId);
  }
}

function squaredL2(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return sum;
}

/** The `k` smallest scores offered: a max-heap of size k, so a scan costs O(n log k). */
class TopK<T> {
  private readonly heap: { score: number; item: T }[] = [];

  constructor(private readonly k: number) {}

  offer(score: number, item: T): void {
    const heap = this.heap;
    if (heap.length < this.k) {
      heap.push({ score, item });
      this.up(heap.length - 1);
    } else if (this.k > 0 && score < heap[0]!.score) {
      heap[0] = { score, item };
      this.down(0);
    }
  }

  /** Smallest score first. */
  sorted(): { score: number; item: T }[] {
    return [...this.heap].sort((a, b) => a.score - b.score);
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.score >= heap[i]!.score) return;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < heap.length && heap[left]!.score > heap[largest]!.score) largest = left;
      if (right < heap.length && heap[right]!.score > heap[largest]!.score) largest = right;
      if (largest === i) return;
      [heap[largest], heap[i]] = [heap[i]!, heap[largest]!];
      i = largest;
    }
  }
}

// The VectorIndex of the embedded product: exact search over every point in memory, persisted in
// SQLite. Galleries of the embedded product hold thousands of faces, not millions, so a linear
// scan of the asked models is fast and has no recall loss.
import { openSqlite, type SqliteDatabase } from '../store/sqlite.js';
import type { VectorHit, VectorIndex, VectorPayload, VectorPoint } from './vector-index.js';

/**
 * A WebAssembly kernel (SIMD, 4 lanes of f32): l2(query, from, to, stride, out) writes, for each
 * vector of `stride` bytes between byte offsets `from` and `to` of its memory, its squared Euclidean
 * distance to the vector at `query` as an f32 at `out`, `out + 4`, … Hand-assembled (no toolchain);
 * the text form:
 *   block  (br_if 0 (i32.ge_u from to))
 *     loop  acc := 0; j := 0
 *       loop  d := v128.load(query + j) - v128.load(from + j) (f32x4); acc += d * d; j += 16; br_if (j < stride)
 *       f32.store(out, sum of acc's lanes); out += 4; from += stride; br_if (from < to)
 */
const L2_KERNEL = wasmModule(
  [0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00], // type: (i32 × 5) → ()
  [
    [0x02, 0x02, 0x7f, 0x02, 0x7b], // locals 5, 6: i32; 7 (acc), 8 (d): v128
    [0x02, 0x40, 0x20, 0x01, 0x20, 0x02, 0x4f, 0x0d, 0x00],
    [0x03, 0x40, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x21, 0x07, 0x41, 0x00, 0x21, 0x06],
    [0x03, 0x40, 0x20, 0x00, 0x20, 0x06, 0x6a, 0xfd, 0x00, 0x00, 0x00, 0x20, 0x01, 0x20, 0x06, 0x6a, 0xfd, 0x00, 0x00, 0x00],
    [0xfd, 0xe5, 0x01, 0x22, 0x08, 0x20, 0x08, 0xfd, 0xe6, 0x01, 0x20, 0x07, 0xfd, 0xe4, 0x01, 0x21, 0x07],
    [0x20, 0x06, 0x41, 0x10, 0x6a, 0x22, 0x06, 0x20, 0x03, 0x49, 0x0d, 0x00, 0x0b],
    [0x20, 0x04, 0x20, 0x07, 0xfd, 0x1f, 0x00, 0x20, 0x07, 0xfd, 0x1f, 0x01, 0x92, 0x20, 0x07, 0xfd, 0x1f, 0x02, 0x92, 0x20, 0x07, 0xfd, 0x1f, 0x03, 0x92, 0x38, 0x02, 0x00],
    [0x20, 0x04, 0x41, 0x04, 0x6a, 0x21, 0x04, 0x20, 0x01, 0x20, 0x03, 0x6a, 0x22, 0x01, 0x20, 0x02, 0x49, 0x0d, 0x00, 0x0b, 0x0b, 0x0b],
  ].flat(),
);

/** Whether searches run the SIMD kernel (else the JavaScript loop, as for a dimension not a multiple of 4). */
export const SIMD_SEARCH = L2_KERNEL !== null;

type L2Kernel = (query: number, from: number, to: number, stride: number, out: number) => void;

/** A module of one function `l2` of type `type` with `body`, and its own memory `mem` (exported). */
function wasmModule(type: number[], body: number[]): WebAssembly.Module | null {
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  const bytes = [
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    section(1, [0x01, ...type]),
    section(3, [0x01, 0x00]),
    section(5, [0x01, 0x00, 0x01]),
    section(7, [0x02, 0x02, 0x6c, 0x32, 0x00, 0x00, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00]),
    section(10, [0x01, ...uleb(body.length), ...body]),
  ].flat();
  try {
    return new WebAssembly.Module(new Uint8Array(bytes));
  } catch {
    return null; // no WebAssembly SIMD here: the JavaScript loop does it
  }
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

/** Squared distances within this relative margin of the k-th smallest f32 one are recomputed in doubles. */
const F32_MARGIN = 1e-3;

/**
 * The points of one model, their vectors back to back in one Float32Array (slot i at i * dimension),
 * so a search reads memory in order and allocates nothing per point. Removal moves the last slot
 * into the freed one. With WebAssembly SIMD, the array lives in the kernel's memory, followed by
 * room for the query and the distances.
 */
class ModelPoints {
  ids: string[] = [];
  identityIds: string[] = [];
  vectors: Float32Array;
  private capacity = 64;
  private readonly slotOf = new Map<string, number>();
  private readonly kernel: { memory: WebAssembly.Memory; l2: L2Kernel } | null;

  constructor(readonly dimension: number) {
    if (L2_KERNEL && dimension % 4 === 0) {
      const { exports } = new WebAssembly.Instance(L2_KERNEL);
      this.kernel = { memory: exports.mem as WebAssembly.Memory, l2: exports.l2 as L2Kernel };
      this.vectors = this.reserve(this.capacity);
    } else {
      this.kernel = null;
      this.vectors = new Float32Array(dimension * this.capacity);
    }
  }

  /** With the kernel: grows its memory to hold `capacity` vectors, the query and the distances; the view of the vectors. */
  private reserve(capacity: number): Float32Array {
    const memory = this.kernel!.memory;
    const bytes = (capacity * (this.dimension + 1) + this.dimension) * 4;
    if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    return new Float32Array(memory.buffer, 0, capacity * this.dimension);
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  keys(): IterableIterator<string> {
    return this.slotOf.keys();
  }

  put(id: string, identityId: string, vector: Float32Array): void {
    let slot = this.slotOf.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      if (slot === this.capacity) {
        this.capacity *= 2;
        if (this.kernel) {
          this.vectors = this.reserve(this.capacity); // the vectors stay where they are; the view is renewed
        } else {
          const grown = new Float32Array(this.capacity * this.dimension);
          grown.set(this.vectors);
          this.vectors = grown;
        }
      }
      this.ids.push(id);
      this.identityIds.push(identityId);
      this.slotOf.set(id, slot);
    } else {
      this.identityIds[slot] = identityId;
    }
    this.vectors.set(vector, slot * this.dimension);
  }

  remove(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    const last = this.ids.length - 1;
    if (slot !== last) {
      const lastId = this.ids[last]!;
      this.ids[slot] = lastId;
      this.identityIds[slot] = this.identityIds[last]!;
      this.vectors.copyWithin(slot * this.dimension, last * this.dimension, (last + 1) * this.dimension);
      this.slotOf.set(lastId, slot);
    }
    this.ids.pop();
    this.identityIds.pop();
    this.slotOf.delete(id);
  }

  /**
   * The `limit` nearest slots with their squared distances to `query`, computed in doubles. The
   * kernel's f32 distances only choose which to compute: every slot within F32_MARGIN of the
   * limit-th smallest (far above f32's rounding error), so the answer is that of a full scan in doubles.
   */
  nearest(query: Float32Array, limit: number): { score: number; item: number }[] {
    const { vectors, dimension } = this;
    const n = this.ids.length;
    const top = new TopK<number>(limit);
    if (!this.kernel || n === 0) {
      for (let slot = 0, at = 0; slot < n; slot++, at += dimension) top.offer(squaredL2At(query, vectors, at, dimension), slot);
      return top.sorted();
    }
    const stride = dimension * 4;
    const queryAt = this.capacity * stride;
    const outAt = queryAt + stride;
    new Float32Array(this.kernel.memory.buffer, queryAt, dimension).set(query);
    this.kernel.l2(queryAt, 0, n * stride, stride, outAt);
    const rough = new Float32Array(this.kernel.memory.buffer, outAt, n);
    const screen = new TopK<number>(limit);
    for (let slot = 0; slot < n; slot++) screen.offer(rough[slot]!, slot);
    const bound = screen.worst() * (1 + F32_MARGIN) + 1e-9;
    for (let slot = 0; slot < n; slot++) {
      if (rough[slot]! <= bound) top.offer(squaredL2At(query, vectors, slot * dimension, dimension), slot);
    }
    return top.sorted();
  }
}

interface PointRow {
  id: string;
  model_id: string;
  identity_id: string;
  vector: Buffer;
}

export class EmbeddedVectorIndex implements VectorIndex {
  /** modelId -> its points: a search only touches the models it asks for. */
  private readonly models = new Map<string, ModelPoints>();
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
      index.put(row.model_id, row.id, row.identity_id, vector);
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
    // One transaction for the whole batch: a gallery of thousands loads in one commit.
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
      if (this.modelOf.get(point.id) !== modelId) this.remove(point.id);
      this.put(modelId, point.id, point.identityId, point.vector);
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
        const ids = points.ids.filter((_, slot) => points.identityIds[slot] === selector.identityId);
        for (const id of ids) this.remove(id);
      }
    } else {
      this.db.prepare('DELETE FROM points WHERE model_id = ?').run(selector.modelId);
      for (const id of this.models.get(selector.modelId)?.keys() ?? []) this.modelOf.delete(id);
      this.models.delete(selector.modelId);
    }
  }

  async search(vector: readonly number[] | Float32Array, opts: { modelIds: readonly string[]; limit: number }): Promise<VectorHit[]> {
    const query = this.checked(vector);
    const hits: VectorHit[] = [];
    for (const modelId of new Set(opts.modelIds)) {
      const points = this.models.get(modelId);
      if (!points) continue;
      for (const { score, item: slot } of points.nearest(query, opts.limit)) {
        hits.push({ id: points.ids[slot]!, distance: Math.sqrt(score), payload: { modelId, identityId: points.identityIds[slot]! } satisfies VectorPayload });
      }
    }
    // Each model's k nearest, merged: the k nearest of all.
    return hits.sort((a, b) => a.distance - b.distance).slice(0, opts.limit);
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

  private put(modelId: string, id: string, identityId: string, vector: Float32Array): void {
    let points = this.models.get(modelId);
    if (!points) this.models.set(modelId, (points = new ModelPoints(vector.length)));
    points.put(id, identityId, vector);
    this.modelOf.set(id, modelId);
  }

  private remove(id: string): void {
    const modelId = this.modelOf.get(id);
    if (modelId === undefined) return;
    this.modelOf.delete(id);
    const points = this.models.get(modelId);
    points?.remove(id);
    if (points?.size === 0) this.models.delete(modelId);
  }
}

/** Squared Euclidean distance between `a` and the `dimension` values of `data` from `at`; four sums for instruction-level parallelism. */
function squaredL2At(a: Float32Array, data: Float32Array, at: number, dimension: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < dimension; i += 4) {
    const d0 = a[i]! - data[at + i]!;
    const d1 = a[i + 1]! - data[at + i + 1]!;
    const d2 = a[i + 2]! - data[at + i + 2]!;
    const d3 = a[i + 3]! - data[at + i + 3]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < dimension; i++) {
    const d = a[i]! - data[at + i]!;
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
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

  /** The largest score kept (Infinity while none is). */
  worst(): number {
    return this.heap.length > 0 ? this.heap[0]!.score : Infinity;
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

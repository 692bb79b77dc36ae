// The VectorIndex of the embedded product: exact search over every point in memory, persisted in
// SQLite. Galleries of the embedded product hold thousands of faces, not millions, so a linear
// scan of the asked models is fast and has no recall loss.
import { blobToVector, openSqlite, type SqliteDatabase, vectorToBlob } from '../store/sqlite.js';
import type { VectorHit, VectorIndex, VectorPayload, VectorPoint } from './vector-index.js';

/**
 * A WebAssembly kernel (SIMD): dot8(query, from, to, stride, out) writes, for each vector of
 * `stride` int8 codes between byte offsets `from` and `to` of its memory, its dot product with the
 * int16 codes at `query` as an i32 at `out`, `out + 4`, … Hand-assembled (no toolchain); the text form:
 *   block  (br_if 0 (i32.ge_u from to))
 *     loop  acc := 0; j := 0
 *       loop  c := v128.load(from + j)
 *             acc += i32x4.dot_i16x8_s(extend_low_s(c), v128.load(query + 2j))
 *             acc += i32x4.dot_i16x8_s(extend_high_s(c), v128.load(query + 2j + 16))
 *             j += 16; br_if (j < stride)
 *       i32.store(out, sum of acc's lanes); out += 4; from += stride; br_if (from < to)
 */
const DOT8_KERNEL = wasmModule(
  [0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00], // type: (i32 × 5) → ()
  [
    [0x02, 0x01, 0x7f, 0x02, 0x7b], // locals 5 (j): i32; 6 (acc), 7 (c): v128
    [0x02, 0x40, 0x20, 0x01, 0x20, 0x02, 0x4f, 0x0d, 0x00],
    [0x03, 0x40, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x21, 0x06, 0x41, 0x00, 0x21, 0x05],
    [0x03, 0x40, 0x20, 0x01, 0x20, 0x05, 0x6a, 0xfd, 0x00, 0x00, 0x00, 0x21, 0x07],
    [0x20, 0x07, 0xfd, 0x87, 0x01, 0x20, 0x00, 0x20, 0x05, 0x41, 0x01, 0x74, 0x6a, 0xfd, 0x00, 0x00, 0x00, 0xfd, 0xba, 0x01, 0x20, 0x06, 0xfd, 0xae, 0x01, 0x21, 0x06],
    [0x20, 0x07, 0xfd, 0x88, 0x01, 0x20, 0x00, 0x20, 0x05, 0x41, 0x01, 0x74, 0x6a, 0xfd, 0x00, 0x00, 0x10, 0xfd, 0xba, 0x01, 0x20, 0x06, 0xfd, 0xae, 0x01, 0x21, 0x06],
    [0x20, 0x05, 0x41, 0x10, 0x6a, 0x22, 0x05, 0x20, 0x03, 0x49, 0x0d, 0x00, 0x0b],
    [0x20, 0x04, 0x20, 0x06, 0xfd, 0x1b, 0x00, 0x20, 0x06, 0xfd, 0x1b, 0x01, 0x6a, 0x20, 0x06, 0xfd, 0x1b, 0x02, 0x6a, 0x20, 0x06, 0xfd, 0x1b, 0x03, 0x6a, 0x36, 0x02, 0x00],
    [0x20, 0x04, 0x41, 0x04, 0x6a, 0x21, 0x04, 0x20, 0x01, 0x20, 0x03, 0x6a, 0x22, 0x01, 0x20, 0x02, 0x49, 0x0d, 0x00, 0x0b, 0x0b, 0x0b],
  ].flat(),
);

/** Whether searches screen with the SIMD kernel (else the JavaScript loop, as for a dimension not a multiple of 16). */
export const SIMD_SEARCH = DOT8_KERNEL !== null;

type Dot8Kernel = (query: number, from: number, to: number, stride: number, out: number) => void;

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

/** Largest query code: 128 products of ±QUERY_LEVELS × ±127 per lane stay in an i32 up to 16 384 dimensions. */
const QUERY_LEVELS = 1023;

/**
 * The points of one model, their vectors back to back in one Float32Array (slot i at i * dimension),
 * so a search reads memory in order and allocates nothing per point. Removal moves the last slot
 * into the freed one.
 *
 * With WebAssembly SIMD, each vector also has int8 codes (v ≈ scale · codes) in the kernel's
 * memory, a quarter of the bytes to stream. A search computes every distance between the
 * quantised query and quantised vectors, which lies within errQuery + errVector of the true one
 * (triangle inequality; both errors are known exactly), keeps each slot whose lower bound is not
 * above the k-th smallest upper bound, and computes those in doubles from the float vectors: the
 * answer is that of a full scan in doubles.
 */
class ModelPoints {
  ids: string[] = [];
  identityIds: string[] = [];
  vectors: Float32Array;
  private capacity = 64;
  private readonly slotOf = new Map<string, number>();
  private readonly kernel: { memory: WebAssembly.Memory; dot8: Dot8Kernel } | null;
  /** Per slot: the codes' scale, the squared norm of scale · codes, and ‖v − scale · codes‖. */
  private scale = new Float64Array(0);
  private norm2 = new Float64Array(0);
  private err = new Float64Array(0);
  /** Per slot, a search's distance between quantised vectors: one array for every search (a long video's thousands of searches each made one the size of the gallery). */
  private rough = new Float64Array(0);

  constructor(readonly dimension: number) {
    this.vectors = new Float32Array(dimension * this.capacity);
    if (DOT8_KERNEL && dimension % 16 === 0) {
      const { exports } = new WebAssembly.Instance(DOT8_KERNEL);
      this.kernel = { memory: exports.mem as WebAssembly.Memory, dot8: exports.l2 as Dot8Kernel };
      this.reserve();
    } else {
      this.kernel = null;
    }
  }

  /** With the kernel: room for `capacity` codes, the query codes and the dot products, and the per-slot numbers. */
  private reserve(): void {
    const memory = this.kernel!.memory;
    const bytes = this.capacity * (this.dimension + 4) + this.dimension * 2;
    if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    for (const key of ['scale', 'norm2', 'err', 'rough'] as const) {
      const grown = new Float64Array(this.capacity);
      grown.set(this[key].subarray(0, Math.min(this[key].length, this.capacity)));
      this[key] = grown;
    }
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
        const grown = new Float32Array(this.capacity * this.dimension);
        grown.set(this.vectors);
        this.vectors = grown;
        if (this.kernel) this.reserve(); // the codes stay where they are (offset 0)
      }
      this.ids.push(id);
      this.identityIds.push(identityId);
      this.slotOf.set(id, slot);
    } else {
      this.identityIds[slot] = identityId;
    }
    this.vectors.set(vector, slot * this.dimension);
    if (this.kernel) this.encode(slot, vector);
  }

  /** The int8 codes of the vector of `slot`, with its scale, quantised norm and quantisation error. */
  private encode(slot: number, vector: Float32Array): void {
    const codes = new Int8Array(this.kernel!.memory.buffer, slot * this.dimension, this.dimension);
    let max = 0;
    for (let i = 0; i < vector.length; i++) max = Math.max(max, Math.abs(vector[i]!));
    const scale = max > 0 ? max / 127 : 1;
    let norm2 = 0;
    let err2 = 0;
    for (let i = 0; i < vector.length; i++) {
      const code = Math.round(vector[i]! / scale);
      codes[i] = code;
      norm2 += (code * scale) ** 2;
      err2 += (vector[i]! - code * scale) ** 2;
    }
    this.scale[slot] = scale;
    this.norm2[slot] = norm2;
    this.err[slot] = Math.sqrt(err2);
  }

  remove(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    const last = this.ids.length - 1;
    if (slot !== last) {
      const lastId = this.ids[last]!;
      this.ids[slot] = lastId;
      this.identityIds[slot] = this.identityIds[last]!;
      const d = this.dimension;
      this.vectors.copyWithin(slot * d, last * d, (last + 1) * d);
      if (this.kernel) {
        new Int8Array(this.kernel.memory.buffer).copyWithin(slot * d, last * d, (last + 1) * d);
        this.scale[slot] = this.scale[last]!;
        this.norm2[slot] = this.norm2[last]!;
        this.err[slot] = this.err[last]!;
      }
      this.slotOf.set(lastId, slot);
    }
    this.ids.pop();
    this.identityIds.pop();
    this.slotOf.delete(id);
  }

  /** The `limit` nearest slots with their squared distances to `query`, computed in doubles. */
  nearest(query: Float32Array, limit: number): { score: number; item: number }[] {
    const { vectors, dimension } = this;
    const n = this.ids.length;
    const top = new TopK(limit);
    if (!this.kernel || n <= limit) {
      for (let slot = 0, at = 0; slot < n; slot++, at += dimension) top.offer(squaredL2At(query, vectors, at, dimension), slot);
      return top.sorted();
    }
    // The query's int16 codes, scale and quantisation error.
    const queryAt = this.capacity * dimension;
    const outAt = queryAt + dimension * 2;
    const codes = new Int16Array(this.kernel.memory.buffer, queryAt, dimension);
    let max = 0;
    for (let i = 0; i < dimension; i++) max = Math.max(max, Math.abs(query[i]!));
    const qScale = max > 0 ? max / QUERY_LEVELS : 1;
    let qNorm2 = 0;
    let qErr2 = 0;
    for (let i = 0; i < dimension; i++) {
      const code = Math.round(query[i]! / qScale);
      codes[i] = code;
      qNorm2 += (code * qScale) ** 2;
      qErr2 += (query[i]! - code * qScale) ** 2;
    }
    const qErr = Math.sqrt(qErr2);
    this.kernel.dot8(queryAt, 0, n * dimension, dimension, outAt);
    const dots = new Int32Array(this.kernel.memory.buffer, outAt, n);
    // Distances between the quantised vectors, and how far the true ones can lie from them.
    const rough = this.rough;
    const upper = new TopK(limit);
    for (let slot = 0; slot < n; slot++) {
      const d = Math.sqrt(Math.max(0, qNorm2 + this.norm2[slot]! - 2 * qScale * this.scale[slot]! * dots[slot]!));
      rough[slot] = d;
      upper.offer(d + qErr + this.err[slot]!, slot);
    }
    // Rounding of the doubles above, far below the quantisation errors, with room to spare.
    const bound = upper.worst() * (1 + 1e-9) + 1e-9;
    for (let slot = 0; slot < n; slot++) {
      if (rough[slot]! - qErr - this.err[slot]! <= bound) top.offer(squaredL2At(query, vectors, slot * dimension, dimension), slot);
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
      const vector = blobToVector(row.vector);
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
        insert.run(point.id, modelId, point.identityId, vectorToBlob(point.vector));
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
    // Only read: a Float32Array query is used as it is (a long video's thousands of searches each copied theirs).
    const query = this.checked(vector, false);
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

  /** The vector as 32-bit floats, of the index's dimension: a copy, unless `copy` is false and it already is one. */
  private checked(vector: readonly number[] | Float32Array, copy = true): Float32Array {
    if (this.dimension === undefined) throw new Error('the vector index is not initialised (init(dimension) first)');
    if (vector.length !== this.dimension) throw new Error(`vector of dimension ${vector.length}; the index holds ${this.dimension}`);
    return !copy && vector instanceof Float32Array ? vector : Float32Array.from(vector);
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

/**
 * The `k` smallest scores offered, with their slots: a max-heap of size k, so a scan costs
 * O(n log k). Held in typed arrays: a search offers hundreds of scores that replace one another
 * (an object each made a long video's thousands of searches tens of MB of garbage).
 */
class TopK {
  private readonly scores: Float64Array;
  private readonly items: Int32Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.scores = new Float64Array(k);
    this.items = new Int32Array(k);
  }

  offer(score: number, item: number): void {
    if (this.size < this.k) {
      this.scores[this.size] = score;
      this.items[this.size] = item;
      this.up(this.size++);
    } else if (this.k > 0 && score < this.scores[0]!) {
      this.scores[0] = score;
      this.items[0] = item;
      this.down(0);
    }
  }

  /** The largest score kept (Infinity while none is). */
  worst(): number {
    return this.size > 0 ? this.scores[0]! : Infinity;
  }

  /** Smallest score first. */
  sorted(): { score: number; item: number }[] {
    return Array.from({ length: this.size }, (_, i) => ({ score: this.scores[i]!, item: this.items[i]! })).sort((a, b) => a.score - b.score);
  }

  private swap(i: number, j: number): void {
    const { scores, items } = this;
    const score = scores[i]!;
    scores[i] = scores[j]!;
    scores[j] = score;
    const item = items[i]!;
    items[i] = items[j]!;
    items[j] = item;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.scores[parent]! >= this.scores[i]!) return;
      this.swap(parent, i);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < this.size && this.scores[left]! > this.scores[largest]!) largest = left;
      if (right < this.size && this.scores[right]! > this.scores[largest]!) largest = right;
      if (largest === i) return;
      this.swap(largest, i);
      i = largest;
    }
  }
}

// The VectorIndex of the distributed product, on Qdrant. One collection holds every gallery's
// points; the payload's modelId (indexed) keeps a search within the asked galleries. With the
// 'Euclid' distance Qdrant's score is the Euclidean distance itself, lower is nearer.
import { QdrantClient } from '@qdrant/js-client-rest';
import type { VectorHit, VectorIndex, VectorPoint } from './vector-index.js';

export interface QdrantVectorIndexOptions {
  url: string;
  apiKey?: string;
  /** Default 'facerec_faces'. */
  collection?: string;
}

/** Points per upsert request: large galleries go in several bodies of a few MB at most. */
const UPSERT_BATCH = 512;

type Filter = { must: { key: string; match: { value: string } | { any: string[] } }[] };

export class QdrantVectorIndex implements VectorIndex {
  private readonly client: QdrantClient;
  private readonly collection: string;

  constructor(opts: QdrantVectorIndexOptions) {
    this.client = new QdrantClient({ url: opts.url, apiKey: opts.apiKey });
    this.collection = opts.collection ?? 'facerec_faces';
  }

  async init(dimension: number): Promise<void> {
    if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`invalid vector dimension ${dimension}`);
    if (!(await this.client.collectionExists(this.collection)).exists) {
      await this.client.createCollection(this.collection, { vectors: { size: dimension, distance: 'Euclid' } }).catch(async (err: unknown) => {
        // Another process may have created it meanwhile.
        if (!(await this.client.collectionExists(this.collection)).exists) throw err;
      });
    }
    const vectors = (await this.client.getCollection(this.collection)).config.params.vectors;
    const size = vectors && 'size' in vectors ? vectors.size : undefined;
    if (size !== dimension) throw new Error(`Qdrant collection ${this.collection} holds vectors of dimension ${size}, not ${dimension}`);
    // Creating an index that exists is a no-op.
    for (const field of ['modelId', 'identityId']) {
      await this.client.createPayloadIndex(this.collection, { field_name: field, field_schema: 'keyword', wait: true });
    }
  }

  async upsert(points: readonly VectorPoint[]): Promise<void> {
    for (let i = 0; i < points.length; i += UPSERT_BATCH) {
      await this.client.upsert(this.collection, {
        wait: true,
        points: points.slice(i, i + UPSERT_BATCH).map((p) => ({
          id: p.id,
          vector: Array.from(p.vector),
          payload: { modelId: p.payload.modelId, identityId: p.payload.identityId },
        })),
      });
    }
  }

  async delete(selector: { ids: readonly string[] } | { identityId: string } | { modelId: string }): Promise<void> {
    if ('ids' in selector) {
      if (selector.ids.length > 0) await this.client.delete(this.collection, { wait: true, points: [...selector.ids] });
    } else if ('identityId' in selector) {
      await this.client.delete(this.collection, { wait: true, filter: match('identityId', selector.identityId) });
    } else {
      await this.client.delete(this.collection, { wait: true, filter: match('modelId', selector.modelId) });
    }
  }

  async search(vector: readonly number[] | Float32Array, opts: { modelIds: readonly string[]; limit: number }): Promise<VectorHit[]> {
    if (opts.modelIds.length === 0 || opts.limit < 1) return [];
    const { points } = await this.client.query(this.collection, {
      query: Array.from(vector),
      filter: matchAny('modelId', opts.modelIds),
      limit: opts.limit,
      with_payload: true,
    });
    return points.map((p) => ({
      id: String(p.id),
      distance: p.score,
      payload: { modelId: String(p.payload?.modelId), identityId: String(p.payload?.identityId) },
    }));
  }

  async count(modelIds?: readonly string[]): Promise<number> {
    if (modelIds?.length === 0) return 0;
    const { count } = await this.client.count(this.collection, { exact: true, filter: modelIds && matchAny('modelId', modelIds) });
    return count;
  }

  /** Nothing to release: the client holds no connection between requests. */
  async close(): Promise<void> {}
}

function match(key: string, value: string): Filter {
  return { must: [{ key, match: { value } }] };
}

function matchAny(key: string, values: readonly string[]): Filter {
  return { must: [{ key, match: { any: [...values] } }] };
}

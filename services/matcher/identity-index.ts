// The identity index (SPEC §1 `index_unknowns`, §3): unknown persons of jobs get a persistent id.
// Metadata, crops and appearances live in the IdentityIndexStore; the samples' vectors in the
// galleries' VectorIndex under INDEX_MODEL_ID, so a search of the index is a gallery search.
// Naming an indexed identity moves its samples into a gallery (Galleries.addSamples): from then on
// that person is recognised through the gallery, and the index never hands out its id again.
import { randomUUID } from 'node:crypto';
import { euclidean } from '../../libs/engine/distance.js';
import {
  AlreadyNamedError,
  INDEX_MODEL_ID,
  type AppearanceRecord,
  type IdentityIndexStore,
  type IndexedIdentityRecord,
  type IndexSampleRecord,
} from '../../libs/gallery/identity-index.js';
import type { Page } from '../../libs/store/job-store.js';
import type { VectorIndex } from '../../libs/vector/vector-index.js';
import { Galleries, InvalidArgumentError, NotFoundError } from './galleries.js';

export { AlreadyNamedError };

export interface IdentityIndexOptions {
  /** A person joins an identity when its mean nearest-sample distance is ≤ this (contract scale). */
  matchDistance: number;
  /** Samples a new identity starts with, at most. */
  newIdentitySamples: number;
  /** Samples a matched person may add, at most. */
  samplesPerMatch: number;
  /** Samples an identity holds, at most. */
  maxSamples: number;
  /** An embedding this near (contract scale) to a kept sample adds nothing and is not kept. */
  diversityDistance: number;
  /** Appearances listed per identity, most recent first. */
  maxAppearancesListed: number;
}

export const IDENTITY_INDEX_DEFAULTS: IdentityIndexOptions = {
  matchDistance: 1.0,
  newIdentitySamples: 8,
  samplesPerMatch: 2,
  maxSamples: 24,
  diversityDistance: 0.3,
  maxAppearancesListed: 200,
};

/** Embeddings read per person, at most (the aggregator sends a few; more only costs time). */
const MAX_EMBEDDINGS_PER_PERSON = 32;
/** Vector hits per embedding: enough distinct identities to choose from. */
const SEARCH_LIMIT = 32;

export interface Appearance {
  jobId: string;
  source: string;
  resultIds: string[];
  frameStart: number;
  frameEnd: number;
}

export interface UnknownPerson {
  embeddings: Float32Array[];
  /** JPEG (may be empty). */
  thumbnail: Buffer;
  appearance: Appearance;
}

export interface IndexedIdentity extends IndexedIdentityRecord {
  /** Most recent first, at most `maxAppearancesListed`. */
  appearances: AppearanceRecord[];
}

export class IdentityIndex {
  private readonly opts: IdentityIndexOptions;
  /** Index writes one at a time: a person indexed twice at once must not become two identities. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: IdentityIndexStore,
    private readonly vectors: VectorIndex,
    private readonly galleries: Galleries,
    opts: Partial<IdentityIndexOptions> = {},
  ) {
    this.opts = { ...IDENTITY_INDEX_DEFAULTS, ...opts };
  }

  async init(): Promise<void> {
    await this.vectors.init(this.galleries.embedding.dimension);
    await this.syncVectors();
  }

  /**
   * Fills the vector index from the store when their counts disagree (a replica starting with an
   * empty embedded index beside an identity index in PostgreSQL): the samples of every unnamed
   * identity; named ones hold none. Resolves to the number of vectors reloaded (0: in step).
   */
  async syncVectors(): Promise<number> {
    const unnamed: IndexedIdentityRecord[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.store.list({ limit: 1000, offset, named: false });
      unnamed.push(...page.items);
      if (page.items.length < 1000) break;
    }
    const samples = unnamed.reduce((n, r) => n + r.sampleCount, 0);
    if ((await this.vectors.count([INDEX_MODEL_ID])) === samples) return 0;
    await this.vectors.delete({ modelId: INDEX_MODEL_ID });
    for (const record of unnamed) await this.reloadIdentityVectors(record.id);
    return samples;
  }

  /** Replaces one indexed identity's vectors with its samples from the store (none once named or deleted). */
  async reloadIdentityVectors(identityId: string): Promise<void> {
    const samples = await this.store.listSamples(identityId);
    await this.vectors.delete({ identityId });
    if (samples.length > 0) await this.vectors.upsert(samples.map((s) => ({ id: s.id, vector: s.embedding, payload: { modelId: INDEX_MODEL_ID, identityId } })));
  }

  /** Each person's indexed identity (matched or new), in order; `created` says which were new. */
  async indexPersons(persons: readonly UnknownPerson[]): Promise<{ id: string; created: boolean }[]> {
    for (const [i, person] of persons.entries()) {
      if (person.embeddings.length === 0) throw new InvalidArgumentError(`person ${i} has no embeddings`);
      for (const e of person.embeddings) this.checkEmbedding(e);
      const a = person.appearance;
      if (!a.jobId) throw new InvalidArgumentError(`person ${i} has no appearance.job_id`);
      if (a.frameEnd < a.frameStart) throw new InvalidArgumentError(`person ${i}: appearance.frame_end is before frame_start`);
    }
    return this.serial(async () => {
      const out: { id: string; created: boolean }[] = [];
      for (const person of persons) out.push(await this.indexOne(person));
      return out;
    });
  }

  async list(query: { limit: number; offset: number; named?: boolean }): Promise<Page<IndexedIdentity>> {
    const page = await this.store.list(query);
    return { total: page.total, items: await Promise.all(page.items.map((r) => this.withDetails(r))) };
  }

  async get(id: string): Promise<IndexedIdentity> {
    return this.withDetails(await this.record(id));
  }

  /**
   * Names an indexed identity: its samples go to the identity `name` of the model (created when
   * new, extended when it exists), and it is marked named. NotFoundError: no such indexed identity;
   * AlreadyNamedError: named before; InvalidArgumentError: no such model.
   */
  async name(id: string, name: string, modelRef: string): Promise<IndexedIdentity> {
    if (!name) throw new InvalidArgumentError('name is required');
    if (!modelRef) throw new InvalidArgumentError('model is required');
    return this.serial(async () => {
      const record = await this.record(id);
      if (record.named) throw new AlreadyNamedError(id, record.named.name);
      const model = await this.galleries.getModel(modelRef).catch((err: unknown) => {
        throw err instanceof NotFoundError ? new InvalidArgumentError(`no model "${modelRef}"`) : err;
      });
      const samples = await this.store.listSamples(id);
      const identity = await this.galleries.addSamples(
        model.id,
        name,
        samples.map((s) => ({ embedding: s.embedding, crop: s.crop, origin: `identity-index:${id}` })),
      );
      const named = await this.store.markNamed(id, { name, modelId: model.id, modelName: model.name, identityId: identity.id, at: new Date().toISOString() });
      if (!named) throw new NotFoundError(`no indexed identity ${id}`);
      // The samples now live in the gallery; their index vectors go (a leftover would be skipped: named).
      await this.vectors.delete({ ids: samples.map((s) => s.id) });
      return this.withDetails(named);
    });
  }

  /**
   * Erases an indexed identity: its vectors, samples (crops), thumbnail and appearances. Returns it
   * as it was, appearances included (they say which results showed it). A named identity's samples
   * live in its gallery identity, which this leaves alone. NotFoundError: no such indexed identity.
   */
  async delete(id: string): Promise<IndexedIdentity> {
    return this.serial(async () => {
      const before = await this.withDetails(await this.record(id));
      // Vectors first: should the rows' deletion fail, the identity is still listed and can be erased again.
      await this.vectors.delete({ identityId: id });
      if (!(await this.store.delete(id))) throw new NotFoundError(`no indexed identity ${id}`);
      return before;
    });
  }

  /**
   * The unnamed indexed identities a person's embeddings match (mean nearest-sample distance ≤
   * `maxDistance`, contract scale, default the index's own matchDistance), nearest first: whom an
   * erasure by photo finds in the index.
   */
  async find(embeddings: readonly Float32Array[], maxDistance = this.opts.matchDistance): Promise<{ id: string; distance: number }[]> {
    if (embeddings.length === 0) throw new InvalidArgumentError('no embeddings');
    for (const e of embeddings) this.checkEmbedding(e);
    const candidates = new Set<string>();
    for (const e of embeddings.slice(0, MAX_EMBEDDINGS_PER_PERSON)) {
      for (const hit of await this.vectors.search(e, { modelIds: [INDEX_MODEL_ID], limit: SEARCH_LIMIT })) candidates.add(hit.payload.identityId);
    }
    const found: { id: string; distance: number }[] = [];
    for (const id of candidates) {
      const record = await this.store.get(id);
      if (!record || record.named) continue;
      const samples = await this.store.listSamples(id);
      if (samples.length === 0) continue;
      let sum = 0;
      for (const e of embeddings) sum += Math.min(...samples.map((s) => this.distance(e, s.embedding)));
      const distance = sum / embeddings.length;
      if (distance <= maxDistance) found.push({ id, distance });
    }
    return found.sort((a, b) => a.distance - b.distance);
  }

  /**
   * The name of each id ('' while unnamed, or unknown), in order. A named identity shows its
   * gallery identity's current name (renames follow), or the name it was given if that is gone.
   */
  async resolve(ids: readonly string[]): Promise<{ id: string; name: string }[]> {
    const unique = [...new Set(ids)];
    const records = new Map<string, IndexedIdentityRecord>();
    for (const id of unique) {
      const record = await this.store.get(id);
      if (record) records.set(id, record);
    }
    const current = await this.galleries.identityNames([...records.values()].flatMap((r) => (r.named ? [r.named.identityId] : [])));
    return ids.map((id) => {
      const named = records.get(id)?.named;
      return { id, name: named ? (current.get(named.identityId) ?? named.name) : '' };
    });
  }

  private async indexOne(person: UnknownPerson): Promise<{ id: string; created: boolean }> {
    const embeddings = person.embeddings.slice(0, MAX_EMBEDDINGS_PER_PERSON);
    const match = await this.nearest(embeddings);
    if (match && match.distance <= this.opts.matchDistance) {
      const room = Math.max(0, this.opts.maxSamples - match.samples.length);
      const fresh = this.diverse(embeddings, match.samples.map((s) => s.embedding), Math.min(room, this.opts.samplesPerMatch));
      await this.addSamples(match.record.id, fresh, person.thumbnail);
      if (match.record.thumbnail.length === 0 && person.thumbnail.length > 0) await this.store.setThumbnail(match.record.id, person.thumbnail);
      await this.store.addAppearance(match.record.id, person.appearance);
      return { id: match.record.id, created: false };
    }
    const record = await this.store.create({ id: randomUUID(), thumbnail: person.thumbnail });
    await this.addSamples(record.id, this.diverse(embeddings, [], this.opts.newIdentitySamples), person.thumbnail);
    await this.store.addAppearance(record.id, person.appearance);
    return { id: record.id, created: true };
  }

  /**
   * The unnamed identity nearest to the person: for each identity found near any of its
   * embeddings, the mean over the embeddings of the distance to that identity's nearest sample.
   */
  private async nearest(embeddings: readonly Float32Array[]): Promise<{ record: IndexedIdentityRecord; samples: IndexSampleRecord[]; distance: number } | undefined> {
    const candidates = new Set<string>();
    for (const e of embeddings) {
      for (const hit of await this.vectors.search(e, { modelIds: [INDEX_MODEL_ID], limit: SEARCH_LIMIT })) candidates.add(hit.payload.identityId);
    }
    let best: { record: IndexedIdentityRecord; samples: IndexSampleRecord[]; distance: number } | undefined;
    for (const id of candidates) {
      const record = await this.store.get(id);
      if (!record || record.named) continue; // gone, or named meanwhile: its vectors are leftovers
      const samples = await this.store.listSamples(id);
      if (samples.length === 0) continue;
      let sum = 0;
      for (const e of embeddings) sum += Math.min(...samples.map((s) => this.distance(e, s.embedding)));
      const distance = sum / embeddings.length;
      if (!best || distance < best.distance) best = { record, samples, distance };
    }
    return best;
  }

  /** Up to `max` of `embeddings`, each farther than diversityDistance from `kept` and from each other. */
  private diverse(embeddings: readonly Float32Array[], kept: readonly Float32Array[], max: number): Float32Array[] {
    const chosen: Float32Array[] = [];
    const all = [...kept];
    for (const e of embeddings) {
      if (chosen.length >= max) break;
      if (all.some((k) => this.distance(e, k) <= this.opts.diversityDistance)) continue;
      chosen.push(e);
      all.push(e);
    }
    return chosen;
  }

  private async addSamples(identityId: string, embeddings: readonly Float32Array[], crop: Buffer): Promise<void> {
    if (embeddings.length === 0) return;
    const created = new Date().toISOString();
    const samples: IndexSampleRecord[] = embeddings.map((embedding) => ({ id: randomUUID(), identityId, embedding, crop, created }));
    await this.store.addSamples(samples);
    await this.vectors.upsert(samples.map((s) => ({ id: s.id, vector: s.embedding, payload: { modelId: INDEX_MODEL_ID, identityId } })));
  }

  private distance(a: Float32Array, b: Float32Array): number {
    return this.galleries.embedding.toContract(euclidean(a, b));
  }

  private async record(id: string): Promise<IndexedIdentityRecord> {
    const record = await this.store.get(id);
    if (!record) throw new NotFoundError(`no indexed identity ${id}`);
    return record;
  }

  private async withDetails(record: IndexedIdentityRecord): Promise<IndexedIdentity> {
    let named = record.named;
    if (named) {
      const current = (await this.galleries.identityNames([named.identityId])).get(named.identityId);
      if (current !== undefined) named = { ...named, name: current };
    }
    return { ...record, named, appearances: await this.store.listAppearances(record.id, this.opts.maxAppearancesListed) };
  }

  private checkEmbedding(v: Float32Array): void {
    const { name, dimension } = this.galleries.embedding;
    if (v.length !== dimension) throw new InvalidArgumentError(`an embedding has ${v.length} values; ${name} makes ${dimension}`);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

// Galleries ("models") of known people and matching against them. Metadata and face crops live in
// the GalleryStore, vectors in the VectorIndex; this class keeps the two in step.
import { randomUUID } from 'node:crypto';
import type { ArtefactSource } from '../../libs/gallery/artefact.js';
import type { GalleryStore, IdentityFilter, IdentityRecord, ModelRecord, ModelStats, SampleRecord } from '../../libs/gallery/gallery-store.js';
import type { Page } from '../../libs/store/job-store.js';
import type { VectorIndex } from '../../libs/vector/vector-index.js';
import type { Logger } from '../../libs/log/logger.js';
import { isReadOnlyGallery, readOnlyMessage } from '../../libs/gallery/read-only.js';

/** Vectors per upsert when an index is filled from the store: bounded requests for Qdrant. */
const VECTOR_BATCH = 1000;

/** The contract's default gallery: it always exists (SPEC §3). */
export const DEFAULT_MODEL = 'celebrities';

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export class InvalidArgumentError extends Error {
  override name = 'InvalidArgumentError';
}

/** A change to a read-only gallery (the pre-built default one, filled by its loader through the store). */
export class ReadOnlyModelError extends Error {
  override name = 'ReadOnlyModelError';
}

/** A gallery whose vectors were made by another embedder and are not (yet) re-embedded. */
export class GalleryNotReadyError extends Error {
  override name = 'GalleryNotReadyError';
}

/** The running embedder's embedding of a stored source crop, or why it has none. */
export type CropEmbedder = (crop: Buffer) => Promise<Float32Array | string>;

export interface EmbeddingModelInfo {
  /** Catalog name of the embedder whose vectors this matcher compares. */
  name: string;
  /** SHA-256 of its network file: a gallery remembers it, so vectors of another network are never mixed in. */
  sha256: string;
  dimension: number;
  /** The contract distance (0..2) for a raw Euclidean distance between two vectors (see libs/engine/calibration.ts). */
  toContract: (raw: number) => number;
}

export interface Candidate {
  identityId: string;
  person: string;
  modelId: string;
  /** Contract scale, 0..2. */
  distance: number;
}

/**
 * Two samples whose embeddings lie within this (raw Euclidean) distance are the same face: the same
 * file (distance 0), or the same photo re-encoded or rescaled (faceplugin-fr512, unit vectors: JPEG
 * quality 90 → 0.06, quality 70 → 0.14, 1080p → 720p 0.15). Two photos of one person lie well above
 * it (0.5 to 0.8 in the people gallery), as does a copy too small to add nothing (240p: 0.36).
 */
export const DUPLICATE_DISTANCE = 0.2;

/** A sample AddSamples left out: the identity already holds its face. */
export interface DuplicateSample {
  origin: string;
  message: string;
}

export interface NewSample {
  embedding: Float32Array;
  crop: Buffer;
  origin: string;
}

/** The export file: a gallery without its original photos (embeddings + aligned crops + names). */
export interface ModelExport {
  format: 'facerec-model';
  version: 1;
  embeddingModel: string;
  dimension: number;
  model: { name: string; description: string; created: string };
  identities: { name: string; created: string; samples: { embedding: string; crop: string; origin: string; created: string }[] }[];
}

export class Galleries {
  /** Models whose vectors another embedder made: why each is not searchable yet. */
  private readonly stale = new Map<string, string>();
  /** Models filled from a pre-built artefact: never re-embedded from crops. */
  private readonly prebuilt = new Set<string>();
  /** Pre-built models' sources, from their artefact. */
  private readonly sources = new Map<string, ArtefactSource[]>();

  constructor(
    private readonly store: GalleryStore,
    private readonly index: VectorIndex,
    readonly embedding: EmbeddingModelInfo,
  ) {}

  async init(): Promise<void> {
    await this.index.init(this.embedding.dimension);
    for (const model of await this.store.listModels()) {
      if (model.sampleCount > 0 && this.madeByOther(model)) {
        this.stale.set(model.id, `gallery "${model.name}" was made by ${describeEmbedder(model)} and is waiting to be re-embedded by ${this.embedding.name}`);
      } else if (this.madeByOther(model)) {
        await this.store.replaceEmbeddings(model.id, { model: this.embedding.name, sha256: this.embedding.sha256 }, new Map());
      }
    }
    await this.syncVectors();
    if (!(await this.store.findModel(DEFAULT_MODEL))) {
      await this.store
        .createModel({ id: randomUUID(), name: DEFAULT_MODEL, description: 'The pre-built default gallery, read-only through the API: its artefact (FACEREC_CELEBRITIES, made by `facerec celebrities build`) fills it at start', embeddingModel: this.embedding.name, embeddingSha256: this.embedding.sha256 })
        .catch(async (err: unknown) => {
          if (!(await this.store.findModel(DEFAULT_MODEL))) throw err; // lost a race with another matcher: fine
        });
    }
  }

  /**
   * Fills the vector index from the store where they disagree: a matcher replica starting with an
   * empty embedded index beside galleries in PostgreSQL, or an index that missed changes. A model
   * whose count of vectors equals its count of samples is taken as in step; stale models (another
   * embedder's vectors) are left out of the index until re-embedded.
   */
  async syncVectors(): Promise<{ model: string; vectors: number }[]> {
    const reloaded: { model: string; vectors: number }[] = [];
    for (const model of await this.store.listModels()) {
      if (this.stale.has(model.id) || this.madeByOther(model)) continue;
      if ((await this.index.count([model.id])) === model.sampleCount) continue;
      reloaded.push({ model: model.name, vectors: await this.reloadModelVectors(model.id) });
    }
    return reloaded;
  }

  /** Replaces the model's vectors in the index with its samples' embeddings from the store; the number of vectors. */
  async reloadModelVectors(modelId: string): Promise<number> {
    const samples = await this.store.listSamples({ modelId });
    const upsert = async () => {
      for (let i = 0; i < samples.length; i += VECTOR_BATCH) {
        await this.index.upsert(samples.slice(i, i + VECTOR_BATCH).map((s) => ({ id: s.id, vector: s.embedding, payload: { modelId, identityId: s.identityId } })));
      }
    };
    // Overwriting first leaves no moment without the model's vectors (a shared Qdrant is searched
    // by other replicas meanwhile); only vectors of samples gone since need the model emptied.
    await upsert();
    if ((await this.index.count([modelId])) !== samples.length) {
      await this.index.delete({ modelId });
      await upsert();
    }
    return samples.length;
  }

  /**
   * Another replica changed a whole gallery (deleted it, replaced its contents, re-embedded it):
   * its vectors are read again from the store, when they are the running embedder's; a gallery
   * another replica re-embedded into this embedder becomes searchable here too.
   */
  async modelChanged(modelId: string): Promise<void> {
    const model = await this.store.findModel(modelId);
    if (!model || model.id !== modelId) {
      await this.index.delete({ modelId });
      this.stale.delete(modelId);
      return;
    }
    if (this.madeByOther(model)) return; // stays out of matching until re-embedded
    await this.reloadModelVectors(modelId);
    if (!this.prebuilt.has(modelId)) this.stale.delete(modelId);
  }

  /** Replaces one identity's vectors with its samples' embeddings from the store (none when it is gone). */
  async reloadIdentityVectors(identityId: string): Promise<void> {
    const samples = await this.store.listSamples({ identityId });
    await this.index.delete({ identityId });
    if (samples.length > 0) await this.index.upsert(samples.map((s) => ({ id: s.id, vector: s.embedding, payload: { modelId: s.modelId, identityId } })));
  }

  async resolve(refs: readonly string[]): Promise<{ resolved: (ModelRecord & ModelStats & { ref: string })[]; unknown: string[] }> {
    const resolved: (ModelRecord & ModelStats & { ref: string })[] = [];
    const unknown: string[] = [];
    for (const ref of refs) {
      const model = await this.store.findModel(ref);
      if (model) resolved.push({ ...model, ...(await this.store.modelStats(model.id)), ref });
      else unknown.push(ref);
    }
    return { resolved, unknown };
  }

  /** Galleries waiting for (or refused) re-embedding, with the reason. */
  staleModels(): Map<string, string> {
    return new Map([...this.stale].filter(([id]) => !this.prebuilt.has(id)));
  }

  /**
   * A gallery filled from a pre-built artefact (celebrities) rather than from photos: it has no crops
   * to re-embed from. `reason` set: it is out of matching for that reason; undefined: it is ready.
   */
  setPrebuilt(modelId: string, reason: string | undefined): void {
    this.prebuilt.add(modelId);
    if (reason) this.stale.set(modelId, reason);
    else this.stale.delete(modelId);
  }

  /**
   * Re-embeds every gallery made by another embedder from its samples' stored source crops, one
   * gallery at a time. A gallery with a sample that cannot be re-embedded (no face found in its
   * crop) is left as it is and stays out of matching, with the reason logged: vectors of two
   * networks are never mixed.
   */
  async reembedStale(embedCrop: CropEmbedder, log: Logger, only?: string): Promise<{ model: string; samples: number; failed: string[] }[]> {
    const report: { model: string; samples: number; failed: string[] }[] = [];
    for (const listed of await this.store.listModels()) {
      if (!this.stale.has(listed.id) || this.prebuilt.has(listed.id) || (only && listed.id !== only && listed.name !== only)) continue;
      // One replica at a time per gallery: the others wait here (the gallery still refused there),
      // then find it done and load its new vectors rather than embedding every crop again.
      const done = await this.store.exclusive(`reembed:${listed.id}`, () => this.reembedOne(listed.id, embedCrop, log, !!only));
      if (done) report.push(done);
    }
    return report;
  }

  private async reembedOne(modelId: string, embedCrop: CropEmbedder, log: Logger, forced: boolean): Promise<{ model: string; samples: number; failed: string[] } | null> {
    const model = await this.store.findModel(modelId);
    if (!model || model.id !== modelId) {
      this.stale.delete(modelId);
      return null;
    }
    if (!forced && !this.madeByOther(model)) {
      const vectors = await this.reloadModelVectors(model.id);
      this.stale.delete(model.id);
      log.info({ model: model.name, vectors }, 'gallery re-embedded by another matcher replica: its vectors loaded');
      return { model: model.name, samples: 0, failed: [] };
    }
    const samples = await this.store.listSamples({ modelId: model.id });
    const started = performance.now();
    log.info({ model: model.name, samples: samples.length, from: describeEmbedder(model), to: this.embedding.name }, 're-embedding gallery');
    const embeddings = new Map<string, Float32Array>();
    const failed: string[] = [];
    for (const [i, s] of samples.entries()) {
      const e = await embedCrop(s.crop);
      if (typeof e === 'string') failed.push(`${s.origin || s.id}: ${e}`);
      else embeddings.set(s.id, e);
      if ((i + 1) % 100 === 0) log.info({ model: model.name, done: i + 1, of: samples.length }, 're-embedding gallery');
    }
    if (failed.length > 0) {
      const reason = `gallery "${model.name}" was made by ${describeEmbedder(model)} and ${failed.length} of its ${samples.length} samples cannot be re-embedded by ${this.embedding.name} (${failed.slice(0, 3).join('; ')}${failed.length > 3 ? '; …' : ''}): re-add those people's photos, or delete them`;
      log.error({ model: model.name, failed }, reason);
      // Its vectors stay as they were: still usable when they are the running embedder's.
      if (this.madeByOther(model)) this.stale.set(model.id, reason);
      else this.stale.delete(model.id);
    } else {
      await this.index.delete({ modelId: model.id });
      await this.store.replaceEmbeddings(model.id, { model: this.embedding.name, sha256: this.embedding.sha256 }, embeddings);
      await this.index.upsert(samples.map((s) => ({ id: s.id, vector: embeddings.get(s.id)!, payload: { modelId: model.id, identityId: s.identityId } })));
      this.stale.delete(model.id);
      log.info({ model: model.name, samples: samples.length, seconds: +((performance.now() - started) / 1000).toFixed(1) }, 'gallery re-embedded');
    }
    return { model: model.name, samples: samples.length, failed };
  }

  /** Re-embeds one gallery now (whoever made its vectors), as at start for a gallery of another embedder. */
  async reembedModel(ref: string, embedCrop: CropEmbedder, log: Logger): Promise<{ model: string; samples: number; failed: string[] }> {
    const model = await this.model(ref);
    writable(model);
    const before = this.stale.get(model.id);
    this.stale.set(model.id, `gallery "${model.name}" is being re-embedded by ${this.embedding.name}`);
    const [report] = await this.reembedStale(embedCrop, log, model.id).catch((err: unknown) => {
      // A failure to reach the detector or embedder leaves the gallery as it was.
      if (before) this.stale.set(model.id, before);
      else this.stale.delete(model.id);
      throw err;
    });
    return report ?? { model: model.name, samples: 0, failed: [] };
  }

  private madeByOther(model: ModelRecord): boolean {
    return model.embeddingModel !== this.embedding.name || (!!model.embeddingSha256 && model.embeddingSha256 !== this.embedding.sha256);
  }

  private ready(model: ModelRecord): void {
    const reason = this.stale.get(model.id);
    if (reason) throw new GalleryNotReadyError(reason);
  }

  async createModel(name: string, description: string): Promise<ModelRecord & ModelStats> {
    const model = await this.store.createModel({ id: randomUUID(), name, description, embeddingModel: this.embedding.name, embeddingSha256: this.embedding.sha256 });
    return { ...model, identityCount: 0, sampleCount: 0 };
  }

  listModels(): Promise<(ModelRecord & ModelStats)[]> {
    return this.store.listModels();
  }

  async getModel(ref: string): Promise<ModelRecord & ModelStats> {
    const model = await this.model(ref);
    return { ...model, ...(await this.store.modelStats(model.id)) };
  }

  async deleteModel(ref: string): Promise<boolean> {
    const model = await this.model(ref);
    writable(model);
    await this.index.delete({ modelId: model.id });
    return this.store.deleteModel(model.id);
  }

  /**
   * Adds samples to the model's identity called `name`, creating it when new. With `skipDuplicates`
   * (photos added through the API: AddSamples), a sample whose face the identity already holds (or
   * an earlier sample of the same call holds), within DUPLICATE_DISTANCE, is not added: it comes
   * back in `duplicates` with the sample it repeats. Moves of samples (naming an indexed person,
   * importing an export) keep every sample.
   */
  async addSamples(
    ref: string,
    name: string,
    samples: readonly NewSample[],
    opts: { skipDuplicates?: boolean } = {},
  ): Promise<IdentityRecord & { duplicates: DuplicateSample[] }> {
    const model = await this.model(ref);
    writable(model);
    this.ready(model);
    for (const s of samples) this.checkEmbedding(s.embedding);
    const existing = await this.store.findIdentityByName(model.id, name);
    const held: { embedding: Float32Array; origin: string }[] = existing && opts.skipDuplicates ? await this.store.listSamples({ identityId: existing.id }) : [];
    const fresh: NewSample[] = [];
    const duplicates: DuplicateSample[] = [];
    for (const s of samples) {
      const same = opts.skipDuplicates ? nearestWithin(s.embedding, held, DUPLICATE_DISTANCE) : null;
      if (same) {
        const where = held.indexOf(same.sample) < held.length - fresh.length ? `${name} already holds` : 'an earlier photo of this request is';
        duplicates.push({ origin: s.origin, message: `the same face as ${same.sample.origin || 'a sample'}: ${where} it (distance ${same.distance.toFixed(3)} ≤ ${DUPLICATE_DISTANCE})` });
        continue;
      }
      fresh.push(s);
      held.push(s);
    }
    if (fresh.length === 0 && existing) return { ...(await this.store.getIdentity(existing.id))!, duplicates };
    const identity = existing ?? (await this.store.createIdentity({ id: randomUUID(), modelId: model.id, name }));
    const created = new Date().toISOString();
    const records: SampleRecord[] = fresh.map((s) => ({
      id: randomUUID(),
      identityId: identity.id,
      modelId: model.id,
      embedding: s.embedding,
      crop: s.crop,
      origin: s.origin,
      created,
    }));
    await this.store.addSamples(records);
    await this.index.upsert(records.map((r) => ({ id: r.id, vector: r.embedding, payload: { modelId: model.id, identityId: identity.id } })));
    return { ...(await this.store.getIdentity(identity.id))!, duplicates };
  }

  /** By name; with `query`, only those whose name or an alias contains it, ignoring case; with `category` / `country`, only those of it. */
  async listIdentities(ref: string, page: { limit: number; offset: number }, filter?: string | IdentityFilter): Promise<Page<IdentityRecord>> {
    return this.store.listIdentities((await this.model(ref)).id, page, filter);
  }

  /** A pre-built gallery's sources (origin, licence, counts), as its artefact states them. */
  setSources(modelId: string, sources: readonly ArtefactSource[]): void {
    this.sources.set(modelId, [...sources]);
  }

  sourcesOf(modelId: string): ArtefactSource[] {
    return this.sources.get(modelId) ?? [];
  }

  async getIdentity(ref: string, identityId: string): Promise<IdentityRecord> {
    const model = await this.model(ref);
    const identity = await this.store.getIdentity(identityId);
    if (!identity || identity.modelId !== model.id) throw new NotFoundError(`model "${ref}" has no identity ${identityId}`);
    return identity;
  }

  async renameIdentity(ref: string, identityId: string, name: string): Promise<IdentityRecord> {
    writable(await this.model(ref));
    await this.getIdentity(ref, identityId);
    return (await this.store.renameIdentity(identityId, name))!;
  }

  async deleteIdentity(ref: string, identityId: string): Promise<boolean> {
    writable(await this.model(ref));
    await this.getIdentity(ref, identityId);
    await this.index.delete({ identityId });
    return this.store.deleteIdentity(identityId);
  }

  /** Current names of gallery identities by id (ids that are gone are left out). */
  identityNames(identityIds: readonly string[]): Promise<Map<string, string>> {
    return identityIds.length === 0 ? Promise.resolve(new Map()) : this.store.identityNames(identityIds);
  }

  /**
   * For each embedding, the `k` nearest identities of the models, nearest first. An identity's
   * distance is that of its nearest sample.
   */
  async match(embeddings: readonly Float32Array[], modelIds: readonly string[], k: number): Promise<Candidate[][]> {
    if (modelIds.length === 0 || embeddings.length === 0) return embeddings.map(() => []);
    for (const id of modelIds) {
      const reason = this.stale.get(id);
      if (reason) throw new GalleryNotReadyError(reason);
    }
    // Enough sample hits that k distinct identities are among them even when each has several samples.
    const limit = Math.max(16, k * 8);
    const perFace: { identityId: string; modelId: string; raw: number }[][] = [];
    for (const embedding of embeddings) {
      this.checkEmbedding(embedding);
      const hits = await this.index.search(embedding, { modelIds, limit });
      const nearest = new Map<string, { identityId: string; modelId: string; raw: number }>();
      for (const hit of hits) {
        if (!nearest.has(hit.payload.identityId)) nearest.set(hit.payload.identityId, { ...hit.payload, raw: hit.distance });
      }
      perFace.push([...nearest.values()]);
    }
    const names = await this.store.identityNames([...new Set(perFace.flat().map((c) => c.identityId))]);
    return perFace.map((candidates) =>
      candidates
        // Deleted between search and lookup, or by another replica whose change this one has not applied yet: the next nearest stand in.
        .filter((c) => names.has(c.identityId))
        .slice(0, k)
        .map((c) => ({ identityId: c.identityId, modelId: c.modelId, person: names.get(c.identityId)!, distance: this.embedding.toContract(c.raw) })),
    );
  }

  async exportModel(ref: string): Promise<ModelExport> {
    const model = await this.model(ref);
    const samples = await this.store.listSamples({ modelId: model.id });
    const identities = new Map<string, ModelExport['identities'][number]>();
    for (const s of samples) {
      let identity = identities.get(s.identityId);
      if (!identity) {
        const record = (await this.store.getIdentity(s.identityId))!;
        identity = { name: record.name, created: record.created, samples: [] };
        identities.set(s.identityId, identity);
      }
      identity.samples.push({
        embedding: Buffer.from(s.embedding.buffer, s.embedding.byteOffset, s.embedding.byteLength).toString('base64'),
        crop: s.crop.toString('base64'),
        origin: s.origin,
        created: s.created,
      });
    }
    return {
      format: 'facerec-model',
      version: 1,
      embeddingModel: model.embeddingModel,
      dimension: this.embedding.dimension,
      model: { name: model.name, description: model.description, created: model.created },
      identities: [...identities.values()],
    };
  }

  async importModel(file: unknown, name?: string): Promise<ModelRecord & ModelStats> {
    const data = parseExport(file, this.embedding);
    writable({ name: name || data.model.name });
    const model = await this.createModel(name || data.model.name, data.model.description);
    try {
      for (const identity of data.identities) {
        await this.addSamples(
          model.id,
          identity.name,
          identity.samples.map((s) => ({ embedding: decodeEmbedding(s.embedding, this.embedding.dimension), crop: Buffer.from(s.crop, 'base64'), origin: s.origin })),
        );
      }
    } catch (err) {
      await this.deleteModel(model.id); // no half-imported gallery
      throw err;
    }
    return this.getModel(model.id);
  }

  private async model(ref: string): Promise<ModelRecord> {
    const model = await this.store.findModel(ref);
    if (!model) throw new NotFoundError(`no model "${ref}"`);
    return model;
  }

  private checkEmbedding(v: Float32Array): void {
    if (v.length !== this.embedding.dimension) {
      throw new InvalidArgumentError(`an embedding has ${v.length} values; ${this.embedding.name} makes ${this.embedding.dimension}`);
    }
  }
}

/** The API changes no read-only gallery: its loader writes it through the GalleryStore, not through Galleries. */
function writable(model: { name: string }): void {
  if (isReadOnlyGallery(model.name)) throw new ReadOnlyModelError(readOnlyMessage(model.name));
}

function decodeEmbedding(base64: string, dimension: number): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== dimension * 4) throw new InvalidArgumentError(`an embedding in the file has ${bytes.length} bytes, expected ${dimension * 4}`);
  const out = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

function parseExport(file: unknown, embedding: EmbeddingModelInfo): ModelExport {
  const f = file as Partial<ModelExport> | null;
  if (!f || typeof f !== 'object' || f.format !== 'facerec-model') throw new InvalidArgumentError('not a facerec model export (format must be "facerec-model")');
  if (f.version !== 1) throw new InvalidArgumentError(`unsupported export version ${String(f.version)}`);
  if (f.embeddingModel !== embedding.name) {
    throw new InvalidArgumentError(`the file's embeddings are from "${String(f.embeddingModel)}"; this installation uses "${embedding.name}" (re-embed from the crops to move it)`);
  }
  if (!f.model || typeof f.model.name !== 'string' || !f.model.name) throw new InvalidArgumentError('the file has no model name');
  if (!Array.isArray(f.identities)) throw new InvalidArgumentError('the file has no identities list');
  for (const [i, identity] of f.identities.entries()) {
    if (!identity || typeof identity.name !== 'string' || !identity.name || !Array.isArray(identity.samples)) {
      throw new InvalidArgumentError(`identity ${i} of the file is malformed`);
    }
    for (const s of identity.samples) {
      if (!s || typeof s.embedding !== 'string' || typeof s.crop !== 'string') throw new InvalidArgumentError(`a sample of "${identity.name}" is malformed`);
    }
  }
  return { ...f, model: { name: f.model.name, description: String(f.model.description ?? ''), created: String(f.model.created ?? '') } } as ModelExport;
}

function describeEmbedder(model: ModelRecord): string {
  return model.embeddingSha256 ? `${model.embeddingModel} (sha256 ${model.embeddingSha256.slice(0, 12)}…)` : model.embeddingModel;
}

/** The sample nearest to `embedding` if it lies within `limit` (raw Euclidean distance). */
function nearestWithin<T extends { embedding: Float32Array }>(embedding: Float32Array, samples: readonly T[], limit: number): { sample: T; distance: number } | null {
  let best: { sample: T; distance: number } | null = null;
  for (const sample of samples) {
    if (sample.embedding.length !== embedding.length) continue;
    let sum = 0;
    for (let i = 0; i < embedding.length; i++) sum += (embedding[i]! - sample.embedding[i]!) ** 2;
    const distance = Math.sqrt(sum);
    if (distance <= limit && (!best || distance < best.distance)) best = { sample, distance };
  }
  return best;
}

// Galleries ("models") of known people and matching against them. Metadata and face crops live in
// the GalleryStore, vectors in the VectorIndex; this class keeps the two in step.
import { randomUUID } from 'node:crypto';
import type { GalleryStore, IdentityRecord, ModelRecord, ModelStats, SampleRecord } from '../../libs/gallery/gallery-store.js';
import type { Page } from '../../libs/store/job-store.js';
import type { VectorIndex } from '../../libs/vector/vector-index.js';

/** The contract's default gallery: it always exists (SPEC §3). */
export const DEFAULT_MODEL = 'celebrities';

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export class InvalidArgumentError extends Error {
  override name = 'InvalidArgumentError';
}

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
  constructor(
    private readonly store: GalleryStore,
    private readonly index: VectorIndex,
    readonly embedding: EmbeddingModelInfo,
  ) {}

  async init(): Promise<void> {
    await this.index.init(this.embedding.dimension);
    if (!(await this.store.findModel(DEFAULT_MODEL))) {
      await this.store
        .createModel({ id: randomUUID(), name: DEFAULT_MODEL, description: 'Default gallery: fill it with `facerec models import celebrities <dir>`', embeddingModel: this.embedding.name })
        .catch(async (err: unknown) => {
          if (!(await this.store.findModel(DEFAULT_MODEL))) throw err; // lost a race with another matcher: fine
        });
    }
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

  async createModel(name: string, description: string): Promise<ModelRecord & ModelStats> {
    const model = await this.store.createModel({ id: randomUUID(), name, description, embeddingModel: this.embedding.name });
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
    if (model.name === DEFAULT_MODEL) throw new InvalidArgumentError(`the "${DEFAULT_MODEL}" model is the default gallery and cannot be deleted`);
    await this.index.delete({ modelId: model.id });
    return this.store.deleteModel(model.id);
  }

  /** Adds samples to the model's identity called `name`, creating it when new. */
  async addSamples(ref: string, name: string, samples: readonly NewSample[]): Promise<IdentityRecord> {
    const model = await this.model(ref);
    for (const s of samples) this.checkEmbedding(s.embedding);
    const identity =
      (await this.store.findIdentityByName(model.id, name)) ?? (await this.store.createIdentity({ id: randomUUID(), modelId: model.id, name }));
    const created = new Date().toISOString();
    const records: SampleRecord[] = samples.map((s) => ({
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
    return (await this.store.getIdentity(identity.id))!;
  }

  async listIdentities(ref: string, page: { limit: number; offset: number }): Promise<Page<IdentityRecord>> {
    return this.store.listIdentities((await this.model(ref)).id, page);
  }

  async getIdentity(ref: string, identityId: string): Promise<IdentityRecord> {
    const model = await this.model(ref);
    const identity = await this.store.getIdentity(identityId);
    if (!identity || identity.modelId !== model.id) throw new NotFoundError(`model "${ref}" has no identity ${identityId}`);
    return identity;
  }

  async renameIdentity(ref: string, identityId: string, name: string): Promise<IdentityRecord> {
    await this.getIdentity(ref, identityId);
    return (await this.store.renameIdentity(identityId, name))!;
  }

  async deleteIdentity(ref: string, identityId: string): Promise<boolean> {
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
      perFace.push([...nearest.values()].slice(0, k));
    }
    const names = await this.store.identityNames([...new Set(perFace.flat().map((c) => c.identityId))]);
    return perFace.map((candidates) =>
      candidates
        .filter((c) => names.has(c.identityId)) // deleted between search and lookup
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

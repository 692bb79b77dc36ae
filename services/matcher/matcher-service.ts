// The Matcher gRPC service: the Galleries class behind its proto, named errors mapped to status codes.
import { embeddingVector, embeddingVectors } from '../../libs/grpc/embedding-wire.js';
import type { Embedding__Output } from '../../libs/grpc/generated/facerec/v1/Embedding.js';
import { IdentityNameTakenError, ModelNameTakenError, type IdentityRecord, type ModelRecord, type ModelStats } from '../../libs/gallery/gallery-store.js';
import type { ArtefactSource } from '../../libs/gallery/artefact.js';
import { grpc } from '../../libs/grpc/grpc.js';
import type { MatcherHandlers } from '../../libs/grpc/generated/facerec/v1/Matcher.js';
import type { Identity } from '../../libs/grpc/generated/facerec/v1/Identity.js';
import type { Model } from '../../libs/grpc/generated/facerec/v1/Model.js';
import type { ImportChunk__Output } from '../../libs/grpc/generated/facerec/v1/ImportChunk.js';
import type { Logger } from '../../libs/log/logger.js';
import type { IndexedIdentity as IndexedIdentityMessage } from '../../libs/grpc/generated/facerec/v1/IndexedIdentity.js';
import type { NamedFilter__Output } from '../../libs/grpc/generated/facerec/v1/NamedFilter.js';
import { isReadOnlyGallery } from '../../libs/gallery/read-only.js';
import { isStorageFull, STORAGE_FULL_DETAILS } from '../../libs/api/errors.js';
import { databaseUnavailable } from '../../libs/store/postgres.js';
import { Galleries, GalleryNotReadyError, type CropEmbedder, InvalidArgumentError, NotFoundError, ReadOnlyModelError } from './galleries.js';
import { AlreadyNamedError, type IdentityIndex, type IndexedIdentity } from './identity-index.js';

/** Export files travel in chunks well under the gRPC message limit. */
const EXPORT_CHUNK_BYTES = 1024 * 1024;
/** An import file larger than this is refused (about 100 000 samples with crops). */
const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

/** An Embedding message's vector (packed or not; `vector`: already read from it); a packed one that is not whole floats is refused. */
function vectorOf(e: Embedding__Output, vector: Float32Array | null = embeddingVector(e)): Float32Array {
  if (!vector) throw new InvalidArgumentError(`an embedding's packed values are ${e.packed.length} bytes, not a whole number of 32-bit floats`);
  return vector;
}

export function statusOf(err: unknown): grpc.status {
  if (err instanceof NotFoundError) return grpc.status.NOT_FOUND;
  if (err instanceof InvalidArgumentError) return grpc.status.INVALID_ARGUMENT;
  if (err instanceof GalleryNotReadyError) return grpc.status.FAILED_PRECONDITION;
  if (err instanceof ReadOnlyModelError) return grpc.status.PERMISSION_DENIED;
  if (err instanceof ModelNameTakenError || err instanceof IdentityNameTakenError || err instanceof AlreadyNamedError) return grpc.status.ALREADY_EXISTS;
  if (isStorageFull(err)) return grpc.status.RESOURCE_EXHAUSTED;
  // PostgreSQL restarting: the caller may try again (the gateway answers 503), as with a matcher down.
  if (databaseUnavailable(err)) return grpc.status.UNAVAILABLE;
  return grpc.status.INTERNAL;
}

function toModel(m: ModelRecord & ModelStats, sources: ArtefactSource[] = []): Model {
  return {
    sources,
    id: m.id,
    name: m.name,
    description: m.description,
    embeddingModel: m.embeddingModel,
    embeddingSha256: m.embeddingSha256 ?? '',
    created: m.created,
    identityCount: m.identityCount,
    sampleCount: m.sampleCount,
    readOnly: isReadOnlyGallery(m.name),
  };
}

function toIdentity(i: IdentityRecord): Identity {
  return { id: i.id, modelId: i.modelId, name: i.name, created: i.created, sampleCount: i.sampleCount, aliases: i.aliases ?? [], category: i.category ?? '', country: i.country ?? '', sources: i.sources ?? [] };
}

function toIndexed(i: IndexedIdentity): IndexedIdentityMessage {
  return {
    id: i.id,
    created: i.created,
    thumbnail: i.thumbnail,
    sampleCount: i.sampleCount,
    name: i.named?.name ?? '',
    modelId: i.named?.modelId ?? '',
    modelName: i.named?.modelName ?? '',
    identityId: i.named?.identityId ?? '',
    namedAt: i.named?.at ?? '',
    appearanceCount: i.appearanceCount,
    appearances: i.appearances.map((a) => ({ jobId: a.jobId, source: a.source, resultIds: a.resultIds, frameStart: a.frameStart, frameEnd: a.frameEnd, created: a.created })),
  };
}

const NAMED_FILTERS: Record<NamedFilter__Output, boolean | undefined> = {
  NAMED_FILTER_ANY: undefined,
  NAMED_FILTER_NAMED: true,
  NAMED_FILTER_UNNAMED: false,
};

/** Embeds stored source crops with the running detector and embedder (for re-embedding); close() when done. */
export type CropEmbedderFactory = () => { embedCrop: CropEmbedder; close: () => void };

export function matcherHandlers(galleries: Galleries, index: IdentityIndex, log: Logger, cropEmbedder?: CropEmbedderFactory): MatcherHandlers {
  /** Runs a unary handler, mapping named errors to gRPC status codes (faults are logged). */
  const unary =
    <Req, Res>(fn: (req: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      fn(call.request).then(
        (res) => callback(null, res),
        (err: unknown) => {
          const code = statusOf(err);
          if (code === grpc.status.INTERNAL) log.error({ err }, 'matcher call failed');
          if (code === grpc.status.RESOURCE_EXHAUSTED) log.warn({ err }, 'matcher call failed: storage full');
          if (code === grpc.status.UNAVAILABLE) log.warn({ err: (err as Error).message }, 'matcher call failed: the database is unavailable');
          callback({ code, details: code === grpc.status.RESOURCE_EXHAUSTED ? `${STORAGE_FULL_DETAILS}: ${(err as Error).message}` : (err as Error).message });
        },
      );
    };

  return {
    Match: unary(async (req) => {
      const k = Math.max(1, Math.min(req.k || 1, 50));
      const vectors = embeddingVectors(req.embeddings);
      const embeddings = req.embeddings.map((e, i) => {
        if (e.model !== galleries.embedding.name) throw new InvalidArgumentError(`embeddings of "${e.model}" cannot be matched against galleries of "${galleries.embedding.name}"`);
        return vectorOf(e, vectors[i] ?? null);
      });
      const matches = await galleries.match(embeddings, req.modelIds, k);
      return { matches: matches.map((candidates) => ({ candidates })) };
    }),
    ResolveModels: unary(async (req) => {
      const { resolved, unknown } = await galleries.resolve(req.refs);
      return { resolved: resolved.map((m) => ({ ref: m.ref, id: m.id, name: m.name, identityCount: m.identityCount })), unknown };
    }),
    CreateModel: unary(async (req) => toModel(await galleries.createModel(req.name, req.description))),
    ListModels: unary(async () => ({ models: (await galleries.listModels()).map((m) => toModel(m, galleries.sourcesOf(m.id))) })),
    GetModel: unary(async (req) => {
      const model = await galleries.getModel(req.model);
      return toModel(model, galleries.sourcesOf(model.id));
    }),
    DeleteModel: unary(async (req) => ({ deleted: await galleries.deleteModel(req.model) })),
    ReembedModel: unary(async (req) => {
      if (!cropEmbedder) throw new InvalidArgumentError('this matcher cannot reach a detector and an embedder to re-embed with');
      const { embedCrop, close } = cropEmbedder();
      try {
        const report = await galleries.reembedModel(req.model, embedCrop, log);
        return { ...report, embeddingModel: galleries.embedding.name };
      } finally {
        close();
      }
    }),
    AddSamples: unary(async (req) => {
      const added = await galleries.addSamples(
        req.model,
        req.name,
        req.samples.map((s) => ({ embedding: s.embedding ? vectorOf(s.embedding) : new Float32Array(0), crop: s.crop, origin: s.origin })),
        { skipDuplicates: true },
      );
      return { ...toIdentity(added), duplicates: added.duplicates };
    }),
    ListIdentities: unary(async (req) => {
      const page = await galleries.listIdentities(req.model, { limit: req.limit || 100, offset: req.offset }, { query: req.query || undefined, category: req.category || undefined, country: req.country || undefined });
      return { total: page.total, identities: page.items.map(toIdentity) };
    }),
    GetIdentity: unary(async (req) => toIdentity(await galleries.getIdentity(req.model, req.identityId))),
    RenameIdentity: unary(async (req) => toIdentity(await galleries.renameIdentity(req.model, req.identityId, req.name))),
    DeleteIdentity: unary(async (req) => ({ deleted: await galleries.deleteIdentity(req.model, req.identityId) })),
    IndexPersons: unary(async (req) => {
      const persons = req.persons.map((p, i) => {
        if (!p.appearance) throw new InvalidArgumentError(`person ${i} has no appearance`);
        return {
          embeddings: p.embeddings.map((e) => {
            if (e.model !== galleries.embedding.name) throw new InvalidArgumentError(`embeddings of "${e.model}" cannot be indexed with those of "${galleries.embedding.name}"`);
            return vectorOf(e);
          }),
          thumbnail: p.thumbnail,
          appearance: {
            jobId: p.appearance.jobId,
            source: p.appearance.source,
            resultIds: p.appearance.resultIds,
            frameStart: p.appearance.frameStart,
            frameEnd: p.appearance.frameEnd,
          },
        };
      });
      const indexed = await index.indexPersons(persons);
      return { ids: indexed.map((x) => x.id), created: indexed.map((x) => x.created) };
    }),
    ListIndexed: unary(async (req) => {
      const page = await index.list({ limit: Math.min(req.limit || 100, 1000), offset: req.offset, named: NAMED_FILTERS[req.named] });
      return { total: page.total, identities: page.items.map(toIndexed) };
    }),
    GetIndexed: unary(async (req) => toIndexed(await index.get(req.id))),
    NameIndexed: unary(async (req) => toIndexed(await index.name(req.id, req.name, req.model))),
    ResolveIndexed: unary(async (req) => ({ resolved: await index.resolve(req.ids) })),
    DeleteIndexed: unary(async (req) => toIndexed(await index.delete(req.id))),
    FindIndexed: unary(async (req) => {
      const embeddings = req.embeddings.map((e) => {
        if (e.model !== galleries.embedding.name) throw new InvalidArgumentError(`embeddings of "${e.model}" cannot be searched among those of "${galleries.embedding.name}"`);
        return vectorOf(e);
      });
      return { matches: await index.find(embeddings, req.maxDistance > 0 ? req.maxDistance : undefined) };
    }),
    ExportModel: (call) => {
      galleries.exportModel(call.request.model).then(
        (file) => {
          const bytes = Buffer.from(JSON.stringify(file));
          for (let at = 0; at < bytes.length; at += EXPORT_CHUNK_BYTES) call.write({ data: bytes.subarray(at, at + EXPORT_CHUNK_BYTES) });
          call.end();
        },
        (err: unknown) => call.emit('error', { code: statusOf(err), details: (err as Error).message }),
      );
    },
    ImportModel: (call, callback) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let name = '';
      let refused = false;
      call.on('data', (chunk: ImportChunk__Output) => {
        if (chunk.name) name = chunk.name;
        size += chunk.data.length;
        if (size > MAX_IMPORT_BYTES) {
          if (!refused) callback({ code: grpc.status.INVALID_ARGUMENT, details: `the import file is larger than ${MAX_IMPORT_BYTES} bytes` });
          refused = true;
          return;
        }
        chunks.push(chunk.data);
      });
      call.on('end', () => {
        if (refused) return;
        let file: unknown;
        try {
          file = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch (err) {
          return callback({ code: grpc.status.INVALID_ARGUMENT, details: `the import file is not JSON: ${(err as Error).message}` });
        }
        galleries.importModel(file, name || undefined).then(
          (model) => callback(null, toModel(model)),
          (err: unknown) => callback({ code: statusOf(err), details: (err as Error).message }),
        );
      });
    },
  };
}

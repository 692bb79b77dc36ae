// SPEC §3: galleries ("models") and their identities; bulk import from a folder; export/import.
import { Router, type Request } from 'express';
import { invalid, readOnly } from '../../libs/api/errors.js';
import { parsePage } from '../../libs/api/pagination.js';
import { parseFolderImport, parseIdentityCreate, parseIdentityRename, parseIdentitySearch, parseModelCreate, parseModelImportQuery, resolveImportFolder } from '../../libs/api/validate-gallery.js';
import { fetchUrl, isSourceFetchError } from '../../libs/fetch/fetch-source.js';
import { readOnlyMessage } from '../../libs/gallery/read-only.js';
import { grpc, isGrpcError, unary } from '../../libs/grpc/grpc.js';
import type { Identity__Output } from '../../libs/grpc/generated/facerec/v1/Identity.js';
import type { Model__Output } from '../../libs/grpc/generated/facerec/v1/Model.js';
import type { ReembedReply__Output } from '../../libs/grpc/generated/facerec/v1/ReembedReply.js';

/** Re-embedding runs two networks per sample: minutes for a large gallery. */
const REEMBED_DEADLINE_MS = 30 * 60_000;
import type { AddSamplesRequest } from '../../libs/grpc/generated/facerec/v1/AddSamplesRequest.js';
import type { Sample } from '../../libs/grpc/generated/facerec/v1/Sample.js';
import { jsonBody, route, type GatewayContext, fromGrpc } from './app.js';
import { principalOf } from './auth.js';
import { auditErasure, emptyReport, eraseGalleryIdentity } from './erasure.js';
import { readImages, readPeopleFolder, type EnrolImage, type Rejected } from '../../libs/face-client/enrol.js';
import { isMultipart, readMultipart } from './multipart.js';

const MAX_PHOTO_BYTES = 50 * 1024 * 1024;
const MAX_PHOTOS = 100;

export function modelView(m: Model__Output) {
  return {
    id: m.id,
    name: m.name,
    description: m.description,
    embedding_model: m.embeddingModel,
    embedding_sha256: m.embeddingSha256 || null,
    created: m.created,
    identity_count: m.identityCount,
    sample_count: m.sampleCount,
    read_only: m.readOnly,
    // A pre-built gallery says where its people come from and under what licence.
    ...(m.sources.length > 0 ? { sources: m.sources.map((s) => ({ id: s.id, title: s.title, licence: s.licence, people: s.people, photos: s.photos })) } : {}),
  };
}

export function identityView(i: Identity__Output) {
  return {
    id: i.id,
    model_id: i.modelId,
    name: i.name,
    created: i.created,
    sample_count: i.sampleCount,
    // What a pre-built gallery knows of the person: null / [] where it is not known.
    aliases: i.aliases,
    category: i.category || null,
    country: i.country || null,
    sources: i.sources,
  };
}

export function modelRoutes(ctx: GatewayContext): Router {
  const router = Router();
  const m = ctx.matcher;

  router.post(
    '/',
    jsonBody,
    route(async (req, res) => {
      const body = parseModelCreate(req.body);
      const model = await unary<object, Model__Output>(m, m.CreateModel, body).catch(rethrow('name'));
      res.status(201).json(modelView(model));
    }),
  );

  router.get(
    '/',
    route(async (req, res) => {
      const page = parsePage(req.query, { defaultLimit: 100, maxLimit: 1000 });
      const { models } = await unary<object, { models: Model__Output[] }>(m, m.ListModels, {});
      res.json({ total: models.length, offset: page.offset, limit: page.limit, data: models.slice(page.offset, page.offset + page.limit).map(modelView) });
    }),
  );

  // An export file (from GET …/export) → a new model. Streamed to the matcher as it arrives.
  router.post(
    '/import',
    route(async (req, res) => {
      const { name } = parseModelImportQuery(req.query);
      const model = await new Promise<Model__Output>((resolve, reject) => {
        const call = m.ImportModel((err, reply) => (err ? reject(err) : resolve(reply!)));
        let first = true;
        req.on('data', (chunk: Buffer) => {
          call.write({ name: first && name ? name : '', data: chunk });
          first = false;
        });
        req.on('end', () => call.end());
        req.on('error', (err) => {
          call.cancel();
          reject(err);
        });
      }).catch(rethrow(null));
      res.status(201).json(modelView(model));
    }),
  );

  router.get('/:model', route(async (req, res) => void res.json(modelView(await unary<object, Model__Output>(m, m.GetModel, { model: modelParam(req) })))));

  router.delete(
    '/:model',
    route(async (req, res) => {
      await unary(m, m.DeleteModel, { model: modelParam(req) });
      res.status(204).end();
    }),
  );

  router.post(
    '/:model/identities',
    route(async (req, res) => {
      const model = modelParam(req);
      writable(await unary<object, Model__Output>(m, m.GetModel, { model })); // 404 or 409 before reading photos
      let images: EnrolImage[];
      let name: string;
      if (isMultipart(req)) {
        const { fields, files } = await readMultipart(req, { maxFileBytes: MAX_PHOTO_BYTES, maxFiles: MAX_PHOTOS });
        const body: Record<string, unknown> = { name: fields.name?.[0] };
        if (fields.images) body.images = fields.images.length === 1 && fields.images[0]!.startsWith('[') ? parseJsonField(fields.images[0]!, 'images') : fields.images;
        const parsed = parseIdentityCreate(body, { multipart: true });
        name = parsed.name;
        images = [...files.map((f) => ({ origin: f.filename, bytes: f.bytes })), ...(await loadSources(ctx, parsed.images))];
        if (images.length === 0) throw invalid('images', 'send at least one photo (files in the field "images", or URLs / storage ids)');
      } else {
        await new Promise<void>((resolve, reject) => jsonBody(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
        const parsed = parseIdentityCreate(req.body, { multipart: false });
        name = parsed.name;
        images = await loadSources(ctx, parsed.images);
      }
      const { samples, rejected } = await ctx.enroller.samples(images.filter((i): i is EnrolImage => i.bytes.length > 0));
      rejected.push(...images.filter((i) => i.bytes.length === 0).map((i) => ({ image: i.origin, message: (i as EnrolImage & { error?: string }).error ?? 'empty file' })));
      if (samples.length === 0) {
        throw invalid('images', `no usable face in any photo: ${rejected.map((r) => `${r.image}: ${r.message}`).join('; ')}`);
      }
      const identity = await unary<AddSamplesRequest, Identity__Output>(m, m.AddSamples, { model, name, samples }).catch(rethrow('name'));
      // A photo whose face the person already has is reported, not stored twice; nothing new → 200.
      rejected.push(...identity.duplicates.map((d) => ({ image: d.origin, message: d.message })));
      const added = samples.length - identity.duplicates.length;
      res.status(added > 0 ? 201 : 200).json({ identity: identityView(identity), added, rejected });
    }),
  );

  router.get(
    '/:model/identities',
    route(async (req, res) => {
      const { q, category, country } = parseIdentitySearch(req.query);
      const page = parsePage(req.query, { defaultLimit: 100, maxLimit: 1000 });
      const reply = await unary<object, { total: number; identities: Identity__Output[] }>(m, m.ListIdentities, { model: modelParam(req), ...page, query: q ?? '', category: category ?? '', country: country ?? '' });
      res.json({ total: reply.total, offset: page.offset, limit: page.limit, data: reply.identities.map(identityView) });
    }),
  );

  router.get(
    '/:model/identities/:identity',
    route(async (req, res) => void res.json(identityView(await unary<object, Identity__Output>(m, m.GetIdentity, identityParams(req))))),
  );

  router.patch(
    '/:model/identities/:identity',
    jsonBody,
    route(async (req, res) => {
      const { name } = parseIdentityRename(req.body);
      const identity = await unary<object, Identity__Output>(m, m.RenameIdentity, { ...identityParams(req), name }).catch(rethrow('name'));
      res.json(identityView(identity));
    }),
  );

  router.delete(
    '/:model/identities/:identity',
    route(async (req, res) => {
      // Erasure of a gallery person: the matcher removes their vectors, samples and crops, the
      // indexed identities named into them go too, and stored results no longer show their name
      // or face (services/gateway/erasure.ts). The audit record holds ids and counts, no name.
      const report = emptyReport();
      await eraseGalleryIdentity(ctx, identityParams(req), report);
      const erased = report.gallery[0]!;
      await auditErasure(ctx, principalOf(res).id, 'erasure.identity', `${erased.model_id}/${erased.identity_id}`, report, { samples: erased.samples });
      res.status(204).end();
    }),
  );

  // Bulk import of a server-side folder laid out <person>/<image> (only under FACEREC_IMPORT_ROOT).
  router.post(
    '/:model/import-folder',
    jsonBody,
    route(async (req, res) => {
      const model = modelParam(req);
      writable(await unary<object, Model__Output>(m, m.GetModel, { model })); // before reading a photo (the matcher refuses it too)
      if (!ctx.importRoot) throw invalid('path', 'folder import is off: the operator sets FACEREC_IMPORT_ROOT to the folder it may read');
      const { path } = parseFolderImport(req.body);
      const folder = await resolveImportFolder(ctx.importRoot, path);
      const people = await readPeopleFolder(folder);
      let added = 0;
      const identities: ReturnType<typeof identityView>[] = [];
      const rejected: Rejected[] = [];
      for (const { person, files } of people) {
        const result = await ctx.enroller.samples(await readImages(files, folder));
        rejected.push(...result.rejected);
        if (result.samples.length === 0) continue;
        const identity = await addSamples(ctx, model, person, result.samples);
        rejected.push(...identity.duplicates.map((d) => ({ image: d.origin, message: d.message })));
        identities.push(identityView(identity));
        added += result.samples.length - identity.duplicates.length;
      }
      res.status(201).json({ identities, added, rejected });
    }),
  );

  router.post(
    '/:model/reembed',
    route(async (req, res) => {
      const model = await unary<object, Model__Output>(m, m.GetModel, { model: modelParam(req) });
      writable(model);
      const report = await unary<object, ReembedReply__Output>(m, m.ReembedModel, { model: model.id }, { deadline: Date.now() + REEMBED_DEADLINE_MS });
      res.json({ model: report.model, samples: report.samples, failed: report.failed, embedding_model: report.embeddingModel });
    }),
  );

  router.get(
    '/:model/export',
    route(async (req, res) => {
      const model = await unary<object, Model__Output>(m, m.GetModel, { model: modelParam(req) });
      const call = m.ExportModel({ model: model.id });
      const chunks: Buffer[] = [];
      await new Promise<void>((resolve, reject) => {
        call.on('data', (c: { data: Buffer }) => chunks.push(c.data));
        call.on('error', reject);
        call.on('end', resolve);
      });
      res.setHeader('content-disposition', `attachment; filename="${model.name.replace(/[^\w.-]+/g, '_')}.facerec-model.json"`);
      res.type('application/json').send(Buffer.concat(chunks));
    }),
  );

  return router;
}

/** A read-only gallery (the pre-built `celebrities`) is refused before any photo is read; the matcher refuses it too. */
function writable(model: Model__Output): void {
  if (model.readOnly) throw readOnly(readOnlyMessage(model.name));
}

function addSamples(ctx: GatewayContext, model: string, name: string, samples: Sample[]): Promise<Identity__Output> {
  return unary<AddSamplesRequest, Identity__Output>(ctx.matcher, ctx.matcher.AddSamples, { model, name, samples });
}

function modelParam(req: Request): string {
  return String(req.params.model);
}

function identityParams(req: Request): { model: string; identityId: string } {
  return { model: String(req.params.model), identityId: String(req.params.identity) };
}

function parseJsonField(value: string, field: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw invalid(field, 'is not valid JSON');
  }
}

/**
 * Maps a gRPC error to HTTP naming `field` (e.g. a taken name → 409 on "name"). A NOT_FOUND is
 * about the model or identity of the path, not about that field, so it names none.
 */
function rethrow(field: string | null) {
  return (err: unknown): never => {
    throw isGrpcError(err) ? fromGrpc(err, err.code === grpc.status.NOT_FOUND ? null : field) : err;
  };
}

/** Photos given as sources: an unreadable one becomes an empty image carrying its error. */
async function loadSources(ctx: GatewayContext, sources: readonly string[]): Promise<(EnrolImage & { error?: string })[]> {
  return Promise.all(
    sources.map(async (source) => {
      try {
        if (source.startsWith('storage://')) {
          const bytes = await ctx.blobs.read(source.slice('storage://'.length));
          return bytes ? { origin: source, bytes } : { origin: source, bytes: Buffer.alloc(0), error: `no upload ${source}` };
        }
        return { origin: source, bytes: (await fetchUrl(source, ctx.fetch)).bytes };
      } catch (err) {
        if (isSourceFetchError(err)) return { origin: source, bytes: Buffer.alloc(0), error: err.message };
        throw err;
      }
    }),
  );
}

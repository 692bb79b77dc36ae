// POST /api/v1/erasure/ (admin): erase a person everywhere, found by a photo of them (multipart
// field `file`) or named by an identity id (JSON `{"identity_id"}`: an indexed identity, or a
// gallery identity of any model). A photo's face is matched against every gallery (nearest
// identities within `max_distance`) and the identity index; what is found is erased as by the
// DELETE routes (services/gateway/erasure.ts). One audit record, `erasure.search`.
import { Router } from 'express';
import { invalid, ApiError } from '../../libs/api/errors.js';
import { FACE_RECOGNITION_DEFAULTS, MAX_DISTANCE_LIMIT } from '../../libs/api/validate-job.js';
import { grpc, isGrpcError, unary } from '../../libs/grpc/grpc.js';
import type { FindIndexedReply__Output } from '../../libs/grpc/generated/facerec/v1/FindIndexedReply.js';
import type { FindIndexedRequest } from '../../libs/grpc/generated/facerec/v1/FindIndexedRequest.js';
import type { Identity__Output } from '../../libs/grpc/generated/facerec/v1/Identity.js';
import type { IndexedIdentity__Output } from '../../libs/grpc/generated/facerec/v1/IndexedIdentity.js';
import type { MatchReply__Output } from '../../libs/grpc/generated/facerec/v1/MatchReply.js';
import type { MatchRequest } from '../../libs/grpc/generated/facerec/v1/MatchRequest.js';
import type { Model__Output } from '../../libs/grpc/generated/facerec/v1/Model.js';
import { jsonBody, route, type GatewayContext } from './app.js';
import { principalOf } from './auth.js';
import { auditErasure, emptyReport, eraseGalleryIdentity, eraseIndexedIdentity, type ErasureReport } from './erasure.js';
import { isMultipart, readMultipart } from './multipart.js';

const MAX_PHOTO_BYTES = 50 * 1024 * 1024;
/** Gallery identities looked at per model: more than one person within max_distance is rare. */
const CANDIDATES_PER_MODEL = 10;

/** The answer of an erasure by search: what was removed, and the galleries that could not be searched. */
export interface SearchReport extends ErasureReport {
  /** Models not searched, with the reason (e.g. being re-embedded): erase again once they are ready. */
  not_searched: { model_id: string; reason: string }[];
}

function parseMaxDistance(value: unknown): number {
  if (value === undefined || value === null || value === '') return FACE_RECOGNITION_DEFAULTS.max_distance;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > MAX_DISTANCE_LIMIT) throw invalid('max_distance', `must be a number from 0 to ${MAX_DISTANCE_LIMIT}`);
  return n;
}

export function erasureRoutes(ctx: GatewayContext): Router {
  const router = Router();
  const m = ctx.matcher;

  /** Erases whoever the face's embedding matches in the galleries and the index. */
  async function eraseByFace(embedding: { model: string; values: number[] }, maxDistance: number, report: SearchReport): Promise<void> {
    const { models } = await unary<object, { models: Model__Output[] }>(m, m.ListModels, {});
    const found: { modelId: string; identityId: string }[] = [];
    for (const model of models) {
      if (model.readOnly) {
        // The pre-built gallery changes only by rebuilding its artefact: the request would fail on it.
        report.not_searched.push({ model_id: model.id, reason: `"${model.name}" is read-only: the pre-built gallery changes only by rebuilding its artefact without the person` });
        continue;
      }
      try {
        const reply = await unary<MatchRequest, MatchReply__Output>(m, m.Match, { embeddings: [embedding], modelIds: [model.id], k: CANDIDATES_PER_MODEL });
        for (const c of reply.matches[0]?.candidates ?? []) if (c.distance <= maxDistance) found.push({ modelId: c.modelId, identityId: c.identityId });
      } catch (err) {
        if (!isGrpcError(err) || err.code !== grpc.status.FAILED_PRECONDITION) throw err;
        report.not_searched.push({ model_id: model.id, reason: err.details });
      }
    }
    for (const f of found) await eraseGalleryIdentity(ctx, { model: f.modelId, identityId: f.identityId }, report);
    const indexed = await unary<FindIndexedRequest, FindIndexedReply__Output>(m, m.FindIndexed, { embeddings: [embedding], maxDistance });
    for (const match of indexed.matches) await eraseIndexedIdentity(ctx, match.id, report);
  }

  /** Erases the identity of that id: an indexed one (and its gallery identity once named), or a gallery one. */
  async function eraseById(id: string, report: SearchReport): Promise<void> {
    const indexed = await unary<{ id: string }, IndexedIdentity__Output>(m, m.GetIndexed, { id }).catch((err: unknown) => {
      if (isGrpcError(err) && err.code === grpc.status.NOT_FOUND) return null;
      throw err;
    });
    if (indexed) {
      // A named one: its gallery identity goes first (that also erases the indexed identity named into it).
      if (indexed.identityId) {
        const gone = await eraseGalleryIdentity(ctx, { model: indexed.modelId, identityId: indexed.identityId }, report).then(
          () => true,
          (err: unknown) => {
            if (isGrpcError(err) && err.code === grpc.status.NOT_FOUND) return false; // erased from the gallery before
            throw err;
          },
        );
        if (gone && report.indexed.some((i) => i.id === id)) return;
      }
      await eraseIndexedIdentity(ctx, id, report);
      return;
    }
    const { models } = await unary<object, { models: Model__Output[] }>(m, m.ListModels, {});
    for (const model of models) {
      const identity = await unary<object, Identity__Output>(m, m.GetIdentity, { model: model.id, identityId: id }).catch((err: unknown) => {
        if (isGrpcError(err) && err.code === grpc.status.NOT_FOUND) return null;
        throw err;
      });
      if (identity) return eraseGalleryIdentity(ctx, { model: model.id, identityId: id }, report);
    }
    throw new ApiError(404, 'not_found', 'identity_id', `no indexed or gallery identity ${id}`);
  }

  router.post(
    '/',
    route(async (req, res) => {
      const report: SearchReport = { ...emptyReport(), not_searched: [] };
      let target: string;
      if (isMultipart(req)) {
        const { fields, files } = await readMultipart(req, { maxFileBytes: MAX_PHOTO_BYTES, maxFiles: 1 });
        const file = files.find((f) => f.field === 'file');
        if (!file || file.bytes.length === 0) throw invalid('file', 'send the photo of the person in the multipart field "file"');
        const maxDistance = parseMaxDistance(fields.max_distance?.[0]);
        const { samples, rejected } = await ctx.enroller.samples([{ origin: file.filename || 'file', bytes: file.bytes }]);
        const embedding = samples[0]?.embedding;
        if (!embedding) throw invalid('file', rejected[0]?.message ?? 'no face found');
        await eraseByFace({ model: embedding.model ?? '', values: (embedding.values ?? []).map(Number) }, maxDistance, report);
        target = 'photo';
      } else {
        await new Promise<void>((resolve, reject) => jsonBody(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
        const body = req.body as unknown;
        if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid(null, 'send a photo (multipart field "file") or {"identity_id": "…"}');
        const { identity_id: id, ...rest } = body as Record<string, unknown>;
        const unknown = Object.keys(rest);
        if (unknown.length > 0) throw invalid(unknown[0]!, 'unknown field');
        if (typeof id !== 'string' || id.length === 0 || id.length > 200) throw invalid('identity_id', 'must be the id of an indexed identity or of a gallery identity');
        await eraseById(id, report);
        target = id;
      }
      await auditErasure(ctx, principalOf(res).id, 'erasure.search', target, report);
      res.json(report);
    }),
  );

  return router;
}

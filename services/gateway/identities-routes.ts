// SPEC §3, the identity index (index_unknowns): list the unknown persons indexed across jobs, with
// a thumbnail and where they appeared, and name one (which moves it into a model).
import { Router } from 'express';
import { invalid } from '../../libs/api/errors.js';
import { pageLinks, parsePage } from '../../libs/api/pagination.js';
import { parseIndexedNaming } from '../../libs/api/validate-gallery.js';
import { grpc, isGrpcError, unary } from '../../libs/grpc/grpc.js';
import type { IndexedIdentity__Output } from '../../libs/grpc/generated/facerec/v1/IndexedIdentity.js';
import type { IndexedRef } from '../../libs/grpc/generated/facerec/v1/IndexedRef.js';
import type { ListIndexedReply__Output } from '../../libs/grpc/generated/facerec/v1/ListIndexedReply.js';
import type { ListIndexedRequest } from '../../libs/grpc/generated/facerec/v1/ListIndexedRequest.js';
import type { NameIndexedRequest } from '../../libs/grpc/generated/facerec/v1/NameIndexedRequest.js';
import { fromGrpc, jsonBody, route, type GatewayContext } from './app.js';
import { principalOf } from './auth.js';
import { auditErasure, emptyReport, eraseIndexedIdentity } from './erasure.js';

export function indexedIdentityView(i: IndexedIdentity__Output) {
  return {
    id: i.id,
    name: i.name || null,
    model: i.modelName || null,
    model_id: i.modelId || null,
    identity_id: i.identityId || null,
    thumbnail: i.thumbnail.toString('base64'),
    created: i.created,
    named_at: i.namedAt || null,
    sample_count: i.sampleCount,
    appearance_count: i.appearanceCount,
    appearances: i.appearances.map((a) => ({ job_id: a.jobId, source: a.source, result_ids: a.resultIds, frame_start: a.frameStart, frame_end: a.frameEnd })),
  };
}

export function identityIndexRoutes(ctx: GatewayContext): Router {
  const router = Router();
  const m = ctx.matcher;

  router.get(
    '/',
    route(async (req, res) => {
      const page = parsePage(req.query);
      const filters: Record<string, string> = {};
      let named: ListIndexedRequest['named'] = 'NAMED_FILTER_ANY';
      if (req.query.named !== undefined) {
        const value = req.query.named;
        if (value !== 'true' && value !== 'false') throw invalid('named', `must be true or false, got ${JSON.stringify(value)}`);
        named = value === 'true' ? 'NAMED_FILTER_NAMED' : 'NAMED_FILTER_UNNAMED';
        filters.named = value;
      }
      const reply = await unary<ListIndexedRequest, ListIndexedReply__Output>(m, m.ListIndexed, { ...page, named });
      res.json({
        total: reply.total,
        offset: page.offset,
        limit: page.limit,
        ...pageLinks(`${ctx.apiBase(req)}/identities/`, filters, { ...page, total: reply.total }),
        data: reply.identities.map(indexedIdentityView),
      });
    }),
  );

  router.get(
    '/:id',
    route(async (req, res) => {
      const identity = await unary<IndexedRef, IndexedIdentity__Output>(m, m.GetIndexed, { id: String(req.params.id) });
      res.json(indexedIdentityView(identity));
    }),
  );

  router.patch(
    '/:id',
    jsonBody,
    route(async (req, res) => {
      const { name, model } = parseIndexedNaming(req.body);
      const identity = await unary<NameIndexedRequest, IndexedIdentity__Output>(m, m.NameIndexed, { id: String(req.params.id), name, model }).catch(
        (err: unknown): never => {
          // INVALID_ARGUMENT is the model (the name was checked here); ALREADY_EXISTS: named before.
          throw isGrpcError(err) ? fromGrpc(err, err.code === grpc.status.INVALID_ARGUMENT ? 'model' : null) : err;
        },
      );
      res.json(indexedIdentityView(identity));
    }),
  );

  // Erasure of an indexed person (admin): samples, crops, thumbnail and appearances, and their
  // thumbnails and ids in stored results. A named one's gallery identity stays (erase it there).
  router.delete(
    '/:id',
    route(async (req, res) => {
      const id = String(req.params.id);
      const report = emptyReport();
      await eraseIndexedIdentity(ctx, id, report);
      await auditErasure(ctx, principalOf(res).id, 'erasure.indexed', id, report);
      res.json(report);
    }),
  );

  return router;
}

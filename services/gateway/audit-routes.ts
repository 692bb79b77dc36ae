// The audit trail (admin): key changes and erasures, newest first.
import { Router } from 'express';
import { pageLinks, parsePage } from '../../libs/api/pagination.js';
import { route, type GatewayContext } from './app.js';

export function auditRoutes(ctx: GatewayContext): Router {
  const router = Router();
  router.get(
    '/',
    route(async (req, res) => {
      const page = parsePage(req.query);
      const { total, items } = await ctx.audit.list(page);
      res.json({ total, offset: page.offset, limit: page.limit, ...pageLinks(`${ctx.apiBase(req)}/audit/`, {}, { ...page, total }), data: items });
    }),
  );
  return router;
}

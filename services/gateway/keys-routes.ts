// API keys: create (the key text is answered once), list, read, revoke. Admin scope; every change
// leaves an audit record.
import { Router } from 'express';
import { invalid, notFound } from '../../libs/api/errors.js';
import { makeKey, SCOPES, type Scope } from '../../libs/auth/api-keys.js';
import { KEY_ID_PATTERN, type ApiKeyRecord } from '../../libs/store/key-store.js';
import { jsonBody, route, type GatewayContext } from './app.js';
import { principalOf } from './auth.js';

export const MAX_KEY_NAME_LENGTH = 200;

export function keyView(r: ApiKeyRecord) {
  return {
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    created: r.created,
    rate_limit: r.rateLimit ? { per_second: r.rateLimit.perSecond, burst: r.rateLimit.burst } : null,
  };
}

interface KeyCreate {
  name: string;
  scopes: Scope[];
  rateLimit: ApiKeyRecord['rateLimit'];
}

export function parseKeyCreate(body: unknown): KeyCreate {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid(null, 'the body must be a JSON object {name, scopes, rate_limit?}');
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) if (!['name', 'scopes', 'rate_limit'].includes(key)) throw invalid(key, `unknown field "${key}"`);
  if (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > MAX_KEY_NAME_LENGTH) {
    throw invalid('name', `must be a non-empty string of at most ${MAX_KEY_NAME_LENGTH} characters`);
  }
  if (!Array.isArray(b.scopes) || b.scopes.length === 0) throw invalid('scopes', `must be a non-empty list of ${SCOPES.join(', ')}`);
  b.scopes.forEach((s, i) => {
    if (!(SCOPES as readonly unknown[]).includes(s)) throw invalid(`scopes[${i}]`, `must be one of ${SCOPES.join(', ')}, got ${JSON.stringify(s)}`);
  });
  let rateLimit: ApiKeyRecord['rateLimit'] = null;
  if (b.rate_limit !== undefined && b.rate_limit !== null) {
    const r = b.rate_limit as Record<string, unknown>;
    if (typeof r !== 'object' || Array.isArray(r)) throw invalid('rate_limit', 'must be an object {per_second, burst}');
    for (const key of Object.keys(r)) if (!['per_second', 'burst'].includes(key)) throw invalid(`rate_limit.${key}`, `unknown field "${key}"`);
    if (typeof r.per_second !== 'number' || !Number.isFinite(r.per_second) || r.per_second < 0 || r.per_second > 1e6) {
      throw invalid('rate_limit.per_second', 'must be a number from 0 (no limit) to 1000000');
    }
    if (!Number.isInteger(r.burst) || (r.burst as number) < 1 || (r.burst as number) > 1e6) throw invalid('rate_limit.burst', 'must be an integer from 1 to 1000000');
    rateLimit = { perSecond: r.per_second, burst: r.burst as number };
  }
  return { name: b.name.trim(), scopes: b.scopes as Scope[], rateLimit };
}

export function keyRoutes(ctx: GatewayContext): Router {
  const router = Router();

  router.post(
    '/',
    jsonBody,
    route(async (req, res) => {
      const parsed = parseKeyCreate(req.body);
      const { record, key } = await makeKey(parsed.name, parsed.scopes, parsed.rateLimit);
      await ctx.keys.put(record);
      await ctx.audit.append({ actor: principalOf(res).id, action: 'key.create', target: record.id, details: { name: record.name, scopes: record.scopes } });
      res.status(201).json({ ...keyView(record), key });
    }),
  );

  router.get(
    '/',
    route(async (_req, res) => {
      const keys = await ctx.keys.list();
      res.json({ total: keys.length, data: keys.map(keyView) });
    }),
  );

  router.get(
    '/:id',
    route(async (req, res) => {
      const id = String(req.params.id);
      const record = KEY_ID_PATTERN.test(id) ? await ctx.keys.get(id) : undefined;
      if (!record) throw notFound(`key ${id}`);
      res.json(keyView(record));
    }),
  );

  router.delete(
    '/:id',
    route(async (req, res) => {
      const id = String(req.params.id);
      const record = KEY_ID_PATTERN.test(id) ? await ctx.keys.get(id) : undefined;
      if (!record || !(await ctx.keys.delete(id))) throw notFound(`key ${id}`);
      ctx.gatewayAuth.limiter.forget(id);
      await ctx.audit.append({ actor: principalOf(res).id, action: 'key.revoke', target: id, details: { name: record.name, scopes: record.scopes } });
      res.status(204).end();
    }),
  );

  return router;
}

// SPEC §1–§2: submit, read, list, cancel/delete jobs; page through detailed results.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { invalid, notFound } from '../../libs/api/errors.js';
import { pageLinks, parsePage } from '../../libs/api/pagination.js';
import { parseJobRequest } from '../../libs/api/validate-job.js';
import { unary } from '../../libs/grpc/grpc.js';
import type { ResolveModelsReply__Output } from '../../libs/grpc/generated/facerec/v1/ResolveModelsReply.js';
import type { ResolveModelsRequest } from '../../libs/grpc/generated/facerec/v1/ResolveModelsRequest.js';
import { FINAL_STATES, JOB_STATES, type JobRecord, type JobState } from '../../libs/jobs/types.js';
import { metrics } from '../../libs/service/metrics.js';
import { jobView } from './views.js';
import { summaryWithIndexedNames, withIndexedNames } from './indexed-names.js';
import { jsonBody, route, type GatewayContext } from './app.js';
import { checkedAddresses, isSourceFetchError } from '../../libs/fetch/fetch-source.js';

const MODEL_FIELD = 'modules.face_recognition';

/** A callback_url must be callable: webhooks on, and its host's addresses pass the guard sources pass. */
async function checkCallbackUrl(ctx: GatewayContext, url: string): Promise<void> {
  if (!ctx.webhooks.secret) throw invalid('callback_url', 'webhooks are off: the operator has not set FACEREC_WEBHOOK_SECRET');
  try {
    await checkedAddresses(new URL(url), ctx.fetch);
  } catch (err) {
    if (isSourceFetchError(err)) throw invalid('callback_url', err.message.replace(/^download refused/, 'refused'));
    throw err;
  }
}

/** Longest a reader may wait for a job to finish (GET /jobs/{id}/?wait=N), seconds. */
export const MAX_WAIT_S = 60;

/** ?wait=N: seconds to hold the answer until the job is final (0, the default: answer at once). */
function parseWait(value: unknown): number {
  if (value === undefined) return 0;
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= MAX_WAIT_S)) throw invalid('wait', `must be a number of seconds from 0 to ${MAX_WAIT_S}`);
  return n;
}

export function jobRoutes(ctx: GatewayContext): Router {
  const router = Router();

  router.post(
    '/',
    jsonBody,
    route(async (req, res) => {
      const parsed = parseJobRequest(req.body, { maxSources: ctx.limits.maxSources });
      if (parsed.callbackUrl) await checkCallbackUrl(ctx, parsed.callbackUrl);
      // Every upload named must exist now: a typo is the client's to fix, not a failed job later.
      for (const [i, source] of parsed.sources.entries()) {
        if (source.startsWith('storage://') && !(await ctx.blobs.stat(source.slice('storage://'.length)))) {
          throw invalid(`sources[${i}]`, `no upload ${source}`);
        }
      }
      const resolved = await unary<ResolveModelsRequest, ResolveModelsReply__Output>(ctx.matcher, ctx.matcher.ResolveModels, { refs: parsed.params.models });
      if (resolved.unknown.length > 0) {
        const ref = resolved.unknown[0]!;
        const field = parsed.request.models ? `${MODEL_FIELD}.models[${parsed.params.models.indexOf(ref)}]` : `${MODEL_FIELD}.model`;
        throw invalid(field, `no model "${ref}"`);
      }
      const warnings: string[] = [];
      for (const m of resolved.resolved) {
        if (m.identityCount === 0) warnings.push(`model "${m.name}" has no identities yet: every face will be unknown`);
      }
      const job: JobRecord = {
        id: randomUUID(),
        tag: parsed.tag,
        state: 'waiting',
        errors: [],
        warnings,
        progress: 0,
        sources: parsed.sources,
        request: parsed.request,
        params: { ...parsed.params, modelIds: [...new Set(resolved.resolved.map((m) => m.id))] },
        timeCreated: new Date().toISOString(),
        timeStarted: null,
        timeCompleted: null,
        mediaType: null,
        summary: null,
        ...(parsed.callbackUrl ? { callbackUrl: parsed.callbackUrl, webhook: { state: 'pending', attempts: [], nextAttemptAt: null } } : {}),
      };
      await ctx.jobs.create(job);
      await ctx.bus.enqueue('decode', { jobId: job.id }, job.id);
      await ctx.bus.publish({ type: 'job.submitted', jobId: job.id });
      metrics.jobsSubmitted.inc();
      ctx.log.info({ jobId: job.id, sources: job.sources.length }, 'job submitted');
      res.status(201).json(jobView(job, ctx.apiBase(req)));
    }),
  );

  router.get(
    '/',
    route(async (req, res) => {
      const page = parsePage(req.query);
      const filters: Record<string, string> = {};
      let state: JobState | undefined;
      if (req.query.state !== undefined) {
        const s = req.query.state;
        if (typeof s !== 'string' || !(JOB_STATES as readonly string[]).includes(s)) throw invalid('state', `must be one of ${JOB_STATES.join(', ')}`);
        state = s as JobState;
        filters.state = s;
      }
      let tag: string | undefined;
      if (req.query.tag !== undefined) {
        if (typeof req.query.tag !== 'string') throw invalid('tag', 'must be given once');
        tag = req.query.tag;
        filters.tag = tag;
      }
      const result = await ctx.jobs.list({ ...page, state, tag });
      const base = `${ctx.apiBase(req)}/jobs/`;
      res.json({ total: result.total, offset: page.offset, limit: page.limit, ...pageLinks(base, filters, { ...page, total: result.total }), data: result.items.map((j) => jobView(j, ctx.apiBase(req))) });
    }),
  );

  router.get(
    '/:id',
    route(async (req, res) => {
      const id = String(req.params.id);
      const waitS = parseWait(req.query.wait);
      let job = await findJob(ctx, id);
      if (waitS > 0 && !FINAL_STATES.includes(job.state)) {
        // Registered before the second read: an event between the two reads still wakes us.
        const wait = ctx.jobWaiters.wait(id, waitS * 1000);
        res.once('close', wait.cancel); // the client gave up
        job = await findJob(ctx, id);
        if (FINAL_STATES.includes(job.state)) wait.cancel();
        await wait.done;
        if (res.destroyed) return;
        job = await findJob(ctx, id);
      }
      // Names given since in the identity index show in the summary's labels.
      const summary = await summaryWithIndexedNames(ctx.matcher, ctx.jobs, job, ctx.log);
      res.json(jobView({ ...job, summary }, ctx.apiBase(req)));
    }),
  );

  router.delete(
    '/:id',
    route(async (req, res) => {
      const job = await findJob(ctx, String(req.params.id));
      if (!FINAL_STATES.includes(job.state)) {
        const stopped = await ctx.jobs.update(job.id, { state: 'stopped', timeCompleted: new Date().toISOString() }, { ifState: ['waiting', 'processing'] });
        if (stopped) {
          await ctx.bus.publish({ type: 'job.cancelled', jobId: job.id });
          ctx.log.info({ jobId: job.id }, 'job cancelled');
          res.json(jobView(stopped, ctx.apiBase(req)));
          return;
        }
        // It finished meanwhile: delete it like any finished job.
      }
      await ctx.jobs.delete(job.id);
      ctx.log.info({ jobId: job.id }, 'job deleted');
      res.status(204).end();
    }),
  );

  router.get(
    '/:id/detailed-results',
    route(async (req, res) => {
      const job = await findJob(ctx, String(req.params.id));
      const page = parsePage(req.query);
      const results = await ctx.jobs.getResults(job.id, page);
      const base = `${ctx.apiBase(req)}/jobs/${job.id}/detailed-results/`;
      res.json({ total: results.total, offset: page.offset, limit: page.limit, ...pageLinks(base, {}, { ...page, total: results.total }), data: await withIndexedNames(ctx.matcher, results.items, ctx.log) });
    }),
  );

  router.get(
    '/:id/deliveries',
    route(async (req, res) => {
      const job = await findJob(ctx, String(req.params.id));
      const status = job.webhook ?? null;
      res.json({
        callback_url: job.callbackUrl ?? null,
        state: status?.state ?? null,
        next_attempt_at: status?.nextAttemptAt ?? null,
        total: status?.attempts.length ?? 0,
        data: status?.attempts ?? [],
      });
    }),
  );

  return router;
}

async function findJob(ctx: GatewayContext, id: string): Promise<JobRecord> {
  const job = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.jobs.get(id) : undefined;
  if (!job) throw notFound(`job ${id}`);
  return job;
}


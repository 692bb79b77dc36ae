// The REST gateway (express): SPEC §1–§4, the OpenAPI document, health and metrics. It validates
// everything at the edge, keeps jobs in the JobStore, hands work to the decoder over the bus, and
// asks the matcher (gRPC) about galleries.
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError, invalid, isApiError, isStorageFull, readOnly, STORAGE_FULL_DETAILS, storageFull } from '../../libs/api/errors.js';
import { buildOpenApi } from '../../libs/api/openapi.js';
import type { Bus } from '../../libs/bus/bus.js';
import { grpc, isGrpcError, type DetectorClient, type EmbedderClient, type MatcherClient } from '../../libs/grpc/grpc.js';
import type { Logger } from '../../libs/log/logger.js';
import { readiness, type ReadinessCheck } from '../../libs/service/health-server.js';
import { metrics, registry } from '../../libs/service/metrics.js';
import type { BlobStore } from '../../libs/store/blob-store.js';
import type { JobStore } from '../../libs/store/job-store.js';
import type { AuditLog } from '../../libs/store/audit-log.js';
import type { KeyStore } from '../../libs/store/key-store.js';
import { auditRoutes } from './audit-routes.js';
import { erasureRoutes } from './erasure-routes.js';
import { GatewayAuth } from './auth.js';
import { keyRoutes } from './keys-routes.js';
import { Enroller } from '../../libs/face-client/enrol.js';
import { identityIndexRoutes } from './identities-routes.js';
import { jobRoutes } from './jobs-routes.js';
import { modelRoutes } from './models-routes.js';
import { storageRoutes } from './storage-routes.js';
import { webAppRoutes } from './web-app.js';
import { JobWaiters } from './job-waiters.js';

export interface GatewayDeps {
  jobs: JobStore;
  blobs: BlobStore;
  bus: Bus;
  matcher: MatcherClient;
  detector: DetectorClient;
  embedder: EmbedderClient;
  log: Logger;
  limits: { maxSources: number; maxUploadBytes: number; maxImagePixels: number };
  fetch: { maxBytes: number; timeoutMs: number; allowPrivate: boolean };
  /** Folder under which `import-folder` may read (null: that route is off). */
  importRoot: string | null;
  /** Base of absolute links, e.g. "https://faces.example.org"; null: from the request's Host. */
  publicUrl: string | null;
  readiness: () => readonly ReadinessCheck[];
  /** API keys and the audit trail, shared by every gateway replica. */
  keys: KeyStore;
  audit: AuditLog;
  auth: { apiKey: string | null; metricsPublic: boolean; rateLimit: number; rateBurst: number };
  /** Webhooks are on when a secret is set. */
  webhooks: { secret: string | null };
  /** Readers waiting for jobs to finish; made here from `bus` when not given (the caller closes its own). */
  jobWaiters?: JobWaiters;
}

export interface GatewayContext extends GatewayDeps {
  enroller: Enroller;
  jobWaiters: JobWaiters;
  gatewayAuth: GatewayAuth;
  /** "http://host/api/v1" for links in answers. */
  apiBase(req: Request): string;
}

export function createGatewayApp(deps: GatewayDeps): express.Express {
  const ctx: GatewayContext = {
    ...deps,
    enroller: new Enroller(deps.detector, deps.embedder, deps.limits.maxImagePixels),
    jobWaiters: deps.jobWaiters ?? new JobWaiters(deps.bus),
    gatewayAuth: new GatewayAuth(deps.keys, deps.auth),
    apiBase: (req) => `${deps.publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`}/api/v1`,
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requestMetrics);

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const r = await readiness(deps.readiness());
    res.status(r.ready ? 200 : 503).json(r);
  });
  const metricsGuard = deps.auth.metricsPublic ? [] : [ctx.gatewayAuth.guard(() => 'read')];
  app.get('/metrics', ...metricsGuard, async (_req, res) => void res.type(registry.contentType).send(await registry.metrics()));
  app.use('/api/v1', ctx.gatewayAuth.api());
  app.get('/api/v1/openapi.json', (req, res) => void res.json(buildOpenApi(ctx.apiBase(req).replace(/\/api\/v1$/, ''))));

  app.use('/api/v1/jobs', jobRoutes(ctx));
  app.use('/api/v1/models', modelRoutes(ctx));
  app.use('/api/v1/identities', identityIndexRoutes(ctx));
  app.use('/api/v1/storage', storageRoutes(ctx));
  app.use('/api/v1/keys', keyRoutes(ctx));
  app.use('/api/v1/audit', auditRoutes(ctx));
  app.use('/api/v1/erasure', erasureRoutes(ctx));

  app.use(webAppRoutes());

  app.use((req, _res, next) => next(new ApiError(404, 'not_found', null, `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.log));
  return app;
}

/** JSON bodies: a body that is not JSON is a 400, not a 500. */
export const jsonBody = express.json({ limit: '10mb', strict: false, type: () => true });

/** Wraps an async route so that its rejections reach the error handler. */
export function route(fn: (req: Request, res: Response) => Promise<unknown>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    fn(req, res).catch(next);
  };
}

function requestMetrics(req: Request, res: Response, next: NextFunction): void {
  const end = metrics.httpSeconds.startTimer();
  // The matched route template, not the path: ids must not explode the label set. It is taken
  // when the router matches the route, while req.baseUrl still holds the mount path: a request
  // answered by the error handler has left its router by then, and req.baseUrl is empty again.
  let pattern = 'unmatched';
  let matched: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => matched,
    set: (route: { path?: unknown } | undefined) => {
      matched = route;
      if (route?.path !== undefined) pattern = `${req.baseUrl}${String(route.path)}`;
    },
  });
  res.on('finish', () => {
    end({ method: req.method, route: pattern });
    metrics.httpRequests.inc({ method: req.method, route: pattern, status: String(res.statusCode) });
  });
  next();
}

/** Named errors → HTTP: ApiError as is, gRPC status codes from the services, body parse errors as 400. */
function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let apiError: ApiError;
    if (isApiError(err)) apiError = err;
    else if (isBodyError(err)) {
      apiError =
        err.type === 'entity.too.large'
          ? new ApiError(413, 'payload_too_large', null, 'the request body is too large')
          : invalid(null, `the request body is not valid JSON: ${err.message}`);
    } else if (isGrpcError(err)) apiError = fromGrpc(err);
    else if (isStorageFull(err)) {
      log.warn({ err, method: req.method, path: req.path }, 'request failed: storage full');
      apiError = storageFull();
    } else {
      log.error({ err, method: req.method, path: req.path }, 'request failed');
      apiError = new ApiError(500, 'internal', null, 'internal error');
    }
    if (apiError.status >= 500) log.warn({ status: apiError.status, message: apiError.message, path: req.path }, 'request failed');
    if (!res.headersSent) res.status(apiError.status).json(apiError.toBody());
  };
}

function isBodyError(err: unknown): err is { type: string; message: string } {
  return typeof err === 'object' && err !== null && 'type' in err && typeof (err as { type: unknown }).type === 'string' && String((err as { type: string }).type).startsWith('entity.');
}

export function fromGrpc(err: grpc.ServiceError, field: string | null = null): ApiError {
  switch (err.code) {
    case grpc.status.NOT_FOUND:
      return new ApiError(404, 'not_found', field, err.details);
    case grpc.status.ALREADY_EXISTS:
      return new ApiError(409, 'conflict', field, err.details);
    case grpc.status.PERMISSION_DENIED: // a change to a read-only gallery: about the model, not a field
      return readOnly(err.details);
    case grpc.status.INVALID_ARGUMENT:
      return invalid(field, err.details);
    case grpc.status.RESOURCE_EXHAUSTED:
      if (err.details?.startsWith(STORAGE_FULL_DETAILS)) return storageFull();
      return new ApiError(500, 'internal', null, err.details || 'internal error');
    case grpc.status.UNAVAILABLE:
    case grpc.status.DEADLINE_EXCEEDED:
      return new ApiError(503, 'unavailable', null, `a service is unavailable: ${err.details}`);
    default:
      return new ApiError(500, 'internal', null, err.details || 'internal error');
  }
}

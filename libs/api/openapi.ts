// The OpenAPI 3.1 document the gateway serves at /api/v1/openapi.json. Limits and defaults come
// from the validators, so the document cannot drift from what the API accepts.
import { MAX_DETECTION_SCALE, MIN_DETECTION_SCALE } from '../engine/detect-options.js';
import { JOB_STATES } from '../jobs/types.js';
import { BLOB_ID_PATTERN } from '../store/blob-store.js';
import { MAX_SOURCE_LENGTH } from './fields.js';
import { PAGE_LIMITS } from './pagination.js';
import { IDENTITY_CATEGORIES } from '../gallery/gallery-store.js';
import { MAX_DESCRIPTION_LENGTH, MAX_IMAGES_PER_REQUEST, MAX_NAME_LENGTH } from './validate-gallery.js';
import {
  FACE_RECOGNITION_DEFAULTS as D,
  MAX_DISTANCE_LIMIT,
  MAX_MODEL_REF_LENGTH,
  MAX_MODELS_PER_JOB,
  MAX_TAG_LENGTH,
  MAX_TOP_K,
} from './validate-job.js';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (type: string): Schema => ({ type: [type, 'null'] });
const json = (schema: Schema, description: string): Schema => ({
  description,
  content: { 'application/json': { schema } },
});
const object = (properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const page = (item: string): Schema =>
  object({
    total: { type: 'integer', minimum: 0 },
    offset: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1 },
    next: { type: ['string', 'null'], format: 'uri' },
    prev: { type: ['string', 'null'], format: 'uri' },
    data: { type: 'array', items: ref(item) },
  });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `field` is the dotted path of the offending value',
  404: 'Not found',
  409: 'Conflict with the current state: a taken name, a job that cannot change now (`conflict`), or a change to the read-only pre-built `celebrities` model (`read_only`: create your own gallery and combine both in the job with `models`)',
  413: 'Upload larger than the configured limit',
  416: 'Range not satisfiable (past the end of the upload)',
  401: 'No valid API key (FACEREC_API_KEY is set): send `Authorization: Bearer <key>` or `X-API-Key: <key>`',
  403: 'The key lacks the scope this route needs',
  429: 'The key is over its rate limit; `Retry-After` says when to retry',
};
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]));

const param = (name: string): Schema => ({ $ref: `#/components/parameters/${name}` });
const pathParam = (name: string, description: string): Schema => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
const JOB_ID = pathParam('id', 'Job id');
const MODEL = pathParam('model', 'Model id or name');
const IDENTITY = pathParam('identity', 'Identity id');
const KEY_ID = pathParam('key', 'API key id');
const INDEXED_ID = pathParam('id', 'Indexed identity id');

const binary: Schema = { type: 'string', contentMediaType: 'application/octet-stream' };

const PATHS: Record<string, Record<string, Schema>> = {
  '/api/v1/jobs/': {
    post: {
      operationId: 'createJob',
      summary: 'Submit a face recognition job',
      requestBody: { required: true, content: { 'application/json': { schema: ref('JobCreate') } } },
      responses: { '201': json(ref('Job'), 'The job, waiting'), ...errors(400) },
    },
    get: {
      operationId: 'listJobs',
      summary: 'List jobs, newest first',
      parameters: [
        param('limit'),
        param('offset'),
        { name: 'state', in: 'query', schema: { type: 'string', enum: [...JOB_STATES] } },
        { name: 'tag', in: 'query', schema: { type: 'string' } },
      ],
      responses: { '200': json(page('Job'), 'A page of jobs'), ...errors(400) },
    },
  },
  '/api/v1/jobs/{id}/': {
    get: {
      operationId: 'getJob',
      summary: 'The job; with `wait`, held until it is completed, failed or stopped (or the wait runs out)',
      parameters: [
        JOB_ID,
        {
          name: 'wait',
          in: 'query',
          description: 'Seconds (0–60) to hold the answer until the job is final; it comes as soon as the job finishes. 0 (the default) answers at once.',
          schema: { type: 'number', minimum: 0, maximum: 60 },
        },
      ],
      responses: { '200': json(ref('Job'), 'The job'), ...errors(400, 404) },
    },
    delete: {
      operationId: 'deleteJob',
      summary: 'Cancel a waiting or running job, or delete a finished one and its results',
      parameters: [JOB_ID],
      responses: {
        '200': json(ref('Job'), 'The job was running and is now `stopped`'),
        '204': { description: 'The finished job and its results were deleted' },
        ...errors(404),
      },
    },
  },
  '/api/v1/jobs/{id}/detailed-results/': {
    get: {
      operationId: 'getDetailedResults',
      parameters: [JOB_ID, param('limit'), param('offset')],
      responses: { '200': json(page('ResultItem'), 'A page of result items'), ...errors(400, 404) },
    },
  },
  '/api/v1/jobs/{id}/deliveries/': {
    get: {
      operationId: 'getWebhookDeliveries',
      summary: "The job's webhook deliveries (callback_url): every attempt, with the status answered",
      parameters: [JOB_ID],
      responses: { '200': json(ref('WebhookDeliveries'), 'State and attempts (empty without a callback_url)'), ...errors(404) },
    },
  },
  '/api/v1/models/': {
    post: {
      operationId: 'createModel',
      requestBody: { required: true, content: { 'application/json': { schema: ref('ModelCreate') } } },
      responses: { '201': json(ref('Model'), 'The new model'), ...errors(400, 409) },
    },
    get: {
      operationId: 'listModels',
      parameters: [param('limit'), param('offset')],
      responses: { '200': json(page('Model'), 'A page of models'), ...errors(400) },
    },
  },
  '/api/v1/models/{model}/': {
    get: {
      operationId: 'getModel',
      parameters: [MODEL],
      responses: { '200': json(ref('Model'), 'The model'), ...errors(404) },
    },
    delete: {
      operationId: 'deleteModel',
      summary: 'Delete a model with its identities and samples (not the read-only default `celebrities` model: 409 `read_only`)',
      parameters: [MODEL],
      responses: { '204': { description: 'Deleted' }, ...errors(404, 409) },
    },
  },
  '/api/v1/models/{model}/identities/': {
    post: {
      operationId: 'addIdentity',
      summary: 'Add an identity with face samples (or add samples to the identity of that name)',
      description:
        'Each image must show a face; with several faces the largest is used only if it is at least twice ' +
        'the area of the next. Images where no face qualifies are reported in `rejected`. ' +
        'The pre-built `celebrities` model is read-only (409 `read_only`, before any photo is read).',
      parameters: [MODEL],
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: ref('IdentityCreate') },
          'multipart/form-data': {
            schema: object(
              {
                name: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
                images: { type: 'array', items: binary, maxItems: MAX_IMAGES_PER_REQUEST },
              },
              ['name', 'images'],
            ),
          },
        },
      },
      responses: {
        '201': json(ref('IdentityCreated'), 'The identity and what was added'),
        '200': json(ref('IdentityCreated'), 'Nothing added: the identity already holds every face sent (each listed in `rejected`)'),
        ...errors(400, 404, 409, 413),
      },
    },
    get: {
      operationId: 'listIdentities',
      summary: "A model's identities by name; `q` finds people by a part of their name",
      parameters: [
        MODEL,
        {
          name: 'q',
          in: 'query',
          description: 'Only identities whose name or one of its aliases contains this text, ignoring case (`q=obam` finds "Barack Obama"); `total` counts those found',
          schema: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
        },
        {
          name: 'category',
          in: 'query',
          description: 'Only identities of this category (pre-built galleries; any other value: 400 on `category`)',
          schema: { type: 'string', enum: [...IDENTITY_CATEGORIES] },
        },
        {
          name: 'country',
          in: 'query',
          description: 'Only identities of this country, an ISO 3166-1 alpha-2 code (`DE`; case ignored; anything else: 400 on `country`)',
          schema: { type: 'string', pattern: '^[A-Za-z]{2}$' },
        },
        param('limit'),
        param('offset'),
      ],
      responses: { '200': json(page('Identity'), 'A page of identities, by name'), ...errors(400, 404) },
    },
  },
  '/api/v1/models/{model}/identities/{identity}/': {
    get: {
      operationId: 'getIdentity',
      parameters: [MODEL, IDENTITY],
      responses: { '200': json(ref('Identity'), 'The identity'), ...errors(404) },
    },
    patch: {
      operationId: 'renameIdentity',
      parameters: [MODEL, IDENTITY],
      requestBody: { required: true, content: { 'application/json': { schema: ref('IdentityRename') } } },
      responses: { '200': json(ref('Identity'), 'The renamed identity'), ...errors(400, 404, 409) },
      description: 'A taken name: 409 `conflict` on `name`; an identity of the read-only `celebrities` model: 409 `read_only`.',
    },
    delete: {
      operationId: 'deleteIdentity',
      summary: 'Erase a gallery person',
      description:
        'Their samples (vectors and face crops) go, and so do the indexed identities once named into them; stored results of jobs ' +
        'matched against this model no longer show their name or face thumbnails (boxes and times stay). ' +
        'An audit record (`erasure.identity`) keeps ids and counts, not the name. ' +
        'The read-only `celebrities` model changes only by rebuilding its artefact (409 `read_only`).',
      parameters: [MODEL, IDENTITY],
      responses: { '204': { description: 'Erased with its samples' }, ...errors(404, 409) },
    },
  },
  '/api/v1/models/{model}/import-folder/': {
    post: {
      operationId: 'importFolder',
      summary: 'Bulk import from a server-side folder laid out <person>/<image>',
      description:
        "Only when the operator has enabled it (FACEREC_IMPORT_ROOT; else 400 on `path`); `path` must lie inside the operator's import root.",
      parameters: [MODEL],
      requestBody: { required: true, content: { 'application/json': { schema: ref('FolderImport') } } },
      responses: {
        '201': json(ref('ImportReport'), 'What was imported'),
        ...errors(400, 404, 409),
      },
    },
  },
  '/api/v1/models/{model}/export/': {
    get: {
      operationId: 'exportModel',
      summary: 'The model as one file: names, embeddings, face crops and embedding model version',
      parameters: [MODEL],
      responses: { '200': json(ref('ModelExport'), 'The export file'), ...errors(404) },
    },
  },
  '/api/v1/models/{model}/reembed/': {
    post: {
      operationId: 'reembedModel',
      summary: 'Re-embed a gallery from its samples\' source crops with the running embedder',
      description:
        'Meanwhile jobs matching against the gallery wait. A gallery with a sample whose crop yields no face is left as it was, and the answer lists those samples. Galleries made by another embedder are re-embedded at start without this call.',
      parameters: [MODEL],
      responses: { '200': json(ref('ReembedReport'), 'What was re-embedded'), ...errors(404, 409) },
    },
  },
  '/api/v1/models/import/': {
    post: {
      operationId: 'importModel',
      summary: 'Create a model from an export file (not under the read-only name `celebrities`: 409 `read_only`)',
      parameters: [
        {
          name: 'name',
          in: 'query',
          description: 'Import under this name instead of the one in the file',
          schema: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
        },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: ref('ModelExport') } } },
      responses: { '201': json(ref('Model'), 'The imported model'), ...errors(400, 409, 413) },
    },
  },
  '/api/v1/identities/': {
    get: {
      operationId: 'listIndexedIdentities',
      summary: 'List the identity index: unknown persons given a persistent id by jobs with `index_unknowns`, newest first',
      parameters: [
        param('limit'),
        param('offset'),
        { name: 'named', in: 'query', description: 'Only named (`true`) or only unnamed (`false`) ones', schema: { type: 'string', enum: ['true', 'false'] } },
      ],
      responses: { '200': json(page('IndexedIdentity'), 'A page of indexed identities'), ...errors(400) },
    },
  },
  '/api/v1/identities/{id}/': {
    get: {
      operationId: 'getIndexedIdentity',
      parameters: [INDEXED_ID],
      responses: { '200': json(ref('IndexedIdentity'), 'The indexed identity'), ...errors(404) },
    },
    patch: {
      operationId: 'nameIndexedIdentity',
      summary: 'Name an indexed identity',
      description:
        "Its face samples move into the model's identity of that name (created when new, extended when it exists), " +
        'so later jobs recognise the person through that model; results of past jobs show the name too ' +
        '(`meta.person`, and the summary labels). An identity is named once (409 `conflict` after that); ' +
        'it cannot be named into the read-only `celebrities` model (409 `read_only`).',
      parameters: [INDEXED_ID],
      requestBody: { required: true, content: { 'application/json': { schema: ref('IndexedIdentityName') } } },
      responses: { '200': json(ref('IndexedIdentity'), 'The named identity'), ...errors(400, 404, 409) },
    },
    delete: {
      operationId: 'eraseIndexedIdentity',
      summary: 'Erase an indexed person (admin)',
      description:
        'Removes its samples (vectors, face crops), thumbnail and appearances from the index, and blanks its results in stored jobs ' +
        '(thumbnail, `meta.person`, `meta.indexed_identity`; boxes and times stay). A named one keeps its gallery identity: ' +
        'erase that through DELETE /api/v1/models/{model}/identities/{identity}/. Leaves an audit record (`erasure.indexed`).',
      parameters: [INDEXED_ID],
      responses: { '200': json(ref('ErasureReport'), 'What was removed'), ...errors(404) },
    },
  },
  '/api/v1/storage/': {
    post: {
      operationId: 'uploadMedia',
      summary: 'Store an upload for use as storage://<id>',
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': { schema: object({ file: binary }) },
          'application/octet-stream': { schema: binary },
          'image/*': { schema: binary },
          'video/*': { schema: binary },
        },
      },
      responses: { '201': json(ref('StoredMedia'), 'Stored'), ...errors(400, 413) },
    },
  },
  '/api/v1/storage/{id}/': {
    get: {
      operationId: 'getMedia',
      summary: 'The stored upload, as uploaded (one byte range with `Range: bytes=a-b`)',
      description:
        'Media types (image/*, video/*, audio/*) are served as stored; anything else as application/octet-stream. ' +
        'Answers `206` with `Content-Range` to a single byte range, `416` to a range past the end.',
      parameters: [pathParam('id', 'Upload id (the part after storage://)'), { name: 'Range', in: 'header', schema: { type: 'string', examples: ['bytes=0-1023'] } }],
      responses: {
        '200': { description: 'The upload', content: { 'application/octet-stream': { schema: binary } } },
        '206': { description: 'The requested byte range', content: { 'application/octet-stream': { schema: binary } } },
        ...errors(404, 416),
      },
    },
  },
  '/api/v1/keys/': {
    post: {
      operationId: 'createKey',
      summary: 'Create an API key (admin); the key text is in this answer only',
      requestBody: { required: true, content: { 'application/json': { schema: ref('ApiKeyCreate') } } },
      responses: { '201': json(ref('ApiKeyCreated'), 'The new key, with its secret `key`'), ...errors(400) },
    },
    get: {
      operationId: 'listKeys',
      summary: 'List API keys (admin), oldest first, without secrets',
      responses: { '200': json(object({ total: { type: 'integer', minimum: 0 }, data: { type: 'array', items: ref('ApiKey') } }), 'Every stored key') },
    },
  },
  '/api/v1/keys/{key}/': {
    get: {
      operationId: 'getKey',
      parameters: [KEY_ID],
      responses: { '200': json(ref('ApiKey'), 'The key, without its secret'), ...errors(404) },
    },
    delete: {
      operationId: 'revokeKey',
      summary: 'Revoke an API key (admin): it stops working at once on every gateway replica',
      parameters: [KEY_ID],
      responses: { '204': { description: 'Revoked' }, ...errors(404) },
    },
  },
  '/api/v1/audit/': {
    get: {
      operationId: 'listAudit',
      summary: 'Audit trail (admin): key changes and erasures, newest first',
      parameters: [param('limit'), param('offset')],
      responses: { '200': json(page('AuditRecord'), 'A page of audit records'), ...errors(400) },
    },
  },
  '/api/v1/erasure/': {
    post: {
      operationId: 'erasePerson',
      summary: 'Erase a person everywhere, found by a photo or named by an identity id (admin)',
      description:
        'With a photo (multipart field `file`; one face, or one that clearly dominates): its face is matched against every gallery ' +
        '(identities within `max_distance`, contract scale, default as for jobs) and the identity index; each one found is erased as by ' +
        'DELETE /api/v1/models/{model}/identities/{identity}/ and DELETE /api/v1/identities/{id}/, with its thumbnails and name in stored ' +
        'results. With `{"identity_id"}`: that indexed identity (and its gallery identity once named) or gallery identity. Stored results ' +
        'keep no embeddings: a face in a past job is reached through the gallery person it was named as, or the indexed identity it was ' +
        'given (`index_unknowns`); other unknown faces of past jobs cannot be found by a photo. Galleries being re-embedded are listed in ' +
        '`not_searched`. Leaves an audit record (`erasure.search`), without names.',
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': { schema: object({ file: binary, max_distance: { type: 'number', minimum: 0, maximum: MAX_DISTANCE_LIMIT, default: D.max_distance } }, ['file']) },
          'application/json': { schema: object({ identity_id: { type: 'string', minLength: 1, maxLength: 200 } }) },
        },
      },
      responses: { '200': json(ref('ErasureSearchReport'), 'What was found and removed (empty lists: nobody)'), ...errors(400, 404) },
    },
  },
  '/healthz': {
    get: {
      operationId: 'liveness',
      responses: { '200': json(object({ status: { const: 'ok' } }), 'The process is alive') },
    },
  },
  '/readyz': {
    get: {
      operationId: 'readiness',
      responses: {
        '200': json(ref('Readiness'), 'Ready to take requests'),
        '503': json(ref('Readiness'), 'Not ready (a dependency is down or still starting)'),
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      responses: {
        '200': {
          description: 'Prometheus metrics',
          content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } },
        },
      },
    },
  },
  '/api/v1/openapi.json': {
    get: {
      operationId: 'openapi',
      responses: { '200': json({ type: 'object' }, 'This document') },
    },
  },
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// Every /api/v1 route (and /metrics, unless FACEREC_METRICS_PUBLIC) may answer 401, 403 and 429
// when keys are in use.
for (const [path, item] of Object.entries(PATHS)) {
  if (!path.startsWith('/api/v1/') && path !== '/metrics') continue;
  for (const [method, op] of Object.entries(item)) {
    if (!HTTP_METHODS.includes(method)) continue;
    op.security = [{ bearer: [] }, { apiKeyHeader: [] }];
    op.responses = { ...(op.responses as Schema), ...errors(401, 403, 429) };
  }
}

/** Every route the document describes, for checking that the gateway serves each. */
export const OPENAPI_ROUTES: readonly { method: string; path: string }[] = Object.entries(PATHS).flatMap(
  ([path, item]) =>
    Object.keys(item)
      .filter((key) => HTTP_METHODS.includes(key))
      .map((method) => ({ method: method.toUpperCase(), path })),
);

const source: Schema = {
  type: 'string',
  maxLength: MAX_SOURCE_LENGTH,
  pattern: `^(https?://[^/\\\\?#].*|storage://${BLOB_ID_PATTERN.source.slice(1, -1)})$`,
  description: 'An http(s) URL, or storage://<id> from POST /api/v1/storage/',
};

const faceRecognitionParams: Record<string, Schema> = {
  model: { type: 'string', minLength: 1, maxLength: MAX_MODEL_REF_LENGTH, default: D.model, description: 'Model id or name' },
  models: {
    type: ['array', 'null'],
    items: { type: 'string', minLength: 1, maxLength: MAX_MODEL_REF_LENGTH },
    minItems: 1,
    maxItems: MAX_MODELS_PER_JOB,
    uniqueItems: true,
    default: null,
    description: 'Several models at once; overrides `model`',
  },
  max_distance: { type: 'number', minimum: 0, maximum: MAX_DISTANCE_LIMIT, default: D.max_distance },
  cluster_unknowns: { type: 'boolean', default: D.cluster_unknowns },
  index_unknowns: { type: 'boolean', default: D.index_unknowns, description: 'Implies `cluster_unknowns`' },
  face_detection_scale: {
    type: 'integer',
    minimum: MIN_DETECTION_SCALE,
    maximum: MAX_DETECTION_SCALE,
    default: D.face_detection_scale,
  },
  enable_top_k: { type: 'boolean', default: D.enable_top_k },
  top_k: { type: 'integer', minimum: 1, maximum: MAX_TOP_K, default: D.top_k },
};

const SCOPE: Schema = { enum: ['read', 'write', 'galleries', 'admin'], description: 'read: jobs and results; write: submit, upload; galleries: models and identities; admin: everything, with keys, audit and erasure' };
const RATE_LIMIT: Schema = {
  ...object({ per_second: { type: 'number', minimum: 0, maximum: 1e6, description: '0: no limit' }, burst: { type: 'integer', minimum: 1, maximum: 1e6 } }),
  type: ['object', 'null'],
};
const API_KEY_PROPS: Record<string, Schema> = {
  id: { type: 'string' },
  name: { type: 'string' },
  scopes: { type: 'array', items: SCOPE },
  created: { type: 'string', format: 'date-time' },
  rate_limit: { ...RATE_LIMIT, description: "null: the installation's FACEREC_RATE_LIMIT / FACEREC_RATE_BURST" },
};

/** What an erasure removed (services/gateway/erasure.ts, ErasureReport). */
const ERASURE_REPORT: Record<string, Schema> = {
  gallery: {
    type: 'array',
    description: 'Gallery identities removed',
    items: object({ model_id: { type: 'string' }, identity_id: { type: 'string' }, samples: { type: 'integer', minimum: 0 } }),
  },
  indexed: {
    type: 'array',
    description: 'Indexed identities removed',
    items: object({ id: { type: 'string' }, samples: { type: 'integer', minimum: 0 }, appearances: { type: 'integer', minimum: 0 } }),
  },
  results: {
    ...object({ jobs: { type: 'integer', minimum: 0 }, blanked: { type: 'integer', minimum: 0 }, mentions: { type: 'integer', minimum: 0 } }),
    description: 'Stored results: jobs changed, results that showed the person (blanked), mentions of their name among the nearest persons of others (removed)',
  },
  audit_id: { type: 'string', description: 'The audit record of this erasure' },
};

const SCHEMAS: Record<string, Schema> = {
  ApiKeyCreate: object(
    { name: { type: 'string', minLength: 1, maxLength: 200 }, scopes: { type: 'array', items: SCOPE, minItems: 1 }, rate_limit: RATE_LIMIT },
    ['name', 'scopes'],
  ),
  ApiKey: object(API_KEY_PROPS),
  ApiKeyCreated: object({ ...API_KEY_PROPS, key: { type: 'string', description: 'The key: shown once, stored only as a scrypt hash' } }),
  WebhookDeliveries: object({
    callback_url: { type: ['string', 'null'] },
    state: { enum: ['pending', 'delivered', 'failed', null], description: 'failed: not delivered within 24 h' },
    next_attempt_at: { type: ['string', 'null'], format: 'date-time' },
    total: { type: 'integer', minimum: 0 },
    data: {
      type: 'array',
      items: object({
        attempt: { type: 'integer', minimum: 1 },
        time: { type: 'string', format: 'date-time' },
        status: { type: ['integer', 'null'], description: 'HTTP status answered; null when none came' },
        ok: { type: 'boolean' },
        error: { type: ['string', 'null'] },
        duration_ms: { type: 'number', minimum: 0 },
      }),
    },
  }),
  AuditRecord: object({
    id: { type: 'string' },
    time: { type: 'string', format: 'date-time' },
    actor: { type: 'string', description: 'Key id; "bootstrap" (FACEREC_API_KEY) or "anonymous"' },
    action: { type: 'string', examples: ['key.create', 'key.revoke', 'erasure.identity'] },
    target: { type: 'string' },
    details: { type: 'object' },
  }),
  Error: object({
    error: object({
      code: { type: 'string', examples: ['invalid_request', 'not_found', 'conflict', 'read_only'] },
      field: { ...nullable('string'), examples: ['modules.face_recognition.top_k', 'sources[2]'] },
      message: { type: 'string' },
    }),
  }),
  Source: source,
  FaceRecognitionParams: object(faceRecognitionParams, []),
  JobCreate: object(
    {
      sources: { type: 'array', items: ref('Source'), minItems: 1, description: "At most the operator's limit" },
      tag: { type: 'string', maxLength: MAX_TAG_LENGTH, default: '' },
      modules: object({ face_recognition: { oneOf: [ref('FaceRecognitionParams'), { type: 'null' }] } }),
      callback_url: {
        type: ['string', 'null'],
        format: 'uri',
        maxLength: 2048,
        description:
          'http(s) URL the job document is POSTed to when the job completes or fails, signed with `X-Facerec-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` ' +
          '(FACEREC_WEBHOOK_SECRET); retried with exponential backoff for up to 24 h on non-2xx. Its host must pass the same address checks as URL sources.',
      },
    },
    ['sources', 'modules'],
  ),
  Job: object({
    id: { type: 'string', format: 'uuid' },
    tag: { type: 'string' },
    state: { type: 'string', enum: [...JOB_STATES] },
    errors: { type: 'array', items: object({ source: { type: 'string' }, message: { type: 'string' } }) },
    warnings: { type: 'array', items: { type: 'string' } },
    progress: { type: 'number', minimum: 0, maximum: 1 },
    duration: { ...nullable('number'), description: 'Seconds from start to completion' },
    time_created: { type: 'string', examples: ['2021-05-20 09:34:37.135000'] },
    time_started: nullable('string'),
    time_completed: nullable('string'),
    sources: { type: 'array', items: { type: 'string' } },
    modules: object({
      face_recognition: {
        type: 'object',
        description: 'The parameters as sent, with the module state',
        properties: {
          ...faceRecognitionParams,
          state: { type: 'string', enum: [...JOB_STATES] },
          progress: { type: 'number', minimum: 0, maximum: 1 },
        },
        required: ['state', 'progress'],
      },
    }),
    media_type: { enum: ['image', 'video', 'mixed', null] },
    result: {
      oneOf: [
        object({ detailed_link: { type: 'string', format: 'uri' }, summary: { type: 'array', items: ref('SourceSummary') } }),
        { type: 'null' },
      ],
    },
  }),
  SourceSummary: object({
    source: { type: 'string' },
    media_type: { enum: ['image', 'video'] },
    info: object(
      {
        fps: { type: 'number' },
        resolution: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
        total_frames: { type: 'integer' },
        duration: { type: 'number' },
      },
      ['resolution'],
    ),
    items: {
      type: 'array',
      items: object({
        type: { const: 'face' },
        label: { type: 'string', examples: ['John Doe', 'Unknown', 'Unknown #1'] },
        module: { const: 'face_recognition' },
      }),
    },
  }),
  ResultItem: object({
    id: { type: 'string' },
    media_type: { enum: ['image', 'video'] },
    source: { type: 'string', description: 'The source exactly as submitted' },
    module: { const: 'face_recognition' },
    frame_start: { type: 'integer', minimum: 0 },
    frame_end: { type: 'integer', minimum: 0 },
    time_start: { type: 'number', minimum: 0 },
    time_end: { type: 'number', minimum: 0 },
    tc_start: { type: 'string', examples: ['00:00:00:12', '00:01:00;02'] },
    tc_end: { type: 'string' },
    meta: object(
      {
        person: nullable('string'),
        class_id: { type: 'null' },
        closest_person: nullable('string'),
        closest_k_persons: {
          type: 'array',
          items: object({ person: { type: 'string' }, similarity: { type: 'number' } }),
        },
        mean_distance: { type: ['number', 'null'], minimum: 0, maximum: 2 },
        mean_similarity: { type: ['number', 'null'], minimum: -1, maximum: 1 },
        indexed_identity: {
          ...nullable('string'),
          description: 'With `index_unknowns`: the persistent id of an unknown person (GET /api/v1/identities/{id}/); once it is named, `person` shows the name',
        },
        unidentified_reason: {
          ...nullable('string'),
          description:
            'Why the face has no identity: none of its faces could be embedded (too small, blurred, in profile or cut by the frame edge), so it is compared with no gallery and clustered with nobody: `person` null (`Unknown`, never `Unknown #n`), `closest_person` and distances null, `closest_k_persons` empty. Null when the face was embedded (named or not); absent from results stored before this field existed',
          examples: ['too small or too blurred to recognise'],
        },
      },
      ['person', 'class_id', 'closest_person', 'mean_distance', 'mean_similarity', 'indexed_identity'],
    ),
    thumbnail: object({
      image: { type: 'string', contentEncoding: 'base64', contentMediaType: 'image/jpeg' },
      meta: { type: 'object' },
    }),
    detections: {
      type: 'array',
      items: object({
        frame_index: { type: 'integer', minimum: 0 },
        type: { const: 'face_bbox' },
        data: object({
          x: { type: 'number' },
          y: { type: 'number' },
          w: { type: 'number' },
          h: { type: 'number' },
        }),
      }),
    },
  }),
  ModelCreate: object(
    {
      name: {
        type: 'string',
        minLength: 1,
        maxLength: MAX_NAME_LENGTH,
        description: 'Unique; no "/", no whitespace at either end, not shaped like a UUID',
      },
      description: { type: 'string', maxLength: MAX_DESCRIPTION_LENGTH, default: '' },
    },
    ['name'],
  ),
  Model: object({
    id: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string', description: 'Free text; for the pre-built `celebrities`, its source data set, counts and artefact' },
    embedding_model: { type: 'string', description: 'Catalog name of the embedder its vectors were made with' },
    embedding_sha256: { type: ['string', 'null'], description: "SHA-256 of that embedder's network file (null when not recorded)" },
    created: { type: 'string', format: 'date-time' },
    identity_count: { type: 'integer', minimum: 0, description: 'People (identities)' },
    sample_count: { type: 'integer', minimum: 0, description: 'Vectors (face samples) over all its people' },
    read_only: { type: 'boolean', description: 'The pre-built default gallery: changes through the API answer 409 `read_only`' },
    sources: { type: 'array', items: ref('GallerySource'), description: 'A pre-built gallery only: where its people come from, with the licence of each source' },
  }, ['id', 'name', 'description', 'embedding_model', 'embedding_sha256', 'created', 'identity_count', 'sample_count', 'read_only']),
  GallerySource: object({
    id: { type: 'string', examples: ['lfw', 'pins', 'cfp', 'congress', 'bundestag'] },
    title: { type: 'string', description: 'What the source is and where it comes from' },
    licence: { type: 'string', description: 'The licence of its photos, in words' },
    people: { type: 'integer', minimum: 0, description: 'People it brought to the build' },
    photos: { type: 'integer', minimum: 0 },
  }),
  IdentityCreate: object({
    name: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
    images: { type: 'array', items: ref('Source'), minItems: 1, maxItems: MAX_IMAGES_PER_REQUEST },
  }),
  IdentityRename: object({ name: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH } }),
  Identity: object({
    id: { type: 'string' },
    model_id: { type: 'string' },
    name: { type: 'string' },
    created: { type: 'string', format: 'date-time' },
    sample_count: { type: 'integer', minimum: 0 },
    aliases: { type: 'array', items: { type: 'string' }, description: 'Other names of the person (other sources\' spellings), found by `q` too; empty for own galleries' },
    category: { type: ['string', 'null'], enum: [...IDENTITY_CATEGORIES, null], description: 'Pre-built galleries: politics, sports, business or entertainment; null where not known' },
    country: { type: ['string', 'null'], description: 'Pre-built galleries: ISO 3166-1 alpha-2 country code where known', examples: ['DE'] },
    sources: { type: 'array', items: { type: 'string' }, description: 'Pre-built galleries: the sources of the person\'s photos (see the model\'s `sources`)' },
  }),
  RejectedImage: object({
    image: { type: 'string', description: 'The source, or the uploaded file name' },
    message: { type: 'string', examples: ['no face found', 'several faces and none clearly dominates'] },
  }),
  IdentityCreated: object({
    identity: ref('Identity'),
    added: { type: 'integer', minimum: 0, description: 'Samples added' },
    rejected: { type: 'array', items: ref('RejectedImage') },
  }),
  FolderImport: object({
    path: { type: 'string', minLength: 1, description: "A folder inside the operator's import root (relative to it, or absolute)" },
  }),
  ImportReport: object({
    identities: { type: 'array', items: ref('Identity'), description: 'Identities created or extended' },
    added: { type: 'integer', minimum: 0, description: 'Samples added' },
    rejected: { type: 'array', items: ref('RejectedImage') },
  }),
  ReembedReport: {
    type: 'object',
    required: ['model', 'samples', 'failed', 'embedding_model'],
    properties: {
      model: { type: 'string' },
      samples: { type: 'integer', description: 'Samples in the gallery' },
      failed: { type: 'array', items: { type: 'string' }, description: 'Samples that could not be re-embedded, with the reason (empty: the gallery was re-embedded)' },
      embedding_model: { type: 'string', description: 'The embedder the gallery\'s vectors are now from' },
    },
  },
  ModelExport: {
    type: 'object',
    description: 'A model export file as written by GET /api/v1/models/{model}/export/; read it back unchanged',
  },
  IndexedIdentity: object({
    id: { type: 'string', format: 'uuid', description: 'The persistent id, as in results’ `meta.indexed_identity`' },
    name: { ...nullable('string'), description: 'null until named' },
    model: { ...nullable('string'), description: 'The model it was named into (its name)' },
    model_id: nullable('string'),
    identity_id: { ...nullable('string'), description: 'The identity of that model that holds its samples' },
    thumbnail: { type: 'string', contentEncoding: 'base64', contentMediaType: 'image/jpeg', description: 'A face of the person (may be empty)' },
    created: { type: 'string', format: 'date-time' },
    named_at: { type: ['string', 'null'], format: 'date-time' },
    sample_count: { type: 'integer', minimum: 0, description: 'Face samples it holds; once named, those moved into the model' },
    appearance_count: { type: 'integer', minimum: 0 },
    appearances: {
      type: 'array',
      description: 'Where it appeared, most recent first (the latest few hundred)',
      items: object({
        job_id: { type: 'string' },
        source: { type: 'string' },
        result_ids: { type: 'array', items: { type: 'string' }, description: 'Its items in the job’s detailed results' },
        frame_start: { type: 'integer', minimum: 0 },
        frame_end: { type: 'integer', minimum: 0 },
      }),
    },
  }),
  ErasureReport: object(ERASURE_REPORT),
  ErasureSearchReport: object({
    ...ERASURE_REPORT,
    not_searched: {
      type: 'array',
      description: 'Galleries that could not be searched now (being re-embedded): erase again once they are ready',
      items: object({ model_id: { type: 'string' }, reason: { type: 'string' } }),
    },
  }),
  IndexedIdentityName: object({
    name: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
    model: { type: 'string', minLength: 1, maxLength: MAX_MODEL_REF_LENGTH, description: 'Model id or name; it must exist' },
  }),
  StoredMedia: object({
    id: { type: 'string', pattern: BLOB_ID_PATTERN.source },
    source: { type: 'string', examples: ['storage://3fZ2k9QxLw7Tn4Rb'] },
    size: { type: 'integer', minimum: 0 },
    content_type: { type: 'string' },
  }),
  Readiness: {
    type: 'object',
    properties: {
      ready: { type: 'boolean' },
      checks: { type: 'object', additionalProperties: { type: 'boolean' }, description: 'Per service of the process (and `process`, false while it starts or stops): whether it takes work' },
      waiting: {
        type: 'object',
        additionalProperties: { type: 'array', items: { type: 'string' } },
        description: 'Per service not ready, what it waits for, e.g. "warm-up inference", "bus connected", "draining"',
      },
    },
    required: ['ready', 'checks', 'waiting'],
  },
};

/** The document, with `serverUrl` (e.g. http://host:8080) as its server. */
export function buildOpenApi(serverUrl: string): Schema {
  return structuredClone({
    openapi: '3.1.0',
    info: {
      title: 'facerec',
      version: '1',
      description: 'Face recognition for images and video, compatible with the face_recognition module of the jobs API.',
    },
    servers: [{ url: serverUrl }],
    paths: PATHS,
    components: {
      schemas: SCHEMAS,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (FACEREC_API_KEY or one made through /api/v1/keys/)' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      parameters: {
        limit: {
          name: 'limit',
          in: 'query',
          schema: { type: 'integer', minimum: 1, maximum: PAGE_LIMITS.maxLimit, default: PAGE_LIMITS.defaultLimit },
        },
        offset: { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
      },
      responses: Object.fromEntries(
        Object.entries(ERROR_DESCRIPTIONS).map(([status, description]) => [`Error${status}`, json(ref('Error'), description)]),
      ),
    },
  });
}

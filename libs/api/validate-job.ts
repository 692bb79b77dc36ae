// POST /api/v1/jobs/ body (SPEC §1): checked field by field, every default filled in, nothing
// clamped. The first offending value is reported with its dotted path.
import { MAX_DETECTION_SCALE, MIN_DETECTION_SCALE } from '../engine/detect-options.js';
import type { FaceRecognitionParams, FaceRecognitionRequest } from '../jobs/types.js';
import { invalid } from './errors.js';
import {
  describeValue,
  fieldPath,
  rejectUnknownKeys,
  requireArray,
  requireBoolean,
  requireInteger,
  requireNumber,
  requireObject,
  requireSource,
  requireString,
  requireText,
  type JsonObject,
} from './fields.js';

export const MAX_TAG_LENGTH = 1000;
export const MAX_MODEL_REF_LENGTH = 200;
export const MAX_MODELS_PER_JOB = 20;
export const MAX_TOP_K = 10;
export const MAX_DISTANCE_LIMIT = 2;

/** SPEC §1's defaults for `modules.face_recognition`. */
export const FACE_RECOGNITION_DEFAULTS = {
  model: 'celebrities',
  max_distance: 1.0,
  cluster_unknowns: false,
  index_unknowns: false,
  face_detection_scale: 600,
  enable_top_k: false,
  top_k: 3,
} as const;

const JOB_BODY_KEYS = ['sources', 'tag', 'modules', 'callback_url'] as const;
export const MAX_CALLBACK_URL_LENGTH = 2048;
const MODULE_NAMES = ['face_recognition'] as const;
const FACE_RECOGNITION_KEYS = [
  'model',
  'models',
  'max_distance',
  'cluster_unknowns',
  'index_unknowns',
  'face_detection_scale',
  'enable_top_k',
  'top_k',
] as const;

export interface JobRequest {
  sources: string[];
  tag: string;
  /** Where the job document is POSTed when the job completes or fails; null: no webhook. */
  callbackUrl: string | null;
  /** What the client sent for the module (null values left out), echoed in the job object. */
  request: FaceRecognitionRequest;
  params: FaceRecognitionParams;
}

const MODULE_FIELD = 'modules.face_recognition';

/**
 * Validates a job body. Optional fields given as null count as not given: SPEC lists `models`
 * with a default of null, and clients that send every key send null for the ones they leave unset.
 */
export function parseJobRequest(body: unknown, opts: { maxSources: number }): JobRequest {
  const obj = requireObject(body, null);
  rejectUnknownKeys(obj, JOB_BODY_KEYS, null);

  if (obj.sources === undefined) throw invalid('sources', 'is required: a list of http(s) URLs or storage://<id>');
  const sources = requireArray(obj.sources, 'sources', 1, opts.maxSources).map((s, i) =>
    requireSource(s, `sources[${i}]`),
  );

  const tag = requireString(obj.tag ?? '', 'tag');
  if (tag.length > MAX_TAG_LENGTH) throw invalid('tag', `must be at most ${MAX_TAG_LENGTH} characters, got ${tag.length}`);

  if (obj.modules === undefined || obj.modules === null) {
    throw invalid('modules', 'is required: give {"face_recognition": {…}} (an empty object for the defaults)');
  }
  const modules = requireObject(obj.modules, 'modules');
  rejectUnknownKeys(modules, MODULE_NAMES, 'modules');
  if (!('face_recognition' in modules)) {
    throw invalid(MODULE_FIELD, 'is required (an empty object for the defaults)');
  }
  const moduleBody = modules.face_recognition ?? {};
  const { request, params } = parseFaceRecognition(requireObject(moduleBody, MODULE_FIELD));
  const callbackUrl = obj.callback_url == null ? null : requireCallbackUrl(obj.callback_url);
  return { sources, tag, callbackUrl, request, params };
}

/** An absolute http(s) URL without credentials (its addresses are checked when it is called). */
function requireCallbackUrl(value: unknown): string {
  const field = 'callback_url';
  const text = requireString(value, field);
  if (text.length > MAX_CALLBACK_URL_LENGTH) throw invalid(field, `must be at most ${MAX_CALLBACK_URL_LENGTH} characters, got ${text.length}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(field, `must be an absolute http(s) URL, got ${JSON.stringify(text.slice(0, 100))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(field, `must be an http(s) URL, got ${url.protocol}`);
  if (url.username || url.password) throw invalid(field, 'must not carry credentials (the delivery is signed instead)');
  return url.toString();
}

function parseFaceRecognition(obj: JsonObject): { request: FaceRecognitionRequest; params: FaceRecognitionParams } {
  rejectUnknownKeys(obj, FACE_RECOGNITION_KEYS, MODULE_FIELD);
  const field = (key: string) => fieldPath(MODULE_FIELD, key);
  const request: FaceRecognitionRequest = {};

  if (obj.model != null) request.model = requireText(obj.model, field('model'), MAX_MODEL_REF_LENGTH);
  if (obj.models != null) request.models = parseModels(obj.models, field('models'));
  if (obj.max_distance != null) {
    request.max_distance = requireNumber(obj.max_distance, field('max_distance'), 0, MAX_DISTANCE_LIMIT);
  }
  if (obj.cluster_unknowns != null) request.cluster_unknowns = requireBoolean(obj.cluster_unknowns, field('cluster_unknowns'));
  if (obj.index_unknowns != null) request.index_unknowns = requireBoolean(obj.index_unknowns, field('index_unknowns'));
  if (obj.face_detection_scale != null) {
    request.face_detection_scale = requireInteger(
      obj.face_detection_scale,
      field('face_detection_scale'),
      MIN_DETECTION_SCALE,
      MAX_DETECTION_SCALE,
    );
  }
  if (obj.enable_top_k != null) request.enable_top_k = requireBoolean(obj.enable_top_k, field('enable_top_k'));
  if (obj.top_k != null) request.top_k = requireInteger(obj.top_k, field('top_k'), 1, MAX_TOP_K);

  const d = FACE_RECOGNITION_DEFAULTS;
  const indexUnknowns = request.index_unknowns ?? d.index_unknowns;
  const params: FaceRecognitionParams = {
    models: request.models ?? [request.model ?? d.model],
    max_distance: request.max_distance ?? d.max_distance,
    // SPEC: indexing unknowns implies clustering them (an index entry is a cluster made persistent).
    cluster_unknowns: indexUnknowns || (request.cluster_unknowns ?? d.cluster_unknowns),
    index_unknowns: indexUnknowns,
    face_detection_scale: request.face_detection_scale ?? d.face_detection_scale,
    enable_top_k: request.enable_top_k ?? d.enable_top_k,
    top_k: request.top_k ?? d.top_k,
  };
  return { request, params };
}

function parseModels(value: unknown, field: string): string[] {
  const models = requireArray(value, field, 1, MAX_MODELS_PER_JOB).map((m, i) =>
    requireText(m, `${field}[${i}]`, MAX_MODEL_REF_LENGTH),
  );
  models.forEach((m, i) => {
    if (models.indexOf(m) !== i) throw invalid(`${field}[${i}]`, `repeats ${describeValue(m)}: each model may be named once`);
  });
  return models;
}

// Errors the REST edge answers with. Every 4xx carries SPEC §1's body:
// {"error": {"code": "invalid_request", "field": "modules.face_recognition.top_k", "message": "…"}}
// where `field` is the dotted path of the offending value (null when no single value is at fault).

export interface ErrorBody {
  error: { code: string; field: string | null; message: string };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly field: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, field: this.field, message: this.message } };
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** 400: the value at `field` (dotted path; null for the body as a whole) is not acceptable. */
export function invalid(field: string | null, message: string): ApiError {
  return new ApiError(400, 'invalid_request', field, message);
}

/** 404, e.g. `notFound('job 1234')` → "job 1234 not found". */
export function notFound(what: string): ApiError {
  return new ApiError(404, 'not_found', null, `${what} not found`);
}

/** 409: the request clashes with what exists (a taken name, a job that cannot change now). */
export function conflict(field: string | null, message: string): ApiError {
  return new ApiError(409, 'conflict', field, message);
}

/** 409 `read_only`: a change to a gallery the API only reads (the pre-built `celebrities`). */
export function readOnly(message: string): ApiError {
  return new ApiError(409, 'read_only', null, message);
}

const STORAGE_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** A write failed because the data volume is full (a file, SQLite, or a service reporting it so). */
export function isStorageFull(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && STORAGE_FULL_CODES.has(code);
}

/** What a service says in a gRPC status (RESOURCE_EXHAUSTED) when its storage is full. */
export const STORAGE_FULL_DETAILS = 'storage full';

/** 507: the service cannot store what the request needs until space is freed; nothing was changed. */
export function storageFull(): ApiError {
  return new ApiError(507, 'insufficient_storage', null, "the service's storage is full: nothing was stored; try again once space is freed on its data volume");
}

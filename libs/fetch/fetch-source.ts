// Downloads of http(s) sources (SPEC §4) with size and time limits, and no requests to the
// machine's own networks unless the operator allows them (DESIGN: SSRF). node:http is used rather
// than fetch() because only its `lookup` hook lets the connection go to the very addresses that
// were checked: a second DNS answer (rebinding) between check and connect cannot slip through.
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { classifyAddress, describeKind } from './address.js';

export type FetchFailure =
  | 'bad-url'
  | 'refused'
  | 'dns'
  | 'network'
  | 'timeout'
  | 'cancelled'
  | 'too-large'
  | 'http-status'
  | 'redirects';

/** Why a source could not be downloaded; `message` is meant for the job's `errors`. */
export class SourceFetchError extends Error {
  constructor(
    readonly kind: FetchFailure,
    message: string,
    /** The HTTP status for 'http-status'. */
    readonly status: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SourceFetchError';
  }
}

export function isSourceFetchError(err: unknown): err is SourceFetchError {
  return err instanceof SourceFetchError;
}

export interface FetchOptions {
  maxBytes: number;
  /** Limit on the whole download: DNS, connection, redirects and body. */
  timeoutMs: number;
  /** Allow loopback, private, link-local and other non-public addresses. */
  allowPrivate: boolean;
  /** Host names (as in the URL) that may resolve to non-public addresses although allowPrivate is false. */
  allowPrivateHosts?: readonly string[];
  /** Redirects followed before giving up (default 3). */
  maxRedirects?: number;
  signal?: AbortSignal;
}

export interface OpenedSource {
  /** The body; fails with a SourceFetchError past maxBytes or the time limit. */
  stream: Readable;
  contentType: string | null;
  contentLength: number | null;
  /** The URL answered from, after redirects. */
  url: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_REDIRECTS = 3;
const ALLOW_PRIVATE_HINT = 'set FACEREC_ALLOW_PRIVATE_URLS=1 to allow';

/** Downloads the whole body into memory (images). */
export async function fetchUrl(
  url: string,
  opts: FetchOptions,
): Promise<{ bytes: Buffer; contentType: string | null }> {
  const { stream, contentType } = await openUrl(url, opts);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { bytes: Buffer.concat(chunks), contentType };
}

/** Opens the body as a stream (video); the limits keep applying while it is read. */
export async function openUrl(url: string, opts: FetchOptions): Promise<OpenedSource> {
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  const abortError = () =>
    deadline.aborted
      ? new SourceFetchError('timeout', `download timed out after ${opts.timeoutMs / 1000} s`)
      : new SourceFetchError('cancelled', 'download cancelled');
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;

  let current = parseHttpUrl(url, 'only http and https URLs can be downloaded');
  for (let redirects = 0; ; redirects++) {
    const addresses = await untilAborted(checkedAddresses(current, opts), signal, abortError);
    const { req, res } = await untilAborted(send(current, addresses, signal), signal, abortError);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;

    if (REDIRECT_STATUSES.has(status) && location !== undefined) {
      req.destroy();
      if (redirects >= maxRedirects) {
        throw new SourceFetchError('redirects', `too many redirects (more than ${maxRedirects}) from ${hostOf(url)}`);
      }
      current = parseHttpUrl(
        new URL(location, current).toString(),
        `redirect from ${current.host} to a URL that is not http or https`,
      );
      continue;
    }
    if (status < 200 || status > 299) {
      req.destroy();
      throw new SourceFetchError('http-status', `HTTP ${status} from ${current.host}`, status);
    }
    const contentLength = parseContentLength(res.headers['content-length']);
    if (contentLength !== null && contentLength > opts.maxBytes) {
      req.destroy();
      throw tooLarge(opts.maxBytes, contentLength);
    }
    return {
      stream: limitBody(current, req, res, opts.maxBytes, signal, abortError),
      contentType: res.headers['content-type'] ?? null,
      contentLength,
      url: current.toString(),
    };
  }
}

function parseHttpUrl(text: string, refusal: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SourceFetchError('bad-url', `not a valid URL: ${text.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SourceFetchError('refused', `download refused: ${refusal} (got ${url.protocol})`);
  }
  return url;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Every address the host resolves to, refused if any of them is not public (and that is not allowed). */
export async function checkedAddresses(url: URL, opts: FetchOptions): Promise<LookupAddress[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: LookupAddress[];
  try {
    addresses = await dnsLookup(host, { all: true, verbatim: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new SourceFetchError('dns', `could not resolve host ${host} (${code})`, null, { cause: err });
  }
  if (addresses.length === 0) throw new SourceFetchError('dns', `could not resolve host ${host} (no addresses)`);
  if (opts.allowPrivate || opts.allowPrivateHosts?.some((h) => h.toLowerCase() === host)) return addresses;
  for (const { address } of addresses) {
    const kind = classifyAddress(address);
    if (kind === null) continue;
    const subject = address === host ? address : `${host} resolves to ${address}, which`;
    throw new SourceFetchError('refused', `download refused: ${subject} is ${describeKind(kind)} (${ALLOW_PRIVATE_HINT})`);
  }
  return addresses;
}

/** A `lookup` that answers with the addresses already checked, never asking DNS again. */
export function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      callback(null, addresses);
      return;
    }
    const chosen = addresses.find((a) => !options.family || a.family === options.family) ?? addresses[0];
    if (chosen) callback(null, chosen.address, chosen.family);
    else callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '', 0);
  };
}

function send(
  url: URL,
  addresses: LookupAddress[],
  signal: AbortSignal,
): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    // A fresh agent per request (agent: false): a pooled socket could lead to an unchecked address.
    const req = client.request(url, {
      agent: false,
      lookup: pinnedLookup(addresses),
      signal,
      headers: { 'user-agent': 'facerec', accept: '*/*' },
    });
    req.on('response', (res) => resolve({ req, res }));
    // Stays attached for the request's life: errors after the response reach the body stream instead.
    req.on('error', (err) => reject(networkError(url, err)));
    req.end();
  });
}

/** The body, failing past maxBytes or when the signal fires; closing it closes the connection. */
function limitBody(
  url: URL,
  req: http.ClientRequest,
  res: http.IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
  abortError: () => SourceFetchError,
): Readable {
  let received = 0;
  const body = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > maxBytes) done(tooLarge(maxBytes, null));
      else done(null, chunk);
    },
  });
  const onAbort = () => body.destroy(abortError());
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  res.on('error', (err) => body.destroy(signal.aborted ? abortError() : networkError(url, err)));
  body.on('close', () => {
    signal.removeEventListener('abort', onAbort);
    req.destroy();
  });
  res.pipe(body);
  return body;
}

function tooLarge(maxBytes: number, contentLength: number | null): SourceFetchError {
  const declared = contentLength === null ? '' : ` (Content-Length ${contentLength})`;
  return new SourceFetchError('too-large', `download exceeded ${maxBytes} bytes${declared}`);
}

function networkError(url: URL, err: Error): SourceFetchError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code ? `${err.message} (${code})` : err.message;
  return new SourceFetchError('network', `download from ${url.host} failed: ${reason}`, null, { cause: err });
}

function parseContentLength(value: string | undefined): number | null {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

/** The promise's value, or abortError() as soon as the signal fires (DNS lookups cannot be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, abortError: () => SourceFetchError): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

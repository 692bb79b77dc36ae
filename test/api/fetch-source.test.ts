import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchUrl, openUrl, SourceFetchError, type FetchOptions } from '../../libs/fetch/fetch-source.js';

let server: http.Server;
let port: number;
let origin: string;
/** Requests whose body the server stopped sending because the client went away. */
let abortedResponses = 0;

const open: FetchOptions = { maxBytes: 1_000_000, timeoutMs: 5000, allowPrivate: true };
const guarded: FetchOptions = { maxBytes: 1_000_000, timeoutMs: 5000, allowPrivate: false };

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const [, route = '', arg = ''] = url.pathname.split('/');
  res.on('close', () => {
    if (!res.writableFinished) abortedResponses++;
  });
  switch (route) {
    case 'ok':
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '5' }).end('hello');
      return;
    case 'declared-big':
      res.writeHead(200, { 'content-length': '2000' }).end(Buffer.alloc(2000));
      return;
    case 'chunked': {
      // Ten 1000-byte chunks without Content-Length (chunked transfer encoding).
      res.writeHead(200, { 'content-type': 'video/mp4' });
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(Buffer.alloc(1000, sent));
        if (++sent === 10) {
          clearInterval(timer);
          res.end();
        }
      }, 5);
      return;
    }
    case 'stall-headers':
      return; // never answers
    case 'stall-body':
      res.writeHead(200, { 'content-length': '100' });
      res.write(Buffer.alloc(10));
      return; // never finishes
    case 'status':
      res.writeHead(Number(arg)).end('no');
      return;
    case 'redirect':
      res.writeHead(302, { location: decodeURIComponent(arg) }).end();
      return;
    case 'chain': {
      // /chain/n redirects n times (relative Locations) before landing on /ok.
      const n = Number(arg);
      res.writeHead(n === 0 ? 307 : 301, { location: n === 0 ? '/ok' : `/chain/${n - 1}` }).end();
      return;
    }
    default:
      res.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function failureOf(promise: Promise<unknown>): Promise<SourceFetchError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SourceFetchError) return err;
    throw err;
  }
  throw new Error('expected the download to fail');
}

const redirectTo = (target: string) => `${origin}/redirect/${encodeURIComponent(target)}`;

describe('fetchUrl: address checks', () => {
  it('refuses loopback addresses unless private addresses are allowed', async () => {
    const err = await failureOf(fetchUrl(`${origin}/ok`, guarded));
    expect(err.kind).toBe('refused');
    expect(err.name).toBe('SourceFetchError');
    expect(err.message).toBe(
      'download refused: 127.0.0.1 is a loopback address (set FACEREC_ALLOW_PRIVATE_URLS=1 to allow)',
    );
  });

  it('refuses a host name that resolves to loopback', async () => {
    const err = await failureOf(fetchUrl(`http://localhost:${port}/ok`, guarded));
    expect(err.kind).toBe('refused');
    expect(err.message).toMatch(/^download refused: localhost resolves to (127\.0\.0\.1|::1), which is a loopback address/);
  });

  it('refuses IPv6 and IPv4-mapped loopback literals', async () => {
    expect((await failureOf(fetchUrl(`http://[::1]:${port}/ok`, guarded))).kind).toBe('refused');
    expect((await failureOf(fetchUrl(`http://[::ffff:127.0.0.1]:${port}/ok`, guarded))).kind).toBe('refused');
    // The URL parser turns these spellings of 127.0.0.1 into the dotted form before the check.
    expect((await failureOf(fetchUrl(`http://2130706433:${port}/ok`, guarded))).kind).toBe('refused');
    expect((await failureOf(fetchUrl(`http://0x7f.1:${port}/ok`, guarded))).kind).toBe('refused');
  });

  it('downloads when private addresses are allowed', async () => {
    const { bytes, contentType } = await fetchUrl(`${origin}/ok`, open);
    expect(bytes.toString()).toBe('hello');
    expect(contentType).toBe('image/jpeg');
    expect((await fetchUrl(`http://localhost:${port}/ok`, open)).bytes.toString()).toBe('hello');
  });

  it('downloads from a host the operator allowed by name', async () => {
    const { bytes } = await fetchUrl(`${origin}/ok`, { ...guarded, allowPrivateHosts: ['127.0.0.1'] });
    expect(bytes.toString()).toBe('hello');
  });
});

describe('fetchUrl: schemes and URLs', () => {
  it.each(['ftp://127.0.0.1/a.jpg', 'file:///etc/passwd', 'gopher://127.0.0.1:70/', 'data:text/plain,hi'])(
    'refuses %s before any request',
    async (url) => {
      const err = await failureOf(fetchUrl(url, open));
      expect(err.kind).toBe('refused');
      expect(err.message).toMatch(/^download refused: only http and https URLs can be downloaded/);
    },
  );

  it('refuses text that is not a URL', async () => {
    expect((await failureOf(fetchUrl('not a url', open))).kind).toBe('bad-url');
  });
});

describe('fetchUrl: size limit', () => {
  it('accepts a body of exactly maxBytes', async () => {
    expect((await fetchUrl(`${origin}/ok`, { ...open, maxBytes: 5 })).bytes).toHaveLength(5);
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const err = await failureOf(fetchUrl(`${origin}/declared-big`, { ...open, maxBytes: 1999 }));
    expect(err.kind).toBe('too-large');
    expect(err.message).toBe('download exceeded 1999 bytes (Content-Length 2000)');
  });

  it('stops a chunked body without Content-Length once it passes the limit', async () => {
    const before = abortedResponses;
    const err = await failureOf(fetchUrl(`${origin}/chunked`, { ...open, maxBytes: 4500 }));
    expect(err.kind).toBe('too-large');
    expect(err.message).toBe('download exceeded 4500 bytes');
    await expect.poll(() => abortedResponses).toBeGreaterThan(before);
  });

  it('reads a chunked body under the limit whole', async () => {
    const { bytes, contentType } = await fetchUrl(`${origin}/chunked`, { ...open, maxBytes: 10_000 });
    expect(bytes).toHaveLength(10_000);
    expect(bytes[9_999]).toBe(9);
    expect(contentType).toBe('video/mp4');
  });
});

describe('fetchUrl: time limit', () => {
  it('times out a server that never answers', async () => {
    const started = Date.now();
    const err = await failureOf(fetchUrl(`${origin}/stall-headers`, { ...open, timeoutMs: 300 }));
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe('download timed out after 0.3 s');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('times out a body that stalls half way', async () => {
    const err = await failureOf(fetchUrl(`${origin}/stall-body`, { ...open, timeoutMs: 300 }));
    expect(err.kind).toBe('timeout');
  });

  it('applies the limit to the whole download, also while the stream is read', async () => {
    const opened = await openUrl(`${origin}/stall-body`, { ...open, timeoutMs: 300 });
    expect(opened.contentLength).toBe(100);
    const err = await failureOf((async () => {
      for await (const _chunk of opened.stream);
    })());
    expect(err.kind).toBe('timeout');
  });

  it('stops when the caller cancels', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await failureOf(fetchUrl(`${origin}/stall-headers`, { ...open, signal: controller.signal }));
    expect(err.kind).toBe('cancelled');
  });
});

describe('fetchUrl: redirects', () => {
  it('follows redirects, relative ones included', async () => {
    expect((await fetchUrl(redirectTo(`${origin}/ok`), open)).bytes.toString()).toBe('hello');
    const opened = await openUrl(`${origin}/chain/2`, open);
    expect(opened.url).toBe(`${origin}/ok`);
    opened.stream.destroy();
  });

  it('checks every hop: a redirect to a refused host is refused', async () => {
    const opts = { ...guarded, allowPrivateHosts: ['127.0.0.1'] };
    expect((await fetchUrl(redirectTo(`${origin}/ok`), opts)).bytes.toString()).toBe('hello');
    const err = await failureOf(fetchUrl(redirectTo(`http://localhost:${port}/ok`), opts));
    expect(err.kind).toBe('refused');
    expect(err.message).toMatch(/^download refused: localhost resolves to/);
  });

  it('refuses a redirect to another scheme', async () => {
    const err = await failureOf(fetchUrl(redirectTo('file:///etc/passwd'), open));
    expect(err.kind).toBe('refused');
    expect(err.message).toBe(
      `download refused: redirect from 127.0.0.1:${port} to a URL that is not http or https (got file:)`,
    );
  });

  it('gives up after maxRedirects', async () => {
    expect((await fetchUrl(`${origin}/chain/2`, { ...open, maxRedirects: 3 })).bytes.toString()).toBe('hello');
    const err = await failureOf(fetchUrl(`${origin}/chain/3`, { ...open, maxRedirects: 3 }));
    expect(err.kind).toBe('redirects');
    expect(err.message).toBe(`too many redirects (more than 3) from 127.0.0.1:${port}`);
    expect((await failureOf(fetchUrl(`${origin}/chain/5`, open))).kind).toBe('redirects');
    expect((await failureOf(fetchUrl(`${origin}/chain/0`, { ...open, maxRedirects: 0 }))).kind).toBe('redirects');
  });
});

describe('fetchUrl: HTTP and network errors', () => {
  it.each([404, 403, 500, 302 /* a redirect without Location */])('reports HTTP %i with its status', async (status) => {
    const err = await failureOf(fetchUrl(`${origin}/status/${status}`, open));
    expect(err.kind).toBe('http-status');
    expect(err.status).toBe(status);
    expect(err.message).toBe(`HTTP ${status} from 127.0.0.1:${port}`);
  });

  it('reports a refused connection', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failureOf(fetchUrl(`http://127.0.0.1:${closedPort}/ok`, open));
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});

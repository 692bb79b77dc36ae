// POSTs to a URL given by a client (webhooks) under the same guard as source downloads: http(s)
// only, every address the host resolves to checked (no loopback, private or link-local unless
// allowed) and the connection pinned to those addresses; redirects are not followed; a time limit
// on the whole exchange; the answer's body is read up to a small size and discarded.
import http from 'node:http';
import https from 'node:https';
import { checkedAddresses, pinnedLookup, SourceFetchError } from './fetch-source.js';

export interface PostResult {
  status: number;
}

const MAX_ANSWER_BYTES = 64 * 1024;

export async function postGuarded(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; allowPrivate: boolean; allowPrivateHosts?: readonly string[] },
): Promise<PostResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new SourceFetchError('bad-url', `not a valid URL: ${url.slice(0, 200)}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new SourceFetchError('refused', `only http and https URLs can be called (got ${target.protocol})`);
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const work = (async () => {
    const addresses = await checkedAddresses(target, { allowPrivate: opts.allowPrivate, allowPrivateHosts: opts.allowPrivateHosts, maxBytes: MAX_ANSWER_BYTES, timeoutMs: opts.timeoutMs });
    return new Promise<PostResult>((resolve, reject) => {
      const client = target.protocol === 'https:' ? https : http;
      const req = client.request(target, {
        method: 'POST',
        agent: false,
        lookup: pinnedLookup(addresses),
        signal,
        headers: { 'user-agent': 'facerec', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
      });
      req.on('response', (res) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_ANSWER_BYTES) res.destroy();
        });
        res.on('close', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0 }));
      });
      req.on('error', (err) => {
        const code = (err as NodeJS.ErrnoException).code;
        reject(
          signal.aborted
            ? new SourceFetchError('timeout', `no answer from ${target.host} within ${opts.timeoutMs / 1000} s`)
            : new SourceFetchError('network', `calling ${target.host} failed: ${err.message}${code ? ` (${code})` : ''}`),
        );
      });
      req.end(body);
    });
  })();
  return await new Promise<PostResult>((resolve, reject) => {
    const onAbort = () => reject(new SourceFetchError('timeout', `no answer from ${target.host} within ${opts.timeoutMs / 1000} s`));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

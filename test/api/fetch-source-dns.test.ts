// DNS answers are stubbed here, so that a host name can resolve to chosen addresses.
import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fetchUrl, SourceFetchError } from '../../libs/fetch/fetch-source.js';

vi.mock('node:dns/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:dns/promises')>();
  return { ...actual, lookup: vi.fn() };
});

const answer = (...addresses: string[]): LookupAddress[] =>
  addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const stubDns = (...addresses: string[]) =>
  vi.mocked(lookup).mockImplementation((async () => answer(...addresses)) as unknown as typeof lookup);

let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => res.end(`host ${req.headers.host}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('fetchUrl with stubbed DNS', () => {
  it('refuses a host when any of its addresses is not public', async () => {
    stubDns('93.184.216.34', '10.0.0.5');
    const err = await fetchUrl('http://media.test/a.jpg', { maxBytes: 100, timeoutMs: 2000, allowPrivate: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SourceFetchError);
    expect((err as SourceFetchError).message).toBe(
      'download refused: media.test resolves to 10.0.0.5, which is a private address (set FACEREC_ALLOW_PRIVATE_URLS=1 to allow)',
    );
  });

  it('refuses a host resolving to an IPv4-mapped private address', async () => {
    stubDns('::ffff:192.168.0.10');
    const err = await fetchUrl('http://media.test/', { maxBytes: 100, timeoutMs: 2000, allowPrivate: false }).catch((e: unknown) => e);
    expect((err as SourceFetchError).kind).toBe('refused');
  });

  it('connects to the checked address without asking DNS again', async () => {
    // "media.test" exists only in the stubbed answer: the socket can reach the server only
    // through the addresses the check saw, never through a second (real) lookup.
    stubDns('127.0.0.1');
    const { bytes } = await fetchUrl(`http://media.test:${port}/a.jpg`, {
      maxBytes: 100,
      timeoutMs: 2000,
      allowPrivate: false,
      allowPrivateHosts: ['media.test'],
    });
    expect(bytes.toString()).toBe(`host media.test:${port}`);
    expect(vi.mocked(lookup)).toHaveBeenLastCalledWith('media.test', { all: true, verbatim: true });
  });

  it('reports a host that does not resolve', async () => {
    vi.mocked(lookup).mockImplementation((async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
    }) as unknown as typeof lookup);
    const err = await fetchUrl('http://nowhere.test/', { maxBytes: 100, timeoutMs: 2000, allowPrivate: true }).catch((e: unknown) => e);
    expect((err as SourceFetchError).kind).toBe('dns');
    expect((err as SourceFetchError).message).toBe('could not resolve host nowhere.test (ENOTFOUND)');
  });
});

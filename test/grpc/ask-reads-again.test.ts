// The matcher client's reads asked again when a replica died after it began to answer: a bare
// HTTP/2 server sends the answer's headers and message, then drops the connection before the
// status (as a matcher killed -9 between two writes does). grpc-js has committed such a call, so
// its retry policy cannot help; the matcher client asks the read again, and never a write.
import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { grpc, grpcTarget, loadProtos, matcherClient, unary, type MatcherClient } from '../../libs/grpc/grpc.js';

/** An empty protobuf message in gRPC's framing: not compressed, length 0. */
const EMPTY_MESSAGE = Buffer.from([0, 0, 0, 0, 0]);

describe('matcher client, a replica that dies after its answer and before its status', () => {
  let server: Http2Server;
  let address: string;
  let calls: string[];
  /** How many calls, from the next one, die after their answer. */
  let dying = 0;
  /** The client's connection (one at a time), to be cut as a killed process's would be. */
  let connection: Socket | undefined;

  beforeAll(async () => {
    server = createServer();
    server.on('connection', (socket: Socket) => void (connection = socket));
    server.on('stream', (stream: ServerHttp2Stream, headers) => {
      calls.push(String(headers[':path']));
      stream.on('data', () => {});
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        if (dying > 0) {
          dying--;
          // The answer is written; the process "dies" before its status.
          stream.write(EMPTY_MESSAGE, () => setTimeout(() => connection?.destroy(), 20));
          return;
        }
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(EMPTY_MESSAGE);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    calls = [];
    dying = 0;
  });

  it('a client without the interceptor fails such a read UNAVAILABLE (the case is real)', async () => {
    const plain = new (loadProtos().facerec.v1.Matcher)(grpcTarget(address), grpc.credentials.createInsecure(), {
      'grpc.service_config': JSON.stringify({
        methodConfig: [{ name: [{ service: 'facerec.v1.Matcher' }], retryPolicy: { maxAttempts: 4, initialBackoff: '0.1s', maxBackoff: '1s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] } }],
      }),
    }) as MatcherClient;
    dying = 1;
    await expect(unary(plain, plain.ListModels, {}, { deadline: Date.now() + 10_000 })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(calls).toEqual(['/facerec.v1.Matcher/ListModels']);
    plain.close();
  });

  it('a read is asked again and answered; twice in a row too', async () => {
    const client = matcherClient(address);
    dying = 1;
    await expect(unary(client, client.ListModels, {}, { deadline: Date.now() + 10_000 })).resolves.toMatchObject({ models: [] });
    expect(calls).toEqual(['/facerec.v1.Matcher/ListModels', '/facerec.v1.Matcher/ListModels']);
    calls = [];
    dying = 2;
    await expect(unary(client, client.GetModel, { model: 'people' }, { deadline: Date.now() + 10_000 })).resolves.toBeDefined();
    expect(calls).toHaveLength(3);
    client.close();
  });

  it('gives up after two more asks, with the status of the last', async () => {
    const client = matcherClient(address);
    dying = 3;
    await expect(unary(client, client.ListModels, {}, { deadline: Date.now() + 10_000 })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(calls).toHaveLength(3);
    client.close();
  });

  it('a write is not asked again (it may have landed)', async () => {
    const client = matcherClient(address);
    dying = 1;
    await expect(unary(client, client.DeleteModel, { model: 'people' }, { deadline: Date.now() + 10_000 })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(calls).toEqual(['/facerec.v1.Matcher/DeleteModel']);
    client.close();
  });
});

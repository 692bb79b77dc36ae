// Embedding vectors on the wire: packed (little-endian 32-bit floats in one buffer) and repeated
// float, both read back exactly by a real gRPC server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddingVector, embeddingVectors, packedEmbedding } from '../../libs/grpc/embedding-wire.js';
import { grpc, GrpcServer, loadProtos, unary } from '../../libs/grpc/grpc.js';
import type { Embedding__Output } from '../../libs/grpc/generated/facerec/v1/Embedding.js';
import type { MatcherClient } from '../../libs/grpc/generated/facerec/v1/Matcher.js';
import type { MatchReply__Output } from '../../libs/grpc/generated/facerec/v1/MatchReply.js';
import type { MatchRequest } from '../../libs/grpc/generated/facerec/v1/MatchRequest.js';

describe('embedding vectors on the wire', () => {
  let server: GrpcServer;
  let client: MatcherClient;

  beforeAll(async () => {
    // A Match that answers each embedding's vector as read (null: refused) in the candidate's name.
    server = new GrpcServer().add('facerec.v1.Matcher', loadProtos().facerec.v1.Matcher.service, {
      Match: (call: grpc.ServerUnaryCall<{ embeddings: Embedding__Output[] }, object>, cb: grpc.sendUnaryData<object>) =>
        cb(null, { matches: call.request.embeddings.map((e) => ({ candidates: [{ person: JSON.stringify(Array.from(embeddingVector(e) ?? [NaN])), identityId: e.model, distance: 0 }] })) }),
    });
    const port = await server.listen('127.0.0.1:0');
    client = new (loadProtos().facerec.v1.Matcher)(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await server.stop(1000);
  });

  const read = async (embeddings: MatchRequest['embeddings']) => {
    const reply = await unary<MatchRequest, MatchReply__Output>(client, client.Match, { embeddings, modelIds: [], k: 1 });
    return reply.matches.map((m) => ({ model: m.candidates[0]!.identityId, vector: JSON.parse(m.candidates[0]!.person.replace('null', '"NaN"')) as number[] }));
  };

  it('reads a packed vector back bit for bit, from a Float32Array or from numbers (rounded to 32 bits as `values` are)', async () => {
    const floats = Float32Array.from([0.1, -2.5e-8, 3.4e38, 2, 1 / 3]);
    const numbers = [0.1, 0.2, -0.3];
    expect(await read([packedEmbedding('m1', floats), packedEmbedding('m2', numbers), { model: 'm3', values: numbers }])).toEqual([
      { model: 'm1', vector: Array.from(floats) },
      { model: 'm2', vector: numbers.map(Math.fround) },
      { model: 'm3', vector: numbers.map(Math.fround) },
    ]);
  });

  it('packs a Float32Array that is a view into a larger buffer as its own values only', () => {
    const whole = Float32Array.from([9, 1, 2, 3, 9]);
    const packed = packedEmbedding('m', whole.subarray(1, 4)).packed as Buffer;
    expect(Array.from(embeddingVector({ values: [], packed })!)).toEqual([1, 2, 3]);
  });

  it('reads several messages as embeddingVector reads each, the packed ones into one buffer (from unaligned bytes too)', () => {
    const unaligned = Buffer.alloc(13).subarray(1); // 12 bytes at an odd offset
    Buffer.from(Float32Array.from([4, 5, 6]).buffer).copy(unaligned);
    const messages = [
      { values: [], packed: packedEmbedding('m', [1, 2]).packed as Buffer },
      { values: [0.5, 0.25], packed: Buffer.alloc(0) },
      { values: [], packed: Buffer.alloc(6) },
      { values: [], packed: unaligned },
    ];
    const vectors = embeddingVectors(messages);
    expect(vectors.map((v) => (v ? Array.from(v) : null))).toEqual(messages.map((m) => (embeddingVector(m) ? Array.from(embeddingVector(m)!) : null)));
    expect(vectors.map((v) => (v ? Array.from(v) : null))).toEqual([[1, 2], [0.5, 0.25], null, [4, 5, 6]]);
    expect(vectors[3]!.buffer).toBe(vectors[0]!.buffer);
  });

  it('refuses packed bytes that are not whole 32-bit floats, and reads an empty vector as empty', () => {
    expect(embeddingVector({ values: [], packed: Buffer.alloc(6) })).toBeNull();
    expect(Array.from(embeddingVector({ values: [], packed: Buffer.alloc(0) })!)).toEqual([]);
  });
});

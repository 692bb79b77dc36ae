// The gRPC plumbing: health service states, round-robin targets, message limits, and the
// generated types being those of the .proto files.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpc, grpcTarget, GrpcServer, loadProtos, MAX_MESSAGE_BYTES, PROTO_DIR } from '../../libs/grpc/grpc.js';
import type { HealthClient } from '../../libs/grpc/generated/grpc/health/v1/Health.js';
import type { EmbedderClient } from '../../libs/grpc/generated/facerec/v1/Embedder.js';

function healthClient(port: number): HealthClient {
  return new (loadProtos().grpc.health.v1.Health)(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

function check(client: HealthClient, service: string): Promise<string> {
  return new Promise((resolve, reject) => client.Check({ service }, (err, res) => (err ? reject(err) : resolve(res!.status))));
}

describe('GrpcServer', () => {
  let server: GrpcServer;
  let port: number;

  beforeAll(async () => {
    server = new GrpcServer().add('facerec.v1.Embedder', loadProtos().facerec.v1.Embedder.service, {
      Describe: (_call: unknown, cb: grpc.sendUnaryData<object>) => cb(null, { model: 'test', dimension: 3, chipSize: 1 }),
      Embed: (call: grpc.ServerDuplexStream<{ faceId: string; chip: { rgb: Buffer } }, object>) => {
        call.on('data', (req) => call.write({ faceId: req.faceId, embedding: { model: 'test', values: [req.chip.rgb.length] } }));
        call.on('end', () => call.end());
      },
    });
    port = await server.listen('127.0.0.1:0');
  });
  afterAll(async () => {
    await server.stop(1000);
  });

  it('reports NOT_SERVING until set serving, per service and for the whole server', async () => {
    const client = healthClient(port);
    expect(await check(client, '')).toBe('NOT_SERVING');
    expect(await check(client, 'facerec.v1.Embedder')).toBe('NOT_SERVING');
    server.setServing(true);
    expect(await check(client, '')).toBe('SERVING');
    expect(await check(client, 'facerec.v1.Embedder')).toBe('SERVING');
    await expect(check(client, 'no.such.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    client.close();
  });

  it('carries messages larger than the 4 MB gRPC default (a 1920x1080 RGB frame is 6.2 MB)', async () => {
    const client = new (loadProtos().facerec.v1.Embedder)(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    }) as EmbedderClient;
    const size = 1920 * 1080 * 3;
    const reply = await new Promise<number>((resolve, reject) => {
      const call = client.Embed();
      call.on('data', (r) => resolve(r.embedding!.values[0]!));
      call.on('error', reject);
      call.write({ faceId: 'big', chip: { size: 1, rgb: Buffer.alloc(size) } });
      call.end();
    });
    expect(reply).toBe(size);
    client.close();
  });
});

describe('grpcTarget', () => {
  it('uses DNS for host:port (every address, round-robin), a fixed list for ip:port,ip:port, URIs as given', () => {
    expect(grpcTarget('detector:50052')).toBe('dns:///detector:50052');
    expect(grpcTarget('10.0.0.1:1,10.0.0.2:1')).toBe('ipv4:10.0.0.1:1,10.0.0.2:1');
    expect(grpcTarget('dns:///svc.ns.svc.cluster.local:50052')).toBe('dns:///svc.ns.svc.cluster.local:50052');
    expect(grpcTarget('unix:/tmp/s.sock')).toBe('unix:/tmp/s.sock');
  });
});

describe('generated types', () => {
  it('are what `npm run proto:gen` makes from proto/ today', () => {
    const out = mkdtempSync(join(tmpdir(), 'facerec-proto-'));
    try {
      const script = JSON.parse(readFileSync(join(PROTO_DIR, '../package.json'), 'utf8')).scripts['proto:gen'] as string;
      const args = script.split(/\s+/).slice(1).map((a) => (a === 'libs/grpc/generated' ? out : a));
      execFileSync(join(PROTO_DIR, '../node_modules/.bin/proto-loader-gen-types'), args, { cwd: join(PROTO_DIR, '..') });
      const generated = join(PROTO_DIR, '../libs/grpc/generated');
      const files = (dir: string): string[] =>
        readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)])).filter((f) => f.endsWith('.ts'));
      const fresh = files(out).map((f) => relative(out, f)).sort();
      expect(files(generated).map((f) => relative(generated, f)).sort()).toEqual(fresh);
      for (const f of fresh) expect(readFileSync(join(generated, f), 'utf8'), f).toBe(readFileSync(join(out, f), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

// gRPC plumbing shared by every service: the contracts loaded once from proto/, typed clients
// with round-robin over every address a target resolves to, and servers that carry the standard
// health service and stop gracefully.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as DetectorProto } from './generated/detector.js';
import type { ProtoGrpcType as EmbedderProto } from './generated/embedder.js';
import type { ProtoGrpcType as MatcherProto } from './generated/matcher.js';
import type { ProtoGrpcType as HealthProto } from './generated/health.js';
import type { DetectorClient } from './generated/facerec/v1/Detector.js';
import type { EmbedderClient } from './generated/facerec/v1/Embedder.js';
import type { MatcherClient } from './generated/facerec/v1/Matcher.js';
import type { HealthCheckResponse } from './generated/grpc/health/v1/HealthCheckResponse.js';
import type { HealthHandlers } from './generated/grpc/health/v1/Health.js';

export type { DetectorClient, EmbedderClient, MatcherClient };

export const PROTO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../proto');

/** Must match the flags of `npm run proto:gen`, which made the types in ./generated. */
const LOADER_OPTIONS: protoLoader.Options = { longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_DIR] };

/**
 * A 1920x1080 RGB frame is 6.2 MB, past gRPC's 4 MB default; 64 MB leaves room for 4K frames
 * (24.9 MB) and large batches of chips.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

type Protos = DetectorProto & EmbedderProto & MatcherProto & HealthProto;
let protos: Protos | undefined;

export function loadProtos(): Protos {
  protos ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(
      ['facerec/v1/detector.proto', 'facerec/v1/embedder.proto', 'facerec/v1/matcher.proto', 'grpc/health/v1/health.proto'],
      LOADER_OPTIONS,
    ),
  ) as unknown as Protos;
  return protos;
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  // Spread calls over every address the target resolves to (a headless Service's pods, or a
  // comma-separated list), not just the first.
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  // No client keepalive pings: once a server ends a connection (GOAWAY after its max connection
  // age, below), grpc-js's next keepalive ping fails on the closing session and it drops every call
  // still in flight — a video's Detect stream died at 2 minutes, so no job over ~2 minutes could
  // finish (scratch test: with pings, dropped at 120 s; without, the stream ran on). A dead peer is
  // still seen when its socket closes (a killed process or pod) and by call deadlines.
  // A restarted server is found again within a few seconds: grpc-js's reconnect backoff otherwise
  // grows to 120 s, and the gateway answered 503 that long after a matcher restart (faults campaign).
  'grpc.initial_reconnect_backoff_ms': 500,
  'grpc.max_reconnect_backoff_ms': 3000,
};

/**
 * A gRPC target from a configured address: "host:port" (DNS, every A record used),
 * "ip:port,ip:port" (a fixed list), or any target URI grpc-js understands ("dns:///…").
 */
export function grpcTarget(address: string): string {
  if (address.includes('://') || /^(dns|ipv4|ipv6|unix):/.test(address)) return address;
  if (address.includes(',')) return `ipv4:${address}`;
  return `dns:///${address}`;
}

export function detectorClient(address: string): DetectorClient {
  return new (loadProtos().facerec.v1.Detector)(grpcTarget(address), grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
}

export function embedderClient(address: string): EmbedderClient {
  return new (loadProtos().facerec.v1.Embedder)(grpcTarget(address), grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
}

/** The matcher's reads: asked again of another replica, they give the same answer. Writes are not retried (an AddSamples may have landed). */
const MATCHER_READS = ['Match', 'ResolveModels', 'ListModels', 'GetModel', 'ListIdentities', 'GetIdentity', 'ListIndexed', 'GetIndexed', 'ResolveIndexed', 'FindIndexed'];

/**
 * With several matcher replicas, a call in flight on one that dies ends UNAVAILABLE; round_robin
 * then picks only the replicas still connected, so a read tried again lands on a live one.
 */
const MATCHER_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  ...CHANNEL_OPTIONS,
  'grpc.service_config': JSON.stringify({
    loadBalancingConfig: [{ round_robin: {} }],
    methodConfig: [
      {
        name: MATCHER_READS.map((method) => ({ service: 'facerec.v1.Matcher', method })),
        retryPolicy: { maxAttempts: 4, initialBackoff: '0.2s', maxBackoff: '2s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] },
      },
    ],
  }),
};

/**
 * A read asked again when it ends UNAVAILABLE after the channel's own retries could not help:
 * grpc-js commits a call once the answer's headers arrive, and a replica killed between its answer
 * and the status that ends it (sent on a later write) leaves the call committed and failed
 * ("read ECONNRESET"; CI saw three at once). Reads give the same answer on any replica, so the
 * answer is held until its status comes and such a read is asked again, within the call's deadline.
 */
function askReadsAgain(reads: readonly string[], times: number): grpc.Interceptor {
  const paths = new Set(reads);
  return (options, nextCall) => {
    if (!paths.has(options.method_definition.path.slice(options.method_definition.path.lastIndexOf('/') + 1))) {
      return new grpc.InterceptingCall(nextCall(options));
    }
    let request: unknown;
    const first = nextCall(options);
    let current = first;
    let cancelled = false;
    return new grpc.InterceptingCall(first, {
      start(metadata, caller, next) {
        let left = times;
        // One-argument methods: grpc-js takes this as the call's own listener, called directly.
        const attempt = (): grpc.InterceptingListener => {
          let headers: grpc.Metadata | undefined;
          let answer: unknown;
          return {
            onReceiveMetadata: (received: grpc.Metadata) => void (headers = received),
            onReceiveMessage: (message: unknown) => void (answer = message),
            onReceiveStatus: (status: grpc.StatusObject) => {
              // Without headers the call was not committed, and the channel's policy has retried it.
              if (status.code === grpc.status.UNAVAILABLE && headers && left > 0 && !cancelled) {
                left--;
                current = nextCall(options);
                current.start(metadata, attempt());
                current.sendMessage(request);
                current.halfClose();
                return;
              }
              if (headers) caller.onReceiveMetadata(headers);
              caller.onReceiveMessage(answer);
              caller.onReceiveStatus(status);
            },
          };
        };
        next(metadata, attempt());
      },
      sendMessage(message, next) {
        request = message;
        next(message);
      },
      cancel(next) {
        cancelled = true;
        if (current !== first) current.cancelWithStatus(grpc.status.CANCELLED, 'Cancelled on client');
        next();
      },
    });
  };
}

export function matcherClient(address: string): MatcherClient {
  return new (loadProtos().facerec.v1.Matcher)(grpcTarget(address), grpc.credentials.createInsecure(), {
    ...MATCHER_CHANNEL_OPTIONS,
    interceptors: [askReadsAgain(MATCHER_READS, 2)],
  });
}

/** Calls a unary method as a promise. */
export function unary<Req, Res>(
  client: grpc.Client,
  method: (req: Req, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res?: Res) => void) => grpc.ClientUnaryCall,
  request: Req,
  options: grpc.CallOptions = {},
): Promise<Res> {
  return new Promise((resolvePromise, reject) => {
    method.call(client, request, options, (err, res) => (err ? reject(err) : resolvePromise(res as Res)));
  });
}

export function isGrpcError(err: unknown): err is grpc.ServiceError {
  return typeof err === 'object' && err !== null && 'code' in err && 'details' in err && 'metadata' in err;
}

/** A gRPC status error for a handler's callback. */
export function grpcError(code: grpc.status, details: string): Partial<grpc.StatusObject> {
  return { code, details };
}

type ServingStatus = HealthCheckResponse['status'];

/** The standard grpc.health.v1 service: "" is the whole server, other keys are its services. */
class HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Map<string, Set<grpc.ServerWritableStream<unknown, HealthCheckResponse>>>();

  set(service: string, status: ServingStatus): void {
    this.statuses.set(service, status);
    for (const call of this.watchers.get(service) ?? []) call.write({ status });
  }

  handlers(): HealthHandlers {
    return {
      Check: (call, callback) => {
        const status = this.statuses.get(call.request.service);
        if (status === undefined) return callback(grpcError(grpc.status.NOT_FOUND, `unknown service "${call.request.service}"`));
        callback(null, { status });
      },
      Watch: (call) => {
        const service = call.request.service;
        call.write({ status: this.statuses.get(service) ?? 'SERVICE_UNKNOWN' });
        const set = this.watchers.get(service) ?? new Set();
        this.watchers.set(service, set);
        set.add(call);
        call.on('cancelled', () => set.delete(call));
      },
    };
  }

  endWatches(): void {
    for (const set of this.watchers.values()) for (const call of set) call.end();
    this.watchers.clear();
  }
}

/**
 * A gRPC server with health. Each added service is NOT_SERVING until `setServing()`, so a load
 * balancer only routes to a server whose models are loaded.
 */
export class GrpcServer {
  private readonly server: grpc.Server;
  private readonly health = new HealthService();
  private readonly names: string[] = [];
  private boundPort = 0;

  /** `maxConnectionAgeMs`: 2 minutes; tests shorten it. */
  constructor(opts: { maxConnectionAgeMs?: number } = {}) {
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      // Clients re-resolve a headless Service's pods only when a connection ends: ending each one
      // after a while (GOAWAY) lets new replicas get calls after a scale-up. Calls in flight — a
      // video's frame stream may last an hour — are left to finish.
      'grpc.max_connection_age_ms': opts.maxConnectionAgeMs ?? 2 * 60_000,
      'grpc.max_connection_age_grace_ms': 24 * 3600_000,
    });
    this.server.addService(loadProtos().grpc.health.v1.Health.service, this.health.handlers());
    this.health.set('', 'NOT_SERVING');
  }

  add(name: string, definition: grpc.ServiceDefinition, handlers: grpc.UntypedServiceImplementation): this {
    this.server.addService(definition, handlers);
    this.names.push(name);
    this.health.set(name, 'NOT_SERVING');
    return this;
  }

  /** Binds "host:port" (port 0: any free port) and returns the bound port. */
  async listen(address: string): Promise<number> {
    this.boundPort = await new Promise<number>((resolvePort, reject) =>
      this.server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolvePort(port))),
    );
    return this.boundPort;
  }

  get port(): number {
    return this.boundPort;
  }

  setServing(serving: boolean): void {
    const status = serving ? 'SERVING' : 'NOT_SERVING';
    for (const name of ['', ...this.names]) this.health.set(name, status);
  }

  /** Refuses new calls, lets calls in flight finish for up to `graceMs`, then cancels the rest. */
  async stop(graceMs: number): Promise<void> {
    this.setServing(false);
    this.health.endWatches();
    await new Promise<void>((resolveStop) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolveStop();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolveStop();
      });
    });
  }
}

export { grpc };

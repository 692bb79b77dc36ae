// The product's configuration, read from the environment once at start into a typed object.
// Every variable the services (and the Helm chart) use is listed here, with its default.
import { resolve } from 'node:path';
import { detectorFromEnv, embedderFromEnv, type DetectorName, type EmbedderName } from '../engine/choice.js';
import { CELEBRITIES_ARTEFACT } from '../../models/catalog.js';
import { DEFAULT_MIN_QUALITY } from '../tracking/face-tracker.js';

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export const SERVICE_NAMES = ['gateway', 'decoder', 'detector', 'embedder', 'matcher', 'aggregator'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface Config {
  /** Local data directory: SQLite stores, uploads, the embedded vector index. */
  dataDir: string;
  /** Distributed mode when set: bus, job store and uploads on NATS JetStream. */
  natsUrl: string | null;
  /** Galleries' vectors in Qdrant when set; else the embedded index in dataDir. */
  qdrantUrl: string | null;
  qdrantApiKey: string | null;
  /**
   * Galleries and the identity index in PostgreSQL when set (postgres://…), so that several matcher
   * replicas share them; else in the matcher's SQLite file in dataDir.
   */
  databaseUrl: string | null;
  /** Prefix of every NATS subject, stream and bucket (several installations on one NATS). */
  natsPrefix: string;
  gateway: { host: string; port: number; publicUrl: string | null; maxSources: number; maxUploadBytes: number; importRoot: string | null };
  /** gRPC listen addresses of the services this process serves. */
  listen: { detector: string; embedder: string; matcher: string };
  /** Where clients find the gRPC services ("host:port", "ip:port,ip:port", or a target URI). */
  addresses: { detector: string; embedder: string; matcher: string };
  /** HTTP port for /healthz, /readyz and /metrics of a service that is not the gateway (0: none). */
  healthPort: number;
  /**
   * Downloads of URL sources. `allowPrivateHosts`: host names (as written in the URL) that may
   * resolve to loopback or private addresses although `allowPrivate` is off — an internal media
   * server named by the operator; every redirect hop is checked again, so a redirect from such a
   * host to another private address is still refused.
   */
  fetch: { maxBytes: number; timeoutMs: number; allowPrivate: boolean; allowPrivateHosts: string[] };
  decoder: { concurrency: number; maxImagePixels: number };
  /** Video: a frame sampled about every `sampleSeconds`; frames scaled down to `maxSide` px on their longer side. */
  video: { sampleSeconds: number; maxSide: number; ffmpegPath: string | null; ffprobePath: string | null; embedAll: boolean; minQuality: number };
  aggregator: { concurrency: number };
  /**
   * Batching across callers (libs/engine/batching.ts): items per inference, how long a batch waits
   * to fill, inferences at once. Null: by the execution provider the session got (cpu: small
   * batches, one single-threaded inference per core; cuda: large batches).
   */
  embedder: { batchSize: number | null; batchWaitMs: number; concurrency: number | null };
  /** Frames of every Detect stream batched the same way; one stream has up to batchSize x concurrency frames in flight. */
  detector: { batchSize: number | null; batchWaitMs: number; concurrency: number | null };
  /** The networks (catalog names): every process of an installation must use the same ones. */
  engine: { detector: DetectorName; embedder: EmbedderName };
  /** The pre-built `celebrities` gallery the matcher loads (FACEREC_CELEBRITIES; 'none': none, the gallery is left as it is). */
  celebritiesArtefact: string | null;
  /**
   * Work queues (distributed): how long a delivered job may go without an ack or a progress signal
   * before NATS hands it to another process — how soon the job of a killed decoder or aggregator is
   * taken over. Every process of one installation must use the same value (they share the consumers).
   */
  queue: { ackWaitMs: number };
  /** Seconds a stopping service waits for work in flight. */
  shutdownGraceMs: number;
  /**
   * API keys. `apiKey` (FACEREC_API_KEY) is the bootstrap admin key: set, every /api/v1 route needs
   * a key; unset, requests without a key are anonymous admins and the gateway listens on loopback
   * only, unless `allowAnonymous`. Keys are limited to `rateLimit` requests per second (bursts of
   * `rateBurst`) unless created with their own limit; 0 turns the limit off.
   */
  auth: { apiKey: string | null; allowAnonymous: boolean; metricsPublic: boolean; rateLimit: number; rateBurst: number };
  /** Webhooks: HMAC secret (none: callback_url is refused), first retry delay (doubling, at most 1 h), time limit per call. */
  webhooks: { secret: string | null; retryBaseMs: number; timeoutMs: number };
  /** Finished jobs (with results and the uploads only they used) are removed after this many days; 0 keeps them. */
  retentionDays: number;
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const config: Config = {
    dataDir: resolve(read.string('FACEREC_DATA_DIR', './data')),
    natsUrl: read.optional('NATS_URL'),
    qdrantUrl: read.optional('QDRANT_URL'),
    qdrantApiKey: read.optional('QDRANT_API_KEY'),
    databaseUrl: read.optional('DATABASE_URL', /^postgres(ql)?:\/\//),
    natsPrefix: read.string('FACEREC_NATS_PREFIX', 'facerec', /^[A-Za-z0-9_-]+$/),
    gateway: {
      host: read.string('HOST', '0.0.0.0'),
      port: read.int('PORT', 8080, 0, 65535),
      publicUrl: read.optional('FACEREC_PUBLIC_URL'),
      maxSources: read.int('FACEREC_MAX_SOURCES', 100, 1, 10_000),
      maxUploadBytes: read.int('FACEREC_MAX_UPLOAD_BYTES', 2 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
      importRoot: read.optional('FACEREC_IMPORT_ROOT'),
    },
    listen: {
      detector: read.string('DETECTOR_LISTEN', '0.0.0.0:50052'),
      embedder: read.string('EMBEDDER_LISTEN', '0.0.0.0:50053'),
      matcher: read.string('MATCHER_LISTEN', '0.0.0.0:50054'),
    },
    addresses: {
      detector: read.string('DETECTOR_ADDR', '127.0.0.1:50052'),
      embedder: read.string('EMBEDDER_ADDR', '127.0.0.1:50053'),
      matcher: read.string('MATCHER_ADDR', '127.0.0.1:50054'),
    },
    healthPort: read.int('HEALTH_PORT', 9090, 0, 65535),
    fetch: {
      maxBytes: read.int('FACEREC_FETCH_MAX_BYTES', 2 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
      timeoutMs: read.int('FACEREC_FETCH_TIMEOUT_S', 300, 1, 86_400) * 1000,
      allowPrivate: read.bool('FACEREC_ALLOW_PRIVATE_URLS', false),
      allowPrivateHosts: (read.optional('FACEREC_ALLOW_PRIVATE_HOSTS') ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    },
    decoder: {
      concurrency: read.int('DECODER_CONCURRENCY', 2, 1, 64),
      maxImagePixels: read.int('FACEREC_MAX_IMAGE_PIXELS', 100_000_000, 1, 1_000_000_000),
    },
    video: {
      sampleSeconds: read.number('FACEREC_VIDEO_SAMPLE_SECONDS', 0.5, 0.01, 60),
      maxSide: read.int('FACEREC_VIDEO_MAX_SIDE', 1920, 64, 8192),
      ffmpegPath: read.optional('FFMPEG_PATH'),
      ffprobePath: read.optional('FFPROBE_PATH'),
      // Embed every face of every track instead of the few best (measuring what selection saves).
      embedAll: read.bool('FACEREC_VIDEO_EMBED_ALL', false),
      minQuality: read.number('FACEREC_VIDEO_MIN_QUALITY', DEFAULT_MIN_QUALITY, 0, 1),
    },
    aggregator: { concurrency: read.int('AGGREGATOR_CONCURRENCY', 2, 1, 64) },
    detector: {
      batchSize: read.optionalInt('DETECTOR_BATCH_SIZE', 1, 256),
      batchWaitMs: read.int('DETECTOR_BATCH_WAIT_MS', 2, 0, 1000),
      concurrency: read.optionalInt('DETECTOR_CONCURRENCY', 1, 16),
    },
    celebritiesArtefact: ((path) => (path === 'none' ? null : resolve(path)))(read.string('FACEREC_CELEBRITIES', CELEBRITIES_ARTEFACT)),
    engine: { detector: read.checked('FACEREC_DETECTOR', () => detectorFromEnv(env)), embedder: read.checked('FACEREC_EMBEDDER', () => embedderFromEnv(env)) },
    embedder: {
      batchSize: read.optionalInt('EMBEDDER_BATCH_SIZE', 1, 1024),
      batchWaitMs: read.int('EMBEDDER_BATCH_WAIT_MS', 4, 0, 1000),
      concurrency: null,
    },
    queue: { ackWaitMs: read.int('FACEREC_QUEUE_ACK_WAIT_S', 30, 1, 3600) * 1000 },
    shutdownGraceMs: read.int('FACEREC_SHUTDOWN_GRACE_S', 25, 0, 3600) * 1000,
    auth: {
      apiKey: read.optional('FACEREC_API_KEY'),
      allowAnonymous: read.bool('FACEREC_ALLOW_ANONYMOUS', false),
      metricsPublic: read.bool('FACEREC_METRICS_PUBLIC', false),
      rateLimit: read.number('FACEREC_RATE_LIMIT', 50, 0, 1_000_000),
      rateBurst: read.int('FACEREC_RATE_BURST', 100, 1, 1_000_000),
    },
    webhooks: {
      secret: read.optional('FACEREC_WEBHOOK_SECRET'),
      retryBaseMs: read.number('FACEREC_WEBHOOK_RETRY_S', 10, 0.05, 3600) * 1000,
      timeoutMs: read.number('FACEREC_WEBHOOK_TIMEOUT_S', 10, 0.1, 300) * 1000,
    },
    retentionDays: read.number('FACEREC_RETENTION_DAYS', 30, 0, 36_500),
  };
  return config;
}

/** Every variable loadConfig reads (the Helm chart's env is checked against this). */
export const CONFIG_VARIABLES: readonly string[] = [
  'FACEREC_DATA_DIR', 'NATS_URL', 'QDRANT_URL', 'QDRANT_API_KEY', 'DATABASE_URL', 'FACEREC_NATS_PREFIX', 'HOST', 'PORT',
  'FACEREC_PUBLIC_URL', 'FACEREC_MAX_SOURCES', 'FACEREC_MAX_UPLOAD_BYTES', 'FACEREC_IMPORT_ROOT',
  'DETECTOR_LISTEN', 'EMBEDDER_LISTEN', 'MATCHER_LISTEN', 'DETECTOR_ADDR', 'EMBEDDER_ADDR', 'MATCHER_ADDR',
  'HEALTH_PORT', 'FACEREC_FETCH_MAX_BYTES', 'FACEREC_FETCH_TIMEOUT_S', 'FACEREC_ALLOW_PRIVATE_URLS', 'FACEREC_ALLOW_PRIVATE_HOSTS',
  'DECODER_CONCURRENCY', 'FACEREC_MAX_IMAGE_PIXELS', 'AGGREGATOR_CONCURRENCY', 'EMBEDDER_BATCH_SIZE', 'DETECTOR_CONCURRENCY',
  'DETECTOR_BATCH_SIZE', 'DETECTOR_BATCH_WAIT_MS',
  'EMBEDDER_BATCH_WAIT_MS', 'FACEREC_SHUTDOWN_GRACE_S', 'FACEREC_VIDEO_SAMPLE_SECONDS', 'FACEREC_VIDEO_MAX_SIDE',
  'FFMPEG_PATH', 'FFPROBE_PATH', 'FACEREC_VIDEO_EMBED_ALL', 'FACEREC_VIDEO_MIN_QUALITY', 'FACEREC_QUEUE_ACK_WAIT_S',
  'FACEREC_API_KEY', 'FACEREC_ALLOW_ANONYMOUS', 'FACEREC_METRICS_PUBLIC', 'FACEREC_RATE_LIMIT', 'FACEREC_RATE_BURST',
  'FACEREC_WEBHOOK_SECRET', 'FACEREC_WEBHOOK_RETRY_S', 'FACEREC_WEBHOOK_TIMEOUT_S', 'FACEREC_RETENTION_DAYS',
  'FACEREC_DETECTOR', 'FACEREC_EMBEDDER', 'FACEREC_CELEBRITIES',
  // read by the engine (libs/engine/session.ts), the logger and the model catalog
  'FACEREC_EXECUTION_PROVIDERS', 'FACEREC_INTRA_OP_THREADS', 'FACEREC_INFERENCE_WORKERS', 'CUDA_DEVICE_ID', 'LOG_LEVEL', 'FACEREC_MODELS_DIR',
];

class EnvReader {
  /** A value parsed by `parse`, its error reported against the variable. */
  checked<T>(name: string, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      throw new ConfigError(name, (err as Error).message);
    }
  }

  constructor(private readonly env: Env) {}

  optional(name: string, pattern?: RegExp): string | null {
    const v = this.env[name]?.trim();
    // The value is not echoed: it may carry a password.
    if (v && pattern && !pattern.test(v)) throw new ConfigError(name, `does not match ${pattern}`);
    return v ? v : null;
  }

  string(name: string, fallback: string, pattern?: RegExp): string {
    const v = this.optional(name) ?? fallback;
    if (pattern && !pattern.test(v)) throw new ConfigError(name, `"${v}" does not match ${pattern}`);
    return v;
  }

  /** An integer from min to max, or null when unset. */
  optionalInt(name: string, min: number, max: number): number | null {
    return this.optional(name) === null ? null : this.int(name, min, min, max);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === null) return fallback;
    if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
    const v = Number(raw);
    if (v < min || v > max) throw new ConfigError(name, `must be from ${min} to ${max}, got ${v}`);
    return v;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === null) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v)) throw new ConfigError(name, `must be a number, got "${raw}"`);
    if (v < min || v > max) throw new ConfigError(name, `must be from ${min} to ${max}, got ${v}`);
    return v;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined || raw === null) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    throw new ConfigError(name, `must be true or false, got "${raw}"`);
  }
}

// The adapters a process's services run on, chosen by configuration and never by the services:
// NATS_URL set → bus, job store and uploads on NATS JetStream; else in-process and the data
// directory. QDRANT_URL set → gallery vectors in Qdrant; else the embedded index. DATABASE_URL set →
// galleries and the identity index in PostgreSQL (several matcher replicas); else the matcher's
// SQLite file. Each adapter is made on first use, once per process, so a process opens only what
// its services need.
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Bus } from '../bus/bus.js';
import { MemoryBus } from '../bus/memory-bus.js';
import { NatsBus } from '../bus/nats-bus.js';
import type { Config } from '../config/config.js';
import type { GalleryStore } from '../gallery/gallery-store.js';
import type { IdentityIndexStore } from '../gallery/identity-index.js';
import type { ChangeFeed } from '../gallery/gallery-changes.js';
import { PostgresChangeFeed } from '../gallery/postgres-change-feed.js';
import { PostgresGalleryStore } from '../gallery/postgres-gallery-store.js';
import { PostgresIdentityIndex } from '../gallery/postgres-identity-index.js';
import { SqliteGalleryStore } from '../gallery/sqlite-gallery-store.js';
import { SqliteIdentityIndex } from '../gallery/sqlite-identity-index.js';
import { moduleLogger } from '../log/logger.js';
import type { BlobStore } from '../store/blob-store.js';
import { FileBlobStore } from '../store/file-blob-store.js';
import type { JobStore } from '../store/job-store.js';
import { NatsAuditLog, SqliteAuditLog, type AuditLog } from '../store/audit-log.js';
import { NatsKeyStore, SqliteKeyStore, type KeyStore } from '../store/key-store.js';
import { NatsBlobStore } from '../store/nats-blob-store.js';
import { NatsJobStore } from '../store/nats-job-store.js';
import { SqliteJobStore } from '../store/sqlite-job-store.js';
import { EmbeddedVectorIndex } from '../vector/embedded-vector-index.js';
import { QdrantVectorIndex } from '../vector/qdrant-vector-index.js';
import type { VectorIndex } from '../vector/vector-index.js';

const log = moduleLogger('adapters');

export class Adapters {
  private readonly made = new Map<string, Promise<unknown>>();
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(readonly config: Config) {}

  get distributed(): boolean {
    return this.config.natsUrl !== null;
  }

  /** The bus is durable (JetStream) only when distributed: embedded, jobs are recovered from the store at start. */
  bus(): Promise<Bus> {
    return this.once('bus', async () => {
      const bus = this.config.natsUrl ? await NatsBus.open(await this.nats(), { prefix: this.config.natsPrefix, ackWaitMs: this.config.queue.ackWaitMs }) : new MemoryBus();
      return this.closing(bus, () => bus.close());
    });
  }

  jobStore(): Promise<JobStore> {
    return this.once('jobs', async () => {
      const p = this.config.natsPrefix;
      const store = this.config.natsUrl
        ? await NatsJobStore.open(await this.nats(), { bucket: `${p}_jobs`, resultsBucket: `${p}_results` })
        : new SqliteJobStore(join(this.config.dataDir, 'jobs.db'));
      return this.closing(store, () => store.close());
    });
  }

  /** API keys: where the jobs are (every gateway replica sees the same keys). */
  keyStore(): Promise<KeyStore> {
    return this.once('keys', async () => {
      const store = this.config.natsUrl
        ? await NatsKeyStore.open(await this.nats(), `${this.config.natsPrefix}_keys`)
        : new SqliteKeyStore(join(this.config.dataDir, 'jobs.db'));
      return this.closing(store, () => store.close());
    });
  }

  /** The audit trail of key changes and erasures, next to the keys. */
  auditLog(): Promise<AuditLog> {
    return this.once('audit', async () => {
      const log = this.config.natsUrl
        ? await NatsAuditLog.open(await this.nats(), `${this.config.natsPrefix}_audit`)
        : new SqliteAuditLog(join(this.config.dataDir, 'jobs.db'));
      return this.closing(log, () => log.close());
    });
  }

  blobStore(): Promise<BlobStore> {
    return this.once('blobs', async () => {
      const store = this.config.natsUrl
        ? await NatsBlobStore.open(await this.nats(), { bucket: `${this.config.natsPrefix}_uploads` })
        : await FileBlobStore.open(join(this.config.dataDir, 'uploads'));
      return this.closing(store, () => store.close());
    });
  }

  /** Gallery metadata and crops: PostgreSQL when DATABASE_URL is set, else the matcher's data directory. */
  galleryStore(): Promise<GalleryStore> {
    return this.once('galleries', async () => {
      const url = this.config.databaseUrl;
      const store = url ? await PostgresGalleryStore.open(url) : new SqliteGalleryStore(join(this.config.dataDir, 'galleries.db'));
      if (url) log.info('galleries in PostgreSQL (DATABASE_URL)');
      return this.closing(store, () => store.close());
    });
  }

  /** The identity index (index_unknowns): next to the galleries, on its own connection(s). */
  identityIndexStore(): Promise<IdentityIndexStore> {
    return this.once('identity-index', async () => {
      const url = this.config.databaseUrl;
      const store = url ? await PostgresIdentityIndex.open(url) : new SqliteIdentityIndex(join(this.config.dataDir, 'galleries.db'));
      return this.closing(store, () => store.close());
    });
  }

  /**
   * The galleries' changes, for a matcher replica to follow in its own embedded vector index:
   * only with galleries in PostgreSQL and vectors not in Qdrant (shared there: nothing to follow).
   */
  galleryChanges(): Promise<ChangeFeed | null> {
    return this.once('gallery-changes', async () => {
      const url = this.config.databaseUrl;
      if (!url || this.config.qdrantUrl) return null;
      const feed = new PostgresChangeFeed(url, (err) => log.warn({ err: err.message }, 'the galleries\' change feed lost its connection; reconnecting'));
      return this.closing(feed, () => feed.close());
    });
  }

  /**
   * The vectors of the installation's embedder: one index per embedder (vectors of two networks
   * never share one; a gallery made by another is re-embedded into this one from its crops). The
   * dlib index keeps the names it had before embedders were told apart.
   */
  vectorIndex(): Promise<VectorIndex> {
    return this.once('vectors', async () => {
      const embedder = this.config.engine.embedder;
      const suffix = embedder === 'dlib-resnet' ? '' : `_${embedder.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      const index = this.config.qdrantUrl
        ? new QdrantVectorIndex({ url: this.config.qdrantUrl, apiKey: this.config.qdrantApiKey ?? undefined, collection: `${this.config.natsPrefix}_faces${suffix}` })
        : await EmbeddedVectorIndex.open(join(this.config.dataDir, `vectors${suffix.replace('_', '-')}.db`));
      return this.closing(index, () => index.close());
    });
  }

  nats(): Promise<NatsConnection> {
    return this.once('nats', async () => {
      const url = this.config.natsUrl;
      if (!url) throw new Error('NATS_URL is not set');
      const nc = await connect({ servers: url.split(','), name: `facerec-${process.pid}`, maxReconnectAttempts: -1 });
      log.info({ server: nc.getServer() }, 'connected to NATS');
      return this.closing(nc, () => nc.drain());
    });
  }

  /** Closes what was opened, newest first (the NATS connection after everything using it). */
  async close(): Promise<void> {
    for (const close of this.closers.reverse()) {
      await close().catch((err: unknown) => log.warn({ err }, 'closing an adapter failed'));
    }
    this.closers.length = 0;
    this.made.clear();
  }

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.made.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make();
      this.made.set(key, p);
    }
    return p;
  }

  private closing<T>(value: T, close: () => Promise<void>): T {
    this.closers.push(close);
    return value;
  }
}

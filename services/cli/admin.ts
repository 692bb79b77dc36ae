// `facerec admin purge --prefix P [--yes]`: removes everything an installation keeps in NATS
// JetStream under FACEREC_NATS_PREFIX P (work queues, observations, job records and results, uploads,
// keys, audit trail). Without --yes it lists what it would delete and deletes nothing.
// `facerec admin migrate-galleries --from DIR --to URL`: copies the matcher's galleries and identity
// index from its data directory (galleries.db) into PostgreSQL, verifies the copy, safe to repeat.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from './args.js';

export const ADMIN_USAGE = `  facerec admin purge --prefix P [--nats URL] [--yes]
    deletes the JetStream streams, KV and object buckets of the installation with FACEREC_NATS_PREFIX P
    (--nats: default $NATS_URL or nats://127.0.0.1:4222); without --yes, only lists them
  facerec admin migrate-galleries --from <data dir> [--to <postgres URL>]
    copies the galleries (metadata, crops, embeddings) and the identity index of the data directory's
    galleries.db into PostgreSQL (--to: default $DATABASE_URL), keeping ids; then compares every row.
    Rows already there are kept: running it again copies nothing. The vector index stays where it is`;

/**
 * What an installation names (libs/bus/nats-bus.ts, libs/service/adapters.ts): work queues
 * `<prefix>_queue_<queue>`, observations `<prefix>_obs`, KV buckets (`KV_<prefix>_<name>`: jobs,
 * keys, audit…) and object buckets (`OBJ_<prefix>_<name>`: results, uploads…), each name one
 * lowercase word: the installation `<prefix>_x` has `KV_<prefix>_x_jobs`, which is not ours.
 */
function kindOf(stream: string, prefix: string): PurgeItem['kind'] | null {
  if (stream === `${prefix}_obs` || (stream.startsWith(`${prefix}_queue_`) && /^[a-z]+$/.test(stream.slice(`${prefix}_queue_`.length)))) return 'stream';
  for (const [head, kind] of [['KV_', 'KV bucket'], ['OBJ_', 'object bucket']] as const) {
    if (stream.startsWith(`${head}${prefix}_`) && /^[a-z]+$/.test(stream.slice(`${head}${prefix}_`.length))) return kind;
  }
  return null;
}
const PREFIX = /^[A-Za-z0-9_-]+$/;

export interface PurgeItem {
  stream: string;
  kind: 'stream' | 'KV bucket' | 'object bucket';
  messages: number;
  bytes: number;
}

/** The NATS client, loaded when a command talks to NATS (not for `facerec --help`). */
async function nats() {
  const [{ connect }, { jetstreamManager }] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]);
  return { connect, jetstreamManager };
}

/** The streams of the installation `prefix` on the server, and other streams whose names merely start with it. */
export async function installationStreams(natsUrl: string, prefix: string): Promise<{ items: PurgeItem[]; others: string[] }> {
  const { connect, jetstreamManager } = await nats();
  const nc = await connect({ servers: natsUrl, timeout: 5000 });
  try {
    const jsm = await jetstreamManager(nc);
    const items: PurgeItem[] = [];
    const others: string[] = [];
    for await (const info of jsm.streams.list()) {
      const name = info.config.name;
      const kind = kindOf(name, prefix);
      if (kind) items.push({ stream: name, kind, messages: info.state.messages, bytes: info.state.bytes });
      else if ([prefix, `KV_${prefix}`, `OBJ_${prefix}`].some((p) => name.startsWith(`${p}_`))) others.push(name);
    }
    return { items: items.sort((a, b) => a.stream.localeCompare(b.stream)), others: others.sort() };
  } finally {
    await nc.close();
  }
}

export async function deleteStreams(natsUrl: string, streams: readonly string[]): Promise<void> {
  const { connect, jetstreamManager } = await nats();
  const nc = await connect({ servers: natsUrl, timeout: 5000 });
  try {
    const jsm = await jetstreamManager(nc);
    for (const stream of streams) await jsm.streams.delete(stream);
  } finally {
    await nc.close();
  }
}

export async function adminCommand(argv: string[], out: (line: string) => void = console.log): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'migrate-galleries') return migrateGalleriesCommand(rest, out);
  if (sub !== 'purge') throw new UsageError(`unknown admin command '${sub ?? ''}' (purge, migrate-galleries)`);
  const { values } = parseArgs({ args: rest, options: { prefix: { type: 'string' }, nats: { type: 'string' }, yes: { type: 'boolean', default: false } } });
  if (!values.prefix) throw new UsageError('admin purge needs --prefix (the installation\'s FACEREC_NATS_PREFIX)');
  if (!PREFIX.test(values.prefix)) throw new UsageError(`--prefix '${values.prefix}' is not a valid prefix (letters, digits, _ and - only)`);
  const natsUrl = values.nats ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const { items, others } = await installationStreams(natsUrl, values.prefix);
  for (const name of others) out(`not an installation stream, kept: ${name}`);
  if (items.length === 0) {
    out(`nothing under prefix '${values.prefix}' on ${natsUrl}`);
    return;
  }
  const width = Math.max(...items.map((i) => i.stream.length));
  for (const i of items) out(`${i.stream.padEnd(width)}  ${i.kind.padEnd(13)}  ${i.messages} messages, ${i.bytes} bytes`);
  if (!values.yes) throw new Error(`nothing deleted: add --yes to delete these ${items.length} streams from ${natsUrl}`);
  await deleteStreams(natsUrl, items.map((i) => i.stream));
  out(`deleted ${items.length} streams of prefix '${values.prefix}' from ${natsUrl}`);
}

async function migrateGalleriesCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' } } });
  if (!values.from) throw new UsageError('admin migrate-galleries needs --from (the data directory holding galleries.db)');
  const to = values.to ?? process.env.DATABASE_URL;
  if (!to) throw new UsageError('admin migrate-galleries needs --to (a postgres:// URL) or DATABASE_URL');
  if (!/^postgres(ql)?:\/\//.test(to)) throw new UsageError('--to must be a postgres:// URL');
  const file = join(values.from, 'galleries.db');
  if (!existsSync(file)) throw new UsageError(`no galleries.db in ${values.from}`);

  const [{ SqliteGalleryStore }, { SqliteIdentityIndex }, { PostgresGalleryStore }, { PostgresIdentityIndex }, { migrateGalleries, verifyMigration }] = await Promise.all([
    import('../../libs/gallery/sqlite-gallery-store.js'),
    import('../../libs/gallery/sqlite-identity-index.js'),
    import('../../libs/gallery/postgres-gallery-store.js'),
    import('../../libs/gallery/postgres-identity-index.js'),
    import('../../libs/gallery/migrate-galleries.js'),
  ]);
  const from = { galleries: new SqliteGalleryStore(file), index: new SqliteIdentityIndex(file) };
  const target = await Promise.all([PostgresGalleryStore.open(to), PostgresIdentityIndex.open(to)]);
  const dest = { galleries: target[0], index: target[1] };
  try {
    out(`copying ${file} into ${redacted(to)}`);
    const r = await migrateGalleries(from, dest, out);
    const line = (what: string, c: { source: number; added: number; present: number }) => `${what.padEnd(22)} ${String(c.source).padStart(8)} ${String(c.added).padStart(8)} ${String(c.present).padStart(8)}`;
    out(`${'rows'.padEnd(22)} ${'source'.padStart(8)} ${'copied'.padStart(8)} ${'present'.padStart(8)}`);
    out(line('models', r.models));
    out(line('identities', r.identities));
    out(line('samples', r.samples));
    out(line('indexed identities', r.indexIdentities));
    out(line('indexed samples', r.indexSamples));
    out(line('appearances', r.appearances));
    await verifyMigration(from, dest);
    const copied = [r.models, r.identities, r.samples, r.indexIdentities, r.indexSamples, r.appearances].reduce((n, c) => n + c.added, 0);
    out(`verified: every source row is in ${redacted(to)}, embeddings bit for bit and crops byte for byte${copied === 0 ? ' (nothing new to copy: already migrated)' : ''}`);
  } finally {
    await Promise.all([from.galleries.close(), from.index.close(), dest.galleries.close(), dest.index.close()]);
  }
}

/** The URL without its password, for output. */
function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the database';
  }
}

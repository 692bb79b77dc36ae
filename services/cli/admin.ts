// `facerec admin purge --prefix P [--yes]`: removes everything an installation keeps in NATS
// JetStream under FACEREC_NATS_PREFIX P (work queues, observations, job records and results, uploads,
// keys, audit trail). Without --yes it lists what it would delete and deletes nothing.
import { parseArgs } from 'node:util';
import { UsageError } from './args.js';

export const ADMIN_USAGE = `  facerec admin purge --prefix P [--nats URL] [--yes]
    deletes the JetStream streams, KV and object buckets of the installation with FACEREC_NATS_PREFIX P
    (--nats: default $NATS_URL or nats://127.0.0.1:4222); without --yes, only lists them`;

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
  if (sub !== 'purge') throw new UsageError(`unknown admin command '${sub ?? ''}' (purge)`);
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

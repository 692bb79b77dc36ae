// `facerec admin purge --prefix P`: lists the streams, KV and object buckets of installation P on
// the local NATS, deletes them only with --yes, and leaves every other installation's alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCommand } from '../../services/cli/admin.js';
import { UsageError } from '../../services/cli/args.js';
import { loadConfig } from '../../libs/config/config.js';
import { Adapters } from '../../libs/service/adapters.js';
import { deleteNatsPrefix } from '../../services/spawn.js';
import { availableNats, uniqueName } from '../support/nats.js';

let natsUrl: string | null = null;
const prefix = uniqueName('purge');
const neighbour = `${prefix}_x`; // another installation whose names start with this one's
const dataDir = mkdtempSync(join(tmpdir(), 'facerec-purge-'));

async function streams(): Promise<string[]> {
  const nc = await connect({ servers: natsUrl! });
  try {
    const names: string[] = [];
    for await (const info of (await jetstreamManager(nc)).streams.list()) if (info.config.name.includes(prefix)) names.push(info.config.name);
    return names.sort();
  } finally {
    await nc.close();
  }
}

/** What a running installation creates: bus queues and observations, job records and results, uploads, keys, audit. */
async function install(p: string): Promise<void> {
  const adapters = new Adapters(loadConfig({ NATS_URL: natsUrl!, FACEREC_NATS_PREFIX: p, FACEREC_DATA_DIR: join(dataDir, p) }));
  try {
    const bus = await adapters.bus();
    bus.consume('decode', async () => 'ack', { concurrency: 1 });
    bus.consume('aggregate', async () => 'ack', { concurrency: 1 });
    await adapters.jobStore();
    await adapters.blobStore();
    const maybe = adapters as unknown as { keyStore?: () => Promise<unknown>; auditLog?: () => Promise<unknown> };
    await maybe.keyStore?.();
    await maybe.auditLog?.();
  } finally {
    await adapters.close();
  }
}

beforeAll(async () => {
  natsUrl = await availableNats();
});
afterAll(async () => {
  if (natsUrl) await deleteNatsPrefix(natsUrl, prefix);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('facerec admin purge', () => {
  it('refuses without --prefix or with a bad one', async () => {
    await expect(adminCommand(['purge'])).rejects.toThrow(UsageError);
    await expect(adminCommand(['purge', '--prefix', 'a.b'])).rejects.toThrow(UsageError);
    await expect(adminCommand(['vacuum'])).rejects.toThrow(UsageError);
  });

  it('lists without --yes, deletes with it, and keeps other installations', async ({ skip }) => {
    if (!natsUrl) return skip('NATS not reachable');
    await install(prefix);
    await install(neighbour);
    const before = await streams();
    const own = before.filter((s) => !s.includes(neighbour));
    expect(own).toEqual(expect.arrayContaining([`${prefix}_queue_decode`, `${prefix}_queue_aggregate`, `${prefix}_obs`, `KV_${prefix}_jobs`, `OBJ_${prefix}_results`, `OBJ_${prefix}_uploads`]));

    const listed: string[] = [];
    await expect(adminCommand(['purge', '--prefix', prefix, '--nats', natsUrl], (l) => listed.push(l))).rejects.toThrow(/nothing deleted: add --yes/);
    expect(await streams()).toEqual(before);
    for (const s of own) expect(listed.some((l) => l.startsWith(`${s} `)), `${s} not in:\n${listed.join("\n")}`).toBe(true);
    for (const s of before.filter((n) => n.includes(neighbour))) expect(listed).toContain(`not an installation stream, kept: ${s}`);

    const done: string[] = [];
    await adminCommand(['purge', '--prefix', prefix, '--nats', natsUrl, '--yes'], (l) => done.push(l));
    expect(done.at(-1)).toBe(`deleted ${own.length} streams of prefix '${prefix}' from ${natsUrl}`);
    const after = await streams();
    expect(after).toEqual(before.filter((n) => n.includes(neighbour)));
    expect(after.length).toBeGreaterThanOrEqual(6);

    const again: string[] = [];
    await adminCommand(['purge', '--prefix', prefix, '--nats', natsUrl], (l) => again.push(l));
    expect(again.at(-1)).toBe(`nothing under prefix '${prefix}' on ${natsUrl}`);
  });
});

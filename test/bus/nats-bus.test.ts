// Needs a NATS server with JetStream (test/support/nats.ts); skips without one.
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import type { Bus } from '../../libs/bus/bus.js';
import { NatsBus, type NatsBusOptions } from '../../libs/bus/nats-bus.js';
import { availableNats, uniqueName } from '../support/nats.js';
import { describeBus, gate, sleep, waitFor } from './bus.contract.js';

const url = await availableNats();

/** Buses sharing one fresh prefix, each on its own connection (as separate processes would be). */
function backend(opts: NatsBusOptions = {}) {
  const prefix = uniqueName('t');
  const connections: NatsConnection[] = [];
  const buses: Bus[] = [];
  return {
    prefix,
    async open(): Promise<{ bus: NatsBus; nc: NatsConnection }> {
      const nc = await connect({ servers: url! });
      connections.push(nc);
      const bus = await NatsBus.open(nc, { prefix, retryDelayMs: 100, ...opts });
      buses.push(bus);
      return { bus, nc };
    },
    async cleanup(): Promise<void> {
      await Promise.all(buses.map((bus) => bus.close()));
      const nc = await connect({ servers: url! });
      try {
        const jsm = await jetstreamManager(nc);
        for await (const name of jsm.streams.names()) if (name.startsWith(`${prefix}_`)) await jsm.streams.delete(name);
      } finally {
        await nc.close();
        await Promise.all(connections.map((c) => c.close()));
      }
    },
  };
}

describe.skipIf(!url)('NatsBus', () => {
  describeBus('NatsBus', async () => {
    const b = backend();
    const { bus } = await b.open();
    return { bus, second: async () => (await b.open()).bus, cleanup: () => b.cleanup() };
  });

  it('redelivers the message of a dead worker to another after ack wait, not before', async () => {
    const b = backend({ ackWaitMs: 1500 });
    try {
      const a = await b.open();
      const other = await b.open();
      const release = gate();
      const startedA: number[] = [];
      const consumerA = a.bus.consume('decode', async (_m, d) => {
        startedA.push(d.attempt);
        await release.promise;
        return 'ack';
      }, { concurrency: 1 });
      await a.bus.enqueue('decode', { jobId: 'long' }, 'long');
      await waitFor(() => startedA.length === 1);

      const seenB: number[] = [];
      const consumerB = other.bus.consume('decode', async (_m, d) => (seenB.push(d.attempt), 'ack'), { concurrency: 1 });
      // A signals progress, so the message stays A's well past the ack wait.
      await sleep(4000);
      expect(seenB).toEqual([]);

      await a.nc.close(); // A dies without acknowledging
      await waitFor(() => seenB.length === 1, 10_000);
      expect(seenB).toEqual([2]);

      release.open();
      await consumerA.stop();
      await consumerB.stop();
      expect(startedA).toEqual([1]);
    } finally {
      await b.cleanup();
    }
  });

  it('creates the documented streams and consumers, and updates them on a later open', async () => {
    const b = backend();
    try {
      const { nc } = await b.open();
      const jsm = await jetstreamManager(nc);
      const decode = await jsm.consumers.info(`${b.prefix}_queue_decode`, `${b.prefix}_decode`);
      expect(decode.config).toMatchObject({ ack_policy: 'explicit', ack_wait: nanos(30_000) });
      expect((await jsm.streams.info(`${b.prefix}_queue_aggregate`)).config).toMatchObject({ retention: 'workqueue', subjects: [`${b.prefix}.queue.aggregate.*`] });
      expect((await jsm.streams.info(`${b.prefix}_obs`)).config).toMatchObject({ retention: 'limits', subjects: [`${b.prefix}.obs.>`] });

      const again = await NatsBus.open(nc, { prefix: b.prefix, ackWaitMs: 5000, maxDeliver: 5 });
      await again.close();
      const updated = await jsm.consumers.info(`${b.prefix}_queue_decode`, `${b.prefix}_decode`);
      expect(updated.config).toMatchObject({ ack_wait: nanos(5000), max_deliver: 5 });
    } finally {
      await b.cleanup();
    }
  });
});

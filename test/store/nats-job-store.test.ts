import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { describe } from 'vitest';
import { NatsJobStore } from '../../libs/store/nats-job-store.js';
import { availableNats, uniqueName } from '../support/nats.js';
import { describeJobStore } from './job-store.contract.js';

const url = await availableNats();

describe.skipIf(!url)('NATS', () => {
  describeJobStore('NatsJobStore', async () => {
    const buckets = { bucket: uniqueName('test_jobs'), resultsBucket: uniqueName('test_results') };
    const connections = [await connect({ servers: url! })];
    return {
      store: await NatsJobStore.open(connections[0]!, buckets),
      openPeer: async () => {
        const nc = await connect({ servers: url! });
        connections.push(nc);
        return NatsJobStore.open(nc, buckets);
      },
      cleanup: async () => {
        const nc = connections[0]!;
        await (await new Kvm(nc).open(buckets.bucket)).destroy();
        await (await new Objm(nc).open(buckets.resultsBucket)).destroy();
        for (const connection of connections) await connection.close();
      },
    };
  });
});

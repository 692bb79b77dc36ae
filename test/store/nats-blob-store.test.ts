import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { describe } from 'vitest';
import { NatsBlobStore } from '../../libs/store/nats-blob-store.js';
import { availableNats, uniqueName } from '../support/nats.js';
import { describeBlobStore } from './blob-store.contract.js';

const url = await availableNats();

describe.skipIf(!url)('NATS', () => {
  describeBlobStore('NatsBlobStore', async () => {
    const bucket = uniqueName('test_uploads');
    const nc = await connect({ servers: url! });
    const objects = await new Objm(nc).create(bucket);
    return {
      store: await NatsBlobStore.open(nc, { bucket }),
      // Chunks and metadata are messages of the bucket's stream.
      storedEntries: async () => (await objects.status()).streamInfo.state.messages,
      cleanup: async () => {
        await objects.destroy();
        await nc.close();
      },
    };
  });
});

// Runs against the Qdrant at QDRANT_URL when set, else against one started in a container
// (testcontainers). With neither — no container engine answers, as on this project's test and CI
// machines — the suite is skipped, loudly: the reason is printed and is the skipped suite's name,
// so `npm test`'s report says what did not run and why. It is not a failure under CI=true: a
// container engine is not something CI is expected to have; set QDRANT_URL there to run it.
import { QdrantClient } from '@qdrant/js-client-rest';
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe } from 'vitest';
import { QdrantVectorIndex } from '../../libs/vector/qdrant-vector-index.js';
import { uniqueName } from '../support/nats.js';
import { describeVectorIndex } from './vector-index.contract.js';

const external = process.env.QDRANT_URL || null;
const noEngine = external
  ? null
  : await getContainerRuntimeClient().then(
      () => null,
      (err: Error) => err.message,
    );
const skipped = noEngine === null ? null : `no QDRANT_URL and no container engine (${noEngine})`;
if (skipped) console.warn(`SKIPPED: the Qdrant adapter's tests: ${skipped}; set QDRANT_URL to a Qdrant server to run them`);

describe.skipIf(skipped !== null)(skipped ? `QdrantVectorIndex — SKIPPED: ${skipped}` : 'QdrantVectorIndex', () => {
  let container: StartedTestContainer | undefined;
  let url: string;

  beforeAll(async () => {
    if (external) {
      url = external;
      return;
    }
    container = await new GenericContainer('qdrant/qdrant:v1.13.6')
      .withExposedPorts(6333)
      .withWaitStrategy(Wait.forHttp('/readyz', 6333))
      .start();
    url = `http://${container.getHost()}:${container.getMappedPort(6333)}`;
  });

  afterAll(async () => {
    await container?.stop();
  });

  describeVectorIndex('QdrantVectorIndex', async () => {
    const collection = uniqueName('faces');
    const index = new QdrantVectorIndex({ url, collection });
    return {
      index,
      cleanup: async () => {
        await index.close();
        await new QdrantClient({ url }).deleteCollection(collection);
      },
    };
  });
});

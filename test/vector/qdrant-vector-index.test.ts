// Runs Qdrant in a container (testcontainers); skips where no container runtime answers.
import { QdrantClient } from '@qdrant/js-client-rest';
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe } from 'vitest';
import { QdrantVectorIndex } from '../../libs/vector/qdrant-vector-index.js';
import { uniqueName } from '../support/nats.js';
import { describeVectorIndex } from './vector-index.contract.js';

const runtime = await getContainerRuntimeClient().then(
  () => true,
  (err: Error) => {
    console.warn('skipping Qdrant tests: no container runtime (' + err.message + ')');
    return false;
  },
);

describe.skipIf(!runtime)('QdrantVectorIndex', () => {
  let container: StartedTestContainer | undefined;
  let url: string;

  beforeAll(async () => {
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

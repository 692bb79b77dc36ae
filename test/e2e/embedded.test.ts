// End to end through REST on the embedded product (every service in one process, as `npm start`),
// and a restart of it: a job submitted before completes after, finished results survive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine } from '../../libs/engine/engine.js';
import { SERVICE_NAMES, type ServiceName } from '../../libs/config/config.js';
import { loadConfig } from '../../libs/config/config.js';
import { startServices } from '../../services/product.js';
import { sharedDataFile } from '../support/shared-data.js';
import { api, startEmbedded, waitForJob, type RunningProduct } from '../support/product.js';
import { addPeople, photoScenario, runJob, upload, who } from './photo-scenario.js';

const gallery = sharedDataFile('faces/people/gallery');
const probes = sharedDataFile('faces/people/probes');

describe.skipIf(!gallery || !probes)('embedded product, end to end', () => {
  let running: RunningProduct;
  let engine: FaceEngine;

  beforeAll(async () => {
    [running, engine] = await Promise.all([startEmbedded(), FaceEngine.load()]);
  });
  afterAll(async () => {
    await running?.stop();
  });

  it('builds galleries through the API and names the people in the probes', async () => {
    await photoScenario(running.url, { gallery: gallery!, probes: probes! }, engine);
  });
});

describe.skipIf(!gallery || !probes)('embedded product, restarted', () => {
  it('completes after a restart a job submitted before it, and keeps finished results', async () => {
    // Run 1: a gallery and a finished job.
    const first = await startEmbedded();
    const dataDir = first.dataDir;
    await api(first.url, 'POST', '/api/v1/models/', { name: 'people' });
    await addPeople(first.url, 'people', gallery!, ['obama', 'biden']);
    const source = await upload(first.url, `${probes}/obama_and_biden.jpg`);
    const done = await runJob(first.url, [source], { model: 'people' });
    expect(done.job.state).toBe('completed');
    await first.stop({ keepData: true });

    // Run 2: no decoder, so a job submitted now cannot start before the product stops.
    const withoutDecoder = SERVICE_NAMES.filter((n): n is ServiceName => n !== 'decoder');
    const config = loadConfig({ FACEREC_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', HEALTH_PORT: '0', FACEREC_SHUTDOWN_GRACE_S: '5' });
    const second = await startServices(withoutDecoder, config, { loopback: true });
    const url2 = `http://127.0.0.1:${second.gatewayPort}`;
    const submitted = await api(url2, 'POST', '/api/v1/jobs/', { sources: [source], modules: { face_recognition: { model: 'people' } } });
    expect(submitted.status).toBe(201);
    expect((await api(url2, 'GET', `/api/v1/jobs/${submitted.body.id}/`)).body.state).toBe('waiting');
    await second.stop();

    // Run 3: the whole product again, on the same data directory.
    const third = await startEmbedded({ dataDir });
    try {
      const recovered = await waitForJob(third.url, submitted.body.id);
      expect(recovered.state).toBe('completed');
      const results = (await api(third.url, 'GET', `/api/v1/jobs/${recovered.id}/detailed-results/?limit=100`)).body.data;
      expect(who(results)).toEqual(['(unknown)', 'biden', 'obama']);
      // The job finished in run 1 reads back the same.
      const again = (await api(third.url, 'GET', `/api/v1/jobs/${done.job.id}/detailed-results/?limit=1000`)).body.data;
      expect(again).toEqual(done.results);
      expect((await api(third.url, 'GET', `/api/v1/jobs/${done.job.id}/`)).body.state).toBe('completed');
    } finally {
      await third.stop();
    }
  });
});

// A gallery built by the previous embedder (dlib ResNet, with BlazeFace + FaceMesh) is re-embedded
// at the next start by the new default (YuNet + faceplugin-fr512) from its stored crops; until
// then matching against it is refused with the reason, never mixed; afterwards it names people.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, startEmbedded, waitForJob, type RunningProduct } from '../support/product.js';
import { sharedDataFile } from '../support/shared-data.js';
import { runModels } from '../../services/cli/models.js';
import { addPeople, upload } from './photo-scenario.js';

const faces = sharedDataFile('faces');

describe.skipIf(!faces)('re-embedding a gallery made by another embedder (embedded)', () => {
  let running: RunningProduct | undefined;
  afterAll(async () => {
    await running?.stop();
  });

  it('re-embeds a dlib-made gallery at start, then names the probes with the new embedder', { timeout: 240_000 }, async () => {
    const previous = await startEmbedded({ env: { FACEREC_DETECTOR: 'blazeface', FACEREC_EMBEDDER: 'dlib-resnet' } });
    expect((await api(previous.url, 'POST', '/api/v1/models/', { name: 'people' })).status).toBe(201);
    await addPeople(previous.url, 'people', join(faces!, 'people/gallery'), ['obama', 'biden', 'kit_harington']);
    await previous.stop({ keepData: true });

    running = await startEmbedded({ dataDir: previous.dataDir });
    const probe = await upload(running.url, join(faces!, 'people/probes/obama_and_biden.jpg'));
    // Re-embedding runs in the background once the detector and embedder answer; a job submitted
    // meanwhile waits (the matcher refuses the gallery until then and the job is retried).
    const submitted = await api(running.url, 'POST', '/api/v1/jobs/', { sources: [probe], modules: { face_recognition: { model: 'people' } } });
    expect(submitted.status).toBe(201);
    const job = await waitForJob(running.url, submitted.body.id, 150_000);
    expect(job.state, JSON.stringify(job)).toBe('completed');
    const results = (await api(running.url, 'GET', `/api/v1/jobs/${job.id}/detailed-results/?limit=100`)).body.data;
    expect(results.map((r: any) => r.meta.person).filter(Boolean).sort()).toEqual(['biden', 'obama']);
    const exported = await api(running.url, 'GET', '/api/v1/models/people/export/');
    expect(exported.status).toBe(200);
    expect(exported.body.embeddingModel).toBe('faceplugin-fr512');
    expect(exported.body.dimension).toBe(512);

    // On request too: through the API and `facerec models reembed`, the same gallery again.
    const again = await api(running.url, 'POST', '/api/v1/models/people/reembed/');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toEqual({ model: 'people', samples: 6, failed: [], embedding_model: 'faceplugin-fr512' });
    const out: string[] = [];
    expect(await runModels(['reembed', '--url', running.url], { out: (l) => out.push(l), err: (l) => out.push(l) })).toBe(0);
    expect(out.join('\n')).toMatch(/re-embedded "people": 6 samples by faceplugin-fr512/);
    expect((await api(running.url, 'POST', '/api/v1/models/celebrities/reembed/')).status).toBe(409);
  });
});

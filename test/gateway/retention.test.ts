// Retention (issue 12, part 3): finished jobs older than FACEREC_RETENTION_DAYS go with their
// results and the uploads only they used; uploads no job uses go after a day; 0 keeps everything.
// Against the real stores of both modes, and through the gateway's sweep at start.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobRecord, JobState, ResultItem } from '../../libs/jobs/types.js';
import type { BlobStore } from '../../libs/store/blob-store.js';
import { FileBlobStore } from '../../libs/store/file-blob-store.js';
import type { JobStore } from '../../libs/store/job-store.js';
import { NatsBlobStore } from '../../libs/store/nats-blob-store.js';
import { NatsJobStore } from '../../libs/store/nats-job-store.js';
import { SqliteJobStore } from '../../libs/store/sqlite-job-store.js';
import { sweepRetention } from '../../services/gateway/retention.js';
import { startGatewayOnly } from '../support/gateway.js';
import { availableNats, uniqueName } from '../support/nats.js';

const DAY = 24 * 3600 * 1000;

function job(state: JobState, finishedAt: number, sources: string[]): JobRecord {
  const t = new Date(finishedAt).toISOString();
  return {
    id: randomUUID(), tag: '', state, errors: [], warnings: [], progress: 1, sources, request: {},
    params: { models: ['celebrities'], max_distance: 1, cluster_unknowns: false, index_unknowns: false, face_detection_scale: 600, enable_top_k: false, top_k: 3, modelIds: [] },
    timeCreated: t, timeStarted: t, timeCompleted: state === 'processing' ? null : t, mediaType: 'image', summary: [],
  };
}

const result = (): ResultItem => ({
  id: randomUUID(), media_type: 'image', source: 's', module: 'face_recognition', frame_start: 0, frame_end: 0, time_start: 0, time_end: 0,
  tc_start: '00:00:00:00', tc_end: '00:00:00:00',
  meta: { person: 'Somebody', class_id: null, closest_person: null, mean_distance: 0.5, mean_similarity: 0.8, indexed_identity: null },
  thumbnail: { image: 'AAAA', meta: {} }, detections: [{ frame_index: 0, type: 'face_bbox', data: { x: 0, y: 0, w: 0.1, h: 0.1 } }],
});

async function scenario(jobs: JobStore, blobs: BlobStore): Promise<void> {
  const put = async () => (await blobs.put(Buffer.from(randomUUID()), { contentType: 'image/jpeg' })).id;
  const [u1, shared, u2, u3, u4] = [await put(), await put(), await put(), await put(), await put()];
  const now = Date.now() + 2 * DAY; // every upload above is two days old then
  const old = job('completed', now - 31 * DAY, [`storage://${u1}`, `storage://${shared}`, 'https://example.org/x.jpg']);
  const oldFailed = job('failed', now - 40 * DAY, []);
  const recent = job('completed', now - 29 * DAY, [`storage://${shared}`, `storage://${u2}`]);
  const running = job('processing', now - 40 * DAY, [`storage://${u3}`]);
  for (const j of [old, oldFailed, recent, running]) await jobs.create(j);
  await jobs.putResults(old.id, [result(), result()]);
  await jobs.putResults(recent.id, [result()]);

  expect(await sweepRetention(jobs, blobs, 0, now)).toEqual({ jobs: 0, uploads: 0 });
  expect(await jobs.get(old.id)).toBeDefined();

  expect(await sweepRetention(jobs, blobs, 30, now)).toEqual({ jobs: 2, uploads: 2 });
  expect(await jobs.get(old.id)).toBeUndefined();
  expect(await jobs.get(oldFailed.id)).toBeUndefined();
  expect((await jobs.getResults(old.id, { limit: 10, offset: 0 })).total).toBe(0);
  expect(await jobs.get(recent.id)).toBeDefined();
  expect((await jobs.getResults(recent.id, { limit: 10, offset: 0 })).total).toBe(1);
  expect(await jobs.get(running.id)).toBeDefined();
  expect(await blobs.stat(u1)).toBeUndefined(); // only the expired job used it
  expect(await blobs.stat(u4)).toBeUndefined(); // never used, two days old
  for (const kept of [shared, u2, u3]) expect(await blobs.stat(kept), kept).toBeDefined();

  // an unused upload younger than a day stays
  const fresh = await put();
  expect(await sweepRetention(jobs, blobs, 30)).toEqual({ jobs: 0, uploads: 0 });
  expect(await blobs.stat(fresh)).toBeDefined();
}

const natsUrl = await availableNats();

describe('retention sweep', () => {
  it('embedded stores (SQLite, files)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facerec-ret-'));
    const jobs = new SqliteJobStore(join(dir, 'jobs.db'));
    const blobs = await FileBlobStore.open(join(dir, 'uploads'));
    try {
      await scenario(jobs, blobs);
    } finally {
      await jobs.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  let nc: NatsConnection | undefined;
  afterAll(async () => {
    await nc?.close();
  });
  it.skipIf(!natsUrl)('distributed stores (NATS KV, object store)', async () => {
    nc = await connect({ servers: natsUrl! });
    const p = uniqueName('ret');
    await scenario(await NatsJobStore.open(nc, { bucket: `${p}_jobs`, resultsBucket: `${p}_results` }), await NatsBlobStore.open(nc, { bucket: `${p}_uploads` }));
  });

  it('the gateway sweeps at start: an expired job is gone, a recent one stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facerec-ret-gw-'));
    const jobs = new SqliteJobStore(join(dir, 'jobs.db'));
    const expired = job('completed', Date.now() - 8 * DAY, []);
    const kept = job('completed', Date.now() - 6 * DAY, []);
    await jobs.create(expired);
    await jobs.create(kept);
    await jobs.close();
    const gw = await startGatewayOnly({ dataDir: dir, env: { FACEREC_RETENTION_DAYS: '7' } });
    try {
      const deadline = Date.now() + 10_000;
      while ((await fetch(`${gw.url}/api/v1/jobs/${expired.id}/`)).status !== 404) {
        if (Date.now() > deadline) throw new Error('the expired job was not removed');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await fetch(`${gw.url}/api/v1/jobs/${kept.id}/`)).status).toBe(200);
    } finally {
      await gw.stop();
    }
  });
});

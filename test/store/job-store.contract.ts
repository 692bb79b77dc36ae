// The behaviour every JobStore must have. Each backend's test file runs this suite against a
// real instance (SQLite file, NATS server).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobRecord, ResultItem } from '../../libs/jobs/types.js';
import { JobExistsError, type JobStore } from '../../libs/store/job-store.js';
import { eraseFromResults } from '../../libs/store/result-erasure.js';

export interface JobStoreFixture {
  store: JobStore;
  /** A second, independent store instance on the same backend (another process, in effect). */
  openPeer(): Promise<JobStore>;
  cleanup(): Promise<void>;
}

const BASE_TIME = Date.UTC(2025, 0, 1);

/** The ISO time `seconds` after a fixed start. */
function at(seconds: number): string {
  return new Date(BASE_TIME + seconds * 1000).toISOString();
}

export function makeJob(id: string, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    tag: 'default',
    state: 'waiting',
    errors: [],
    warnings: [],
    progress: 0,
    sources: [`storage://${id}-source`],
    request: { model: 'staff' },
    params: {
      models: ['staff'],
      max_distance: 0.5,
      cluster_unknowns: false,
      index_unknowns: false,
      face_detection_scale: 1,
      enable_top_k: false,
      top_k: 3,
      modelIds: ['model-1'],
    },
    timeCreated: at(0),
    timeStarted: null,
    timeCompleted: null,
    mediaType: null,
    summary: null,
    ...overrides,
  };
}

export function makeResult(jobId: string, index: number): ResultItem {
  return {
    id: `${jobId}-r${index}`,
    media_type: 'video',
    source: `storage://${jobId}-source`,
    module: 'face_recognition',
    frame_start: index * 10,
    frame_end: index * 10 + 9,
    time_start: index,
    time_end: index + 0.36,
    tc_start: '00:00:00:00',
    tc_end: '00:00:00:09',
    meta: {
      person: index % 2 === 0 ? 'Ann' : null,
      class_id: null,
      closest_person: 'Ann',
      mean_distance: 0.31,
      mean_similarity: 0.69,
      indexed_identity: null,
    },
    thumbnail: { image: 'aGVsbG8=', meta: {} },
    detections: [{ frame_index: index * 10, type: 'face_bbox', data: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 } }],
  };
}

export function describeJobStore(name: string, factory: () => Promise<JobStoreFixture>): void {
  describe(name, () => {
    let fixture: JobStoreFixture;
    let store: JobStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await store.close();
      await fixture.cleanup();
    });

    describe('create and get', () => {
      it('stores a job and reads it back unchanged', async () => {
        const job = makeJob('job-1', { summary: [{ source: 's', media_type: 'image', info: { resolution: [640, 480] }, items: [] }] });
        await store.create(job);
        expect(await store.get('job-1')).toEqual(job);
      });

      it('rejects a duplicate id with JobExistsError and keeps the first record', async () => {
        await store.create(makeJob('job-1', { tag: 'first' }));
        await expect(store.create(makeJob('job-1', { tag: 'second' }))).rejects.toBeInstanceOf(JobExistsError);
        expect((await store.get('job-1'))?.tag).toBe('first');
      });

      it('answers undefined for a missing job, whatever the id looks like', async () => {
        for (const id of ['missing', '', '../etc/passwd', 'a b', 'a.*', 'a.>']) {
          expect(await store.get(id)).toBeUndefined();
        }
      });
    });

    describe('update', () => {
      it('applies the patch, returns the new record and stores it', async () => {
        await store.create(makeJob('job-1'));
        const patch = { state: 'processing' as const, progress: 0.25, timeStarted: at(5), warnings: ['low light'] };
        const updated = await store.update('job-1', patch);
        expect(updated).toEqual({ ...makeJob('job-1'), ...patch });
        expect(await store.get('job-1')).toEqual(updated);
      });

      it('ignores keys set to undefined instead of erasing fields', async () => {
        await store.create(makeJob('job-1', { tag: 'kept' }));
        const updated = await store.update('job-1', { tag: undefined, progress: 0.5 });
        expect(updated?.tag).toBe('kept');
        expect((await store.get('job-1'))?.tag).toBe('kept');
      });

      it('answers undefined for a missing job and creates nothing', async () => {
        expect(await store.update('missing', { progress: 1 })).toBeUndefined();
        expect(await store.get('missing')).toBeUndefined();
      });

      it('with ifState, updates only when the current state is listed', async () => {
        await store.create(makeJob('job-1'));
        expect(await store.update('job-1', { state: 'completed' }, { ifState: ['processing'] })).toBeUndefined();
        expect((await store.get('job-1'))?.state).toBe('waiting');

        const claimed = await store.update('job-1', { state: 'processing' }, { ifState: ['waiting', 'stopped'] });
        expect(claimed?.state).toBe('processing');
        expect((await store.get('job-1'))?.state).toBe('processing');
      });

      it('with an empty ifState never updates', async () => {
        await store.create(makeJob('job-1'));
        expect(await store.update('job-1', { progress: 1 }, { ifState: [] })).toBeUndefined();
        expect((await store.get('job-1'))?.progress).toBe(0);
      });

      it('loses no write when two store instances update the same job at once', async () => {
        const peer = await fixture.openPeer();
        try {
          await store.create(makeJob('job-1'));
          const steps = Array.from({ length: 15 }, (_, i) => i + 1);
          // Each writer patches its own field in sequence; the two sequences race each other.
          // A read-modify-write without compare-and-set would let one overwrite the other's field
          // with a stale value.
          await Promise.all([
            (async () => {
              for (const step of steps) await store.update('job-1', { progress: step / steps.length });
            })(),
            (async () => {
              for (const step of steps) await peer.update('job-1', { warnings: [`warning ${step}`] });
            })(),
          ]);
          const job = await store.get('job-1');
          expect(job?.progress).toBe(1);
          expect(job?.warnings).toEqual([`warning ${steps.length}`]);
        } finally {
          await peer.close();
        }
      });

      it('lets exactly one of many concurrent ifState claims win, across instances', async () => {
        const peer = await fixture.openPeer();
        try {
          await store.create(makeJob('job-1'));
          const claims = await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              (i % 2 === 0 ? store : peer).update('job-1', { state: 'processing', tag: `worker-${i}` }, { ifState: ['waiting'] }),
            ),
          );
          const winners = claims.filter((claim) => claim !== undefined);
          expect(winners).toHaveLength(1);
          expect(await store.get('job-1')).toEqual(winners[0]);
        } finally {
          await peer.close();
        }
      });
    });

    describe('list', () => {
      // Created out of order; 'job-c' and 'job-d' share a creation time (the id breaks the tie).
      const jobs = [
        makeJob('job-b', { timeCreated: at(2), state: 'completed', tag: 'alpha' }),
        makeJob('job-a', { timeCreated: at(1), state: 'waiting', tag: 'alpha' }),
        makeJob('job-d', { timeCreated: at(3), state: 'waiting', tag: 'beta' }),
        makeJob('job-c', { timeCreated: at(3), state: 'failed', tag: 'alpha' }),
        makeJob('job-e', { timeCreated: at(4), state: 'waiting', tag: 'alpha' }),
      ];
      const ids = (items: JobRecord[]) => items.map((job) => job.id);

      beforeEach(async () => {
        for (const job of jobs) await store.create(job);
      });

      it('lists newest first, then by id descending', async () => {
        const page = await store.list({ limit: 10, offset: 0 });
        expect(page.total).toBe(5);
        expect(ids(page.items)).toEqual(['job-e', 'job-d', 'job-c', 'job-b', 'job-a']);
        expect(page.items[0]).toEqual(jobs[4]);
      });

      it('pages with limit and offset, total counting every match', async () => {
        expect(await store.list({ limit: 2, offset: 0 })).toMatchObject({ total: 5 });
        expect(ids((await store.list({ limit: 2, offset: 0 })).items)).toEqual(['job-e', 'job-d']);
        expect(ids((await store.list({ limit: 2, offset: 2 })).items)).toEqual(['job-c', 'job-b']);
        expect(ids((await store.list({ limit: 2, offset: 4 })).items)).toEqual(['job-a']);
        expect(await store.list({ limit: 2, offset: 10 })).toEqual({ total: 5, items: [] });
      });

      it('filters by state, by tag, and by both', async () => {
        const waiting = await store.list({ limit: 10, offset: 0, state: 'waiting' });
        expect(waiting.total).toBe(3);
        expect(ids(waiting.items)).toEqual(['job-e', 'job-d', 'job-a']);

        const alpha = await store.list({ limit: 2, offset: 1, tag: 'alpha' });
        expect(alpha.total).toBe(4);
        expect(ids(alpha.items)).toEqual(['job-c', 'job-b']);

        const both = await store.list({ limit: 10, offset: 0, state: 'waiting', tag: 'alpha' });
        expect(both.total).toBe(2);
        expect(ids(both.items)).toEqual(['job-e', 'job-a']);

        expect(await store.list({ limit: 10, offset: 0, tag: 'nobody' })).toEqual({ total: 0, items: [] });
      });

      it('sees updated states, tags and times', async () => {
        await store.update('job-a', { state: 'completed', tag: 'beta', timeCreated: at(9) });
        expect(ids((await store.list({ limit: 10, offset: 0, state: 'completed' })).items)).toEqual(['job-a', 'job-b']);
        expect(ids((await store.list({ limit: 10, offset: 0, tag: 'beta' })).items)).toEqual(['job-a', 'job-d']);
      });

      it('listByState returns jobs in any of the states, oldest first', async () => {
        expect(ids(await store.listByState(['waiting', 'failed']))).toEqual(['job-a', 'job-c', 'job-d', 'job-e']);
        expect(await store.listByState(['completed'])).toEqual([jobs[0]]);
        expect(await store.listByState(['stopped'])).toEqual([]);
        expect(await store.listByState([])).toEqual([]);
      });
    });

    describe('results', () => {
      const results = (jobId: string, count: number) => Array.from({ length: count }, (_, i) => makeResult(jobId, i));

      beforeEach(async () => {
        await store.create(makeJob('job-1'));
        await store.create(makeJob('job-2'));
      });

      it('stores results in order and pages through them', async () => {
        const items = results('job-1', 7);
        await store.putResults('job-1', items);
        expect(await store.getResults('job-1', { limit: 100, offset: 0 })).toEqual({ total: 7, items });
        expect(await store.getResults('job-1', { limit: 3, offset: 0 })).toEqual({ total: 7, items: items.slice(0, 3) });
        expect(await store.getResults('job-1', { limit: 3, offset: 6 })).toEqual({ total: 7, items: items.slice(6) });
        expect(await store.getResults('job-1', { limit: 3, offset: 7 })).toEqual({ total: 7, items: [] });
      });

      it('replaces the whole set on each put (a redelivered job writes it once)', async () => {
        await store.putResults('job-1', results('job-1', 5));
        const second = results('job-1', 3).map((item) => ({ ...item, tc_start: '00:00:01:00' }));
        await store.putResults('job-1', second);
        await store.putResults('job-1', second);
        expect(await store.getResults('job-1', { limit: 100, offset: 0 })).toEqual({ total: 3, items: second });

        await store.putResults('job-1', []);
        expect(await store.getResults('job-1', { limit: 100, offset: 0 })).toEqual({ total: 0, items: [] });
      });

      it('keeps each job to its own results', async () => {
        await store.putResults('job-1', results('job-1', 2));
        await store.putResults('job-2', results('job-2', 4));
        expect((await store.getResults('job-1', { limit: 100, offset: 0 })).total).toBe(2);
        expect((await store.getResults('job-2', { limit: 100, offset: 0 })).items).toEqual(results('job-2', 4));
      });

      it('answers an empty page for a job without results', async () => {
        expect(await store.getResults('job-2', { limit: 10, offset: 0 })).toEqual({ total: 0, items: [] });
        expect(await store.getResults('missing', { limit: 10, offset: 0 })).toEqual({ total: 0, items: [] });
      });
    });

    describe('delete', () => {
      it('removes the job and its results, and only those', async () => {
        await store.create(makeJob('job-1'));
        await store.create(makeJob('job-2'));
        await store.putResults('job-1', [makeResult('job-1', 0)]);
        await store.putResults('job-2', [makeResult('job-2', 0)]);

        expect(await store.delete('job-1')).toBe(true);
        expect(await store.get('job-1')).toBeUndefined();
        expect(await store.getResults('job-1', { limit: 10, offset: 0 })).toEqual({ total: 0, items: [] });
        expect(await store.list({ limit: 10, offset: 0 })).toEqual({ total: 1, items: [makeJob('job-2')] });
        expect((await store.getResults('job-2', { limit: 10, offset: 0 })).total).toBe(1);
      });

      it('answers false for a missing or already deleted job', async () => {
        expect(await store.delete('missing')).toBe(false);
        expect(await store.delete('../etc/passwd')).toBe(false);
        await store.create(makeJob('job-1'));
        expect(await store.delete('job-1')).toBe(true);
        expect(await store.delete('job-1')).toBe(false);
        expect(await store.update('job-1', { progress: 1 })).toBeUndefined();
      });

      it('frees the id for a new job', async () => {
        await store.create(makeJob('job-1', { tag: 'old' }));
        await store.delete('job-1');
        await store.create(makeJob('job-1', { tag: 'new' }));
        expect((await store.get('job-1'))?.tag).toBe('new');
      });
    });

    describe('erasure in stored results (libs/store/result-erasure.ts)', () => {
      const all = async (id: string) => (await store.getResults(id, { limit: 100, offset: 0 })).items;
      const summary = (labels: string[]): JobRecord['summary'] => [
        { source: 'storage://s', media_type: 'image', info: { fps: null, resolution: [640, 480], total_frames: 1, duration: null } as never, items: labels.map((label) => ({ type: 'face', label, module: 'face_recognition' }) as never) },
      ];

      it("blanks a gallery person's thumbnail and name in jobs matched against their model, keeps the boxes, and drops the name from others' nearest", async () => {
        await store.create(makeJob('job-1', { state: 'completed', summary: summary(['Ann', 'Unknown']) }));
        await store.create(makeJob('job-2', { state: 'completed', params: { ...makeJob('x').params, modelIds: ['model-2'] } }));
        const items = [0, 1, 2].map((i) => makeResult('job-1', i));
        items[1]!.meta.closest_k_persons = [{ person: 'Ann', similarity: 0.4 }, { person: 'Bob', similarity: 0.2 }];
        await store.putResults('job-1', items);
        await store.putResults('job-2', [makeResult('job-2', 0)]);

        const done = await eraseFromResults(store, { person: { name: 'Ann', modelId: 'model-1' } });
        expect(done).toEqual({ jobs: 1, blanked: 2, mentions: 1 });
        const after = await all('job-1');
        expect(JSON.stringify(after)).not.toContain('Ann');
        expect(after.map((r) => r.thumbnail.image)).toEqual(['', 'aGVsbG8=', '']);
        expect(after.map((r) => r.detections)).toEqual(items.map((r) => r.detections));
        expect(after[1]!.meta.closest_k_persons).toEqual([{ person: 'Bob', similarity: 0.2 }]);
        expect((await store.get('job-1'))!.summary![0]!.items.map((i) => i.label)).toEqual(['Unknown']);
        // Another model's job: untouched (its "Ann" is someone else).
        expect(await all('job-2')).toEqual([makeResult('job-2', 0)]);
        // Idempotent.
        expect(await eraseFromResults(store, { person: { name: 'Ann', modelId: 'model-1' } })).toEqual({ jobs: 0, blanked: 0, mentions: 0 });
      });

      it('blanks the results of an indexed identity, by its id or by the result ids of its appearances', async () => {
        const params = { ...makeJob('x').params, index_unknowns: true };
        await store.create(makeJob('job-1', { state: 'completed', params }));
        await store.create(makeJob('job-2', { state: 'completed' }));
        const items = [0, 1, 2].map((i) => ({ ...makeResult('job-1', i), meta: { ...makeResult('job-1', i).meta, person: null, indexed_identity: i === 0 ? 'idx-1' : 'idx-2' } }));
        await store.putResults('job-1', items);
        await store.putResults('job-2', [makeResult('job-2', 0), makeResult('job-2', 1)]);

        const done = await eraseFromResults(store, { indexedIds: ['idx-1'], resultIds: new Map([['job-2', new Set(['job-2-r1'])]]) });
        expect(done).toEqual({ jobs: 2, blanked: 2, mentions: 0 });
        const one = await all('job-1');
        expect(one.map((r) => [r.meta.indexed_identity, r.thumbnail.image])).toEqual([[null, ''], ['idx-2', 'aGVsbG8='], ['idx-2', 'aGVsbG8=']]);
        const two = await all('job-2');
        expect(two.map((r) => r.thumbnail.image)).toEqual(['aGVsbG8=', '']);
        expect(two[1]!.meta.person).toBeNull();
      });
    });
  });
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJobStore } from '../../libs/store/sqlite-job-store.js';
import { describeJobStore, makeJob, makeResult } from './job-store.contract.js';

describeJobStore('SqliteJobStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'facerec-jobs-'));
  const path = join(dir, 'data', 'jobs.sqlite');
  return {
    store: new SqliteJobStore(path),
    openPeer: async () => new SqliteJobStore(path),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('SqliteJobStore on disk', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'facerec-jobs-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps jobs and results across closing and reopening the file', async () => {
    const path = join(dir, 'nested', 'dir', 'jobs.sqlite');
    const job = makeJob('job-1', { state: 'completed', progress: 1 });
    const results = [makeResult('job-1', 0), makeResult('job-1', 1)];

    const first = new SqliteJobStore(path);
    await first.create(job);
    await first.putResults('job-1', results);
    await first.close();

    const reopened = new SqliteJobStore(path);
    try {
      expect(await reopened.get('job-1')).toEqual(job);
      expect(await reopened.getResults('job-1', { limit: 10, offset: 0 })).toEqual({ total: 2, items: results });
      expect(await reopened.listByState(['completed'])).toEqual([job]);
    } finally {
      await reopened.close();
    }
  });

  it('works in memory', async () => {
    const store = new SqliteJobStore(':memory:');
    await store.create(makeJob('job-1'));
    expect((await store.list({ limit: 10, offset: 0 })).total).toBe(1);
    await store.close();
  });
});

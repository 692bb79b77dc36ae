// GET /api/v1/jobs/{id}/?wait=N: one request that answers when the job finishes, woken by the
// bus's events, on the real embedded product with a real photo; and the waiters on their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../libs/bus/memory-bus.js';
import { JobWaiters } from '../../services/gateway/job-waiters.js';
import { sharedDataFile } from '../support/shared-data.js';
import { api, startEmbedded, type RunningProduct } from '../support/product.js';
import { upload } from '../e2e/photo-scenario.js';

describe('JobWaiters', () => {
  it('wakes the readers of a job on its finished or cancelled event, and only them', async () => {
    const bus = new MemoryBus();
    const waiters = new JobWaiters(bus);
    let a = false;
    let b = false;
    let c = false;
    const waitA = waiters.wait('a', 10_000);
    const waitB = waiters.wait('b', 10_000);
    const waitC = waiters.wait('c', 10_000);
    void waitA.done.then(() => (a = true));
    void waitB.done.then(() => (b = true));
    void waitC.done.then(() => (c = true));
    await bus.publish({ type: 'job.finished', jobId: 'a', state: 'completed' });
    await bus.publish({ type: 'job.submitted', jobId: 'b' });
    await bus.publish({ type: 'job.cancelled', jobId: 'c' });
    await new Promise((r) => setTimeout(r, 20));
    expect([a, b, c]).toEqual([true, false, true]);
    expect(waiters.size).toBe(1);
    waiters.close(); // wakes the rest
    await waitB.done;
    expect(waiters.size).toBe(0);
    await bus.close();
  });

  it('lets a wait run out, or be cancelled, without an event', async () => {
    const bus = new MemoryBus();
    const waiters = new JobWaiters(bus);
    const started = Date.now();
    await waiters.wait('x', 50).done;
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    const w = waiters.wait('y', 60_000);
    w.cancel();
    await w.done;
    expect(waiters.size).toBe(0);
    waiters.close();
    await bus.close();
  });
});

const photo = sharedDataFile('faces/people/probes/obama_and_biden.jpg');

describe.skipIf(!photo)('GET /api/v1/jobs/{id}/?wait=N (embedded product, real photo)', () => {
  let running: RunningProduct;
  beforeAll(async () => {
    running = await startEmbedded();
  });
  afterAll(async () => {
    await running?.stop();
  });

  it('answers once, with the finished job, as soon as it completes', async () => {
    const source = await upload(running.url, photo!);
    const submitted = await api(running.url, 'POST', '/api/v1/jobs/', { sources: [source], modules: { face_recognition: {} } });
    expect(submitted.status).toBe(201);
    const started = Date.now();
    const { status, body } = await api(running.url, 'GET', `/api/v1/jobs/${submitted.body.id}/?wait=30`);
    expect(status).toBe(200);
    expect(body.state).toBe('completed');
    expect(Date.now() - started).toBeLessThan(25_000); // woken by the event, not by the wait running out
    // A finished job answers at once whatever the wait.
    const again = await api(running.url, 'GET', `/api/v1/jobs/${submitted.body.id}/?wait=60`);
    expect(again.body.state).toBe('completed');
  });

  it('names the field when the wait is not a number of seconds from 0 to 60', async () => {
    for (const wait of ['-1', '61', 'soon', '1e3']) {
      const { status, body } = await api(running.url, 'GET', `/api/v1/jobs/00000000-0000-4000-8000-000000000000/?wait=${wait}`);
      expect(status, wait).toBe(400);
      expect(JSON.stringify(body), wait).toContain('wait');
    }
  });
});

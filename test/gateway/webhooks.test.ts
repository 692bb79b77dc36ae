// Webhooks (issue 12, part 2): a finished job is POSTed to its callback_url, signed, retried with
// backoff on non-2xx, each attempt listed at /deliveries/, one delivery per job however many
// gateways take from the queue, and the same address guard as URL sources.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../libs/bus/memory-bus.js';
import { NatsBus } from '../../libs/bus/nats-bus.js';
import type { JobRecord } from '../../libs/jobs/types.js';
import { rootLogger } from '../../libs/log/logger.js';
import { NatsJobStore } from '../../libs/store/nats-job-store.js';
import { SqliteJobStore } from '../../libs/store/sqlite-job-store.js';
import { signWebhook, verifyWebhook, WebhookSender } from '../../services/gateway/webhooks.js';
import { availableNats, uniqueName } from '../support/nats.js';
import { startReceiver } from '../support/receiver.js';

const SECRET = 'whsec-test';
const log = rootLogger.child({ test: 'webhooks' });

function finishedJob(callbackUrl: string, state: JobRecord['state'] = 'completed'): JobRecord {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    tag: 'hook',
    state,
    errors: [],
    warnings: [],
    progress: 1,
    sources: ['https://example.org/a.jpg'],
    request: {},
    params: { models: ['celebrities'], max_distance: 1, cluster_unknowns: false, index_unknowns: false, face_detection_scale: 600, enable_top_k: false, top_k: 3, modelIds: [] },
    timeCreated: now,
    timeStarted: now,
    timeCompleted: now,
    mediaType: 'image',
    summary: [],
    callbackUrl,
    webhook: { state: 'pending', attempts: [], nextAttemptAt: null },
  };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('signature', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256 of "t.body">, verified with the secret, refused when changed or stale', () => {
    const body = '{"id":"x"}';
    const header = signWebhook(SECRET, body, 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(SECRET, header, body, 1_700_000_010)).toBe(true);
    expect(verifyWebhook('other', header, body, 1_700_000_010)).toBe(false);
    expect(verifyWebhook(SECRET, header, body.replace('x', 'y'), 1_700_000_010)).toBe(false);
    expect(verifyWebhook(SECRET, header, body, 1_700_001_000)).toBe(false); // older than 5 min
    expect(verifyWebhook(SECRET, 'garbage', body)).toBe(false);
  });
});

describe('WebhookSender (embedded store, real HTTP receiver)', () => {
  let dir: string;
  let jobs: SqliteJobStore;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'facerec-wh-'));
    jobs = new SqliteJobStore(join(dir, 'jobs.db'));
  });
  afterAll(async () => {
    await jobs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries after a 500 with backoff, delivers once signed, records every attempt, then never sends again', async () => {
    const receiver = await startReceiver((_r, i) => (i === 0 ? 500 : 200));
    try {
      const sender = new WebhookSender(jobs, log, { secret: SECRET, retryBaseMs: 300, timeoutMs: 5000, allowPrivate: true, apiBase: 'http://faces.example/api/v1' });
      const job = finishedJob(receiver.url);
      await jobs.create(job);

      expect(await sender.handle(job.id)).toBe('retry');
      expect(receiver.received).toHaveLength(1);
      let stored = (await jobs.get(job.id))!;
      expect(stored.webhook!.state).toBe('pending');
      expect(stored.webhook!.attempts).toEqual([{ attempt: 1, time: expect.any(String), status: 500, ok: false, error: 'HTTP 500', duration_ms: expect.any(Number) }]);
      const wait = Date.parse(stored.webhook!.nextAttemptAt!) - Date.now();
      expect(wait).toBeGreaterThan(100);
      expect(wait).toBeLessThanOrEqual(300);

      // not yet due: nothing is sent
      expect(await sender.handle(job.id)).toBe('retry');
      expect(receiver.received).toHaveLength(1);

      await new Promise((r) => setTimeout(r, 350));
      expect(await sender.handle(job.id)).toBe('ack');
      expect(receiver.received).toHaveLength(2);
      stored = (await jobs.get(job.id))!;
      expect(stored.webhook!.state).toBe('delivered');
      expect(stored.webhook!.attempts.map((a) => a.status)).toEqual([500, 200]);

      for (const r of receiver.received) {
        expect(verifyWebhook(SECRET, String(r.headers['x-facerec-signature']), r.body)).toBe(true);
        expect(r.headers['x-facerec-delivery']).toBe(job.id);
        expect(r.headers['content-type']).toBe('application/json');
        const doc = JSON.parse(r.body);
        expect(doc.id).toBe(job.id);
        expect(doc.state).toBe('completed');
        expect(doc.result.detailed_link).toBe(`http://faces.example/api/v1/jobs/${job.id}/detailed-results/`);
      }
      expect(receiver.received.map((r) => r.headers['x-facerec-attempt'])).toEqual(['1', '2']);

      // delivered: a redelivered queue message sends nothing
      expect(await sender.handle(job.id)).toBe('ack');
      expect(receiver.received).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });

  it('gives up after the time limit with the attempts recorded', async () => {
    const receiver = await startReceiver(() => 503);
    try {
      const sender = new WebhookSender(jobs, log, { secret: SECRET, retryBaseMs: 10, timeoutMs: 5000, allowPrivate: true, apiBase: 'http://x/api/v1', maxAgeMs: 0 });
      const job = finishedJob(receiver.url, 'failed');
      await jobs.create(job);
      expect(await sender.handle(job.id)).toBe('drop');
      expect((await jobs.get(job.id))!.webhook).toMatchObject({ state: 'failed', nextAttemptAt: null, attempts: [{ status: 503, ok: false }] });
    } finally {
      await receiver.close();
    }
  });

  it('applies the source address guard: loopback refused unless private URLs are allowed, with the reason recorded', async () => {
    const receiver = await startReceiver();
    try {
      const sender = new WebhookSender(jobs, log, { secret: SECRET, retryBaseMs: 10, timeoutMs: 5000, allowPrivate: false, apiBase: 'http://x/api/v1' });
      const job = finishedJob(receiver.url);
      await jobs.create(job);
      expect(await sender.handle(job.id)).toBe('retry');
      expect(receiver.received).toHaveLength(0);
      const attempt = (await jobs.get(job.id))!.webhook!.attempts[0]!;
      expect(attempt.status).toBeNull();
      expect(attempt.error).toMatch(/127\.0\.0\.1 is (a )?loopback/);
    } finally {
      await receiver.close();
    }
  });

  it('a receiver that never answers is a timeout, not a hang', async () => {
    const { createServer } = await import('node:http');
    const server = createServer(() => undefined); // reads, never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const sender = new WebhookSender(jobs, log, { secret: SECRET, retryBaseMs: 10, timeoutMs: 300, allowPrivate: true, apiBase: 'http://x/api/v1' });
      const job = finishedJob(`http://127.0.0.1:${port}/slow`);
      await jobs.create(job);
      const started = Date.now();
      expect(await sender.handle(job.id)).toBe('retry');
      expect(Date.now() - started).toBeLessThan(2000);
      expect((await jobs.get(job.id))!.webhook!.attempts[0]!.error).toMatch(/within 0.3 s/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('through the in-process queue: enqueued twice (a redelivered aggregation), delivered once', async () => {
    const receiver = await startReceiver();
    const bus = new MemoryBus({ retryDelayMs: 20 });
    try {
      const sender = new WebhookSender(jobs, log, { secret: SECRET, retryBaseMs: 10, timeoutMs: 5000, allowPrivate: true, apiBase: 'http://x/api/v1' });
      const consumer = sender.start(bus);
      const job = finishedJob(receiver.url);
      await jobs.create(job);
      await bus.enqueue('webhook', { jobId: job.id }, job.id);
      await until('the delivery', async () => (await jobs.get(job.id))!.webhook!.state === 'delivered');
      await bus.enqueue('webhook', { jobId: job.id }, job.id);
      await new Promise((r) => setTimeout(r, 200));
      await consumer.stop();
      expect(receiver.received).toHaveLength(1);
    } finally {
      await bus.close();
      await receiver.close();
    }
  });
});

const natsUrl = await availableNats();

describe.skipIf(!natsUrl)('distributed: two gateways on the NATS work queue', () => {
  let ncs: NatsConnection[] = [];
  afterAll(async () => {
    for (const nc of ncs) await nc.close();
  });

  it('delivers each job once, whichever replica takes it, retries included', async () => {
    const prefix = uniqueName('wh');
    const fails = new Set<string>();
    const receiver = await startReceiver((r) => {
      const id = String(r.headers['x-facerec-delivery']);
      // every other job answers 500 on its first attempt
      if (id.endsWith('0') || id.endsWith('2') || id.endsWith('4')) {
        if (!fails.has(id)) {
          fails.add(id);
          return 500;
        }
      }
      return 204;
    });
    ncs = await Promise.all([0, 1].map(() => connect({ servers: natsUrl! })));
    const stores = await Promise.all(ncs.map((nc) => NatsJobStore.open(nc, { bucket: `${prefix}_jobs`, resultsBucket: `${prefix}_results` })));
    const buses = await Promise.all(ncs.map((nc) => NatsBus.open(nc, { prefix, retryDelayMs: 100 })));
    const consumers = buses.map((bus, i) =>
      new WebhookSender(stores[i]!, log, { secret: SECRET, retryBaseMs: 100, timeoutMs: 5000, allowPrivate: true, apiBase: 'http://x/api/v1' }).start(bus, 2),
    );
    try {
      const jobs = Array.from({ length: 12 }, () => finishedJob(receiver.url));
      for (const job of jobs) {
        await stores[0]!.create(job);
        // both "aggregator deliveries" queue it
        await buses[0]!.enqueue('webhook', { jobId: job.id }, job.id);
        await buses[1]!.enqueue('webhook', { jobId: job.id }, job.id);
      }
      await until('every delivery', async () => (await Promise.all(jobs.map((j) => stores[1]!.get(j.id)))).every((j) => j!.webhook!.state === 'delivered'), 30_000);
      await new Promise((r) => setTimeout(r, 300));
      const ok = receiver.received.filter((_r, i) => i >= 0).map((r) => String(r.headers['x-facerec-delivery']));
      const delivered = new Map<string, number>();
      for (const [i, r] of receiver.received.entries()) {
        const id = String(r.headers['x-facerec-delivery']);
        expect(verifyWebhook(SECRET, String(r.headers['x-facerec-signature']), r.body), `request ${i}`).toBe(true);
        delivered.set(id, (delivered.get(id) ?? 0) + 1);
      }
      for (const job of jobs) expect(delivered.get(job.id), job.id).toBe(fails.has(job.id) ? 2 : 1);
      expect(ok.length).toBe(jobs.length + fails.size);
    } finally {
      await Promise.all(consumers.map((c) => c.stop()));
      await receiver.close();
    }
  });
});

describe('end to end, embedded product', () => {
  it('a job with callback_url: its receiver answers 500 once, then gets the signed job document again, once', async () => {
    const { startEmbedded, waitForJob } = await import('../support/product.js');
    const { plainPng, send, upload, expectError } = await import('./helpers.js');
    const receiver = await startReceiver((_r, i) => (i === 0 ? 500 : 200));
    const product = await startEmbedded({ env: { FACEREC_WEBHOOK_SECRET: SECRET, FACEREC_WEBHOOK_RETRY_S: '0.2', FACEREC_ALLOW_PRIVATE_URLS: 'true' } });
    try {
      const source = await upload(product.url, await plainPng(), 'plain.png', 'image/png');
      const r = await send(product.url, 'POST', '/api/v1/jobs/', { json: { sources: [source], modules: { face_recognition: {} }, callback_url: receiver.url } });
      expect(r.status, r.text).toBe(201);
      const job = await waitForJob(product.url, r.body.id);
      expect(job.state).toBe('completed');
      await until('two attempts', () => receiver.received.length >= 2);
      await new Promise((res) => setTimeout(res, 1500)); // nothing more comes
      expect(receiver.received).toHaveLength(2);
      for (const got of receiver.received) {
        expect(verifyWebhook(SECRET, String(got.headers['x-facerec-signature']), got.body)).toBe(true);
        const doc = JSON.parse(got.body);
        expect(doc.id).toBe(job.id);
        expect(doc.state).toBe('completed');
        expect(doc.result.detailed_link).toBe(`${product.url}/api/v1/jobs/${job.id}/detailed-results/`);
      }
      const d = await send(product.url, 'GET', `/api/v1/jobs/${job.id}/deliveries/`);
      expect(d.status).toBe(200);
      expect(d.body).toMatchObject({ callback_url: receiver.url, state: 'delivered', total: 2, next_attempt_at: null });
      expect(d.body.data.map((a: any) => [a.attempt, a.status, a.ok])).toEqual([[1, 500, false], [2, 200, true]]);

      // a job without callback_url has no deliveries; a loopback callback is refused without FACEREC_ALLOW_PRIVATE_URLS (other product)
      const plain = await send(product.url, 'POST', '/api/v1/jobs/', { json: { sources: [source], modules: { face_recognition: {} } } });
      expect((await send(product.url, 'GET', `/api/v1/jobs/${plain.body.id}/deliveries/`)).body).toEqual({ callback_url: null, state: null, next_attempt_at: null, total: 0, data: [] });
      expectError(await send(product.url, 'POST', '/api/v1/jobs/', { json: { sources: [source], modules: { face_recognition: {} }, callback_url: 'ftp://x/' } }), 400, 'invalid_request', 'callback_url');
    } finally {
      await product.stop();
      await receiver.close();
    }
  });

  it('refuses a callback_url on a loopback address where private URLs are not allowed', async () => {
    const { startGatewayOnly } = await import('../support/gateway.js');
    const { send, expectError } = await import('./helpers.js');
    const gw = await startGatewayOnly({ env: { FACEREC_WEBHOOK_SECRET: SECRET } });
    try {
      const e = expectError(
        await send(gw.url, 'POST', '/api/v1/jobs/', { json: { sources: ['https://example.org/a.jpg'], modules: { face_recognition: {} }, callback_url: 'http://127.0.0.1:9/hook' } }),
        400,
        'invalid_request',
        'callback_url',
      );
      expect(e.message).toMatch(/loopback/);
    } finally {
      await gw.stop();
    }
  });
});

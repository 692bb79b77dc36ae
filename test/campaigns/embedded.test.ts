// Short versions of the load, media and fuzz campaigns and of the embedded kill -9 fault, on one
// embedded product in a child process (so that a crash shows as its exit): a small batch of mixed
// jobs, every hostile input, the process killed mid-job and restarted, then 500 generated requests
// over every documented route (last: they may delete the gallery the others use).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignData, prepare, startEmbeddedProcess, VIDEO, type Fixture, type Target } from './common.js';
import { faultReport, killCampaign, type FaultRow } from './faults.js';
import { runFuzz } from './fuzz.js';
import { runLoad } from './load.js';
import { runMedia } from './media.js';

const data = campaignData();
if ('missing' in data) {
  if (process.env.CI === 'true') throw new Error(`campaigns: ${data.missing} (required when CI=true)`);
  console.warn(`skipping the short campaigns: ${data.missing}`);
}
const FETCH_TIMEOUT_S = 3;

describe.skipIf('missing' in data)('campaigns, short, on the embedded product in a child process', () => {
  let t: Target;
  let fixture: Fixture;

  beforeAll(async () => {
    t = await startEmbeddedProcess({
      env: { FACEREC_FETCH_TIMEOUT_S: String(FETCH_TIMEOUT_S), FACEREC_ALLOW_PRIVATE_HOSTS: 'localhost', FACEREC_VIDEO_SAMPLE_SECONDS: '0.25', FACEREC_WEBHOOK_SECRET: 'campaign' },
    });
    if ('missing' in data) return;
    fixture = await prepare(t.url(), data, ['obama1.jpg', 'kit_with_rose.jpg', 'obama_and_biden.jpg', VIDEO]);
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('load: 8 jobs (6 photos, 2 videos) at once, none lost, at most the worker slots processing', async () => {
    const r = await runLoad({ jobs: 8, videos: 2, smallBatch: 0, modes: ['embedded'], natsServer: null, target: { t, fixture } });
    console.log(r.table);
    const row = r.rows[0]!;
    expect(row.reference, row.notes.join('; ')).toBe(8);
    expect(row.lost + row.failed).toBe(0);
    expect(row.maxProcessing).toBeLessThanOrEqual(row.processingLimit);
    expect(row.maxWaiting).toBeGreaterThan(0); // the rest waited in the queue
    expect(r.ok).toBe(true);
  }, 180_000);

  it('media: every hostile input a failed source with its reason, within limits, the product still ready', async () => {
    const r = await runMedia({ fetchTimeoutS: FETCH_TIMEOUT_S, target: t });
    console.log(r.table);
    expect(r.rows.filter((x) => !x.ok).map((x) => `${x.name}: ${x.outcome} ${x.reason}`)).toEqual([]);
    expect(r.rows.length).toBeGreaterThanOrEqual(15);
  }, 240_000);

  it('faults: the embedded process killed with SIGKILL mid-job, restarted, its jobs finish with the reference results', async () => {
    const rows: FaultRow[] = [];
    await killCampaign(t, fixture, ['embedded'], 1, rows);
    const r = faultReport(rows);
    console.log(r.table);
    expect(rows[0]!.reference, rows[0]!.notes.join('; ')).toBe(2);
    expect(r.ok).toBe(true);
  }, 180_000);

  it('fuzz: 500 generated requests over every documented route, each answered, no 5xx, no crash', async () => {
    const r = await runFuzz({ requests: 500, seed: 7, target: t });
    console.log(r.table);
    expect(r.serverErrors).toEqual([]);
    expect(r.unanswered, 'requests that got no answer').toBe(0);
    expect(r.crashes).toBe(0);
    expect(r.ok).toBe(true);
    expect([...r.byRoute].filter(([, n]) => n === 0).map(([route]) => route), 'documented routes never requested').toEqual([]);
    expect(r.byRoute.size).toBeGreaterThanOrEqual(30);
  }, 180_000);
});

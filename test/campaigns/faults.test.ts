// Short version of `npm run campaign -- faults`: over a private nats-server, the matcher and the
// gateway killed with SIGKILL mid-job and nats-server itself killed and restarted mid-job; the
// embedded product on a full file system (a 64 MB tmpfs). Each fault lands while a job is
// part-way through; two matcher replicas over a PostgreSQL server of the test's own, one of them
// killed -9 mid-job, then that server restarted mid-job (every replica's change feed must listen
// again); every job ends with its reference results, nothing duplicated, and a new job
// completes after each fault (recovered); while the disk is full, writes are answered 507 with a
// reason (not a bare 500), and jobs in flight finish once space is freed. Without a way to mount a
// tmpfs here, the full-disk test is skipped with the reason printed; under CI=true it fails.
import { describe, expect, it } from 'vitest';
import { campaignData, natsServerBinary, VIDEO } from './common.js';
import { runFaults, tmpfsUnavailable, type FaultRow } from './faults.js';
import { postgresServerUnavailable } from '../support/postgres-server.js';

const data = campaignData();
if ('missing' in data) {
  if (process.env.CI === 'true') throw new Error(`faults campaign: ${data.missing} (required when CI=true)`);
  console.warn(`skipping the faults campaign: ${data.missing}`);
}
const natsServer = natsServerBinary();
if (!natsServer) {
  if (process.env.CI === 'true') throw new Error('faults campaign: no nats-server binary (set NATS_SERVER; required when CI=true)');
  console.warn('skipping the NATS part of the faults campaign: no nats-server binary (set NATS_SERVER)');
}
const noTmpfs = 'missing' in data ? null : tmpfsUnavailable();
if (noTmpfs) {
  if (process.env.CI === 'true') throw new Error(`faults campaign, full file system: ${noTmpfs} (required when CI=true)`);
  console.warn(`skipping the full-file-system part of the faults campaign: ${noTmpfs}`);
}

const noPostgresServer = postgresServerUnavailable();
if (noPostgresServer) {
  if (process.env.CI === 'true') throw new Error(`faults campaign, matcher replicas: ${noPostgresServer} (required when CI=true)`);
  console.warn(`skipping the matcher-replica part of the faults campaign: ${noPostgresServer}`);
}

/** Every trial hit a job mid-run, every job ended with its reference results, and a new job completed after the fault. */
function expectPasses(row: FaultRow): void {
  const why = `${row.scenario}: ${row.notes.join('; ')}`;
  expect(row.hitMidJob, why).toBe(row.trials);
  expect(row.reference, why).toBe(row.jobs);
  expect(row.failedWithReason + row.lost + row.wrong + row.duplicated, why).toBe(0);
  expect(row.recovered, why).toBe(row.trials);
}

/** Each row ran one trial of two jobs and passed, and so did the campaign. */
function expectOneTrialEachPassed(r: Awaited<ReturnType<typeof runFaults>>): void {
  for (const row of r.rows) {
    expect(row.trials, row.scenario).toBe(1);
    expect(row.jobs, row.scenario).toBe(2);
    expectPasses(row);
  }
  expect(r.ok).toBe(true);
}

describe.skipIf('missing' in data)('faults campaign, short', () => {
  it.skipIf(!natsServer)('NATS mode: kill -9 of the matcher and of the gateway mid-job, nats-server restarted mid-job', async () => {
    const r = await runFaults({ trials: 1, modes: ['nats'], services: ['matcher', 'gateway'], natsRestarts: 1, diskRounds: 0, natsServer, files: ['obama1.jpg', VIDEO] });
    console.log(r.table);
    expect(r.rows.map((x) => x.scenario)).toEqual(['kill -9 matcher', 'kill -9 gateway', 'nats-server kill -9 and restart']);
    expectOneTrialEachPassed(r);
  }, 300_000);

  it.skipIf(!natsServer || noPostgresServer !== null)('two matcher replicas over PostgreSQL: one killed -9 mid-job, then the PostgreSQL server restarted mid-job', async () => {
    const r = await runFaults({ trials: 0, modes: ['nats'], services: [], natsRestarts: 0, diskRounds: 0, matcherReplicaKills: 1, postgresRestarts: 1, natsServer, files: ['obama1.jpg', VIDEO] });
    console.log(r.table, r.rows.map((x) => x.notes));
    expect(r.rows.map((x) => x.scenario)).toEqual(['kill -9 matcher-1 (of two replicas)', 'PostgreSQL restart (fast shutdown, 2 s down)']);
    expectOneTrialEachPassed(r);
  }, 300_000);

  it.skipIf(noTmpfs !== null)('embedded on a full file system: 507 with a reason while full, jobs in flight finish once space is freed', async () => {
    const r = await runFaults({ trials: 0, modes: [], services: [], natsRestarts: 0, diskRounds: 1, natsServer: null });
    console.log(r.table, r.rows[0]!.notes);
    const row = r.rows[0]!;
    expect(row.notes[0]).toBe('answers while full: upload 507 ×1, job submission 507 ×1, gallery add 507 ×1');
    expect(row.jobs).toBe(2);
    expect(row.trials).toBe(1);
    expectPasses(row);
  }, 300_000);
});

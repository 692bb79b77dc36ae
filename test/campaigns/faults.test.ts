// Short version of `npm run campaign -- faults`: over a private nats-server, the matcher and the
// gateway killed with SIGKILL mid-job and nats-server itself killed and restarted mid-job; the
// embedded product on a full file system (a 64 MB tmpfs). Every job ends with its reference
// results or failed with a reason, nothing duplicated, everything recovers; while the disk is
// full, writes are answered 507 with a reason (not a bare 500), and jobs in flight finish once
// space is freed.
import { describe, expect, it } from 'vitest';
import { campaignData, natsServerBinary, VIDEO } from './common.js';
import { runFaults } from './faults.js';

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

describe.skipIf('missing' in data)('faults campaign, short', () => {
  it.skipIf(!natsServer)('NATS mode: kill -9 of the matcher and of the gateway mid-job, nats-server restarted mid-job', async () => {
    const r = await runFaults({ trials: 1, modes: ['nats'], services: ['matcher', 'gateway'], natsRestarts: 1, diskRounds: 0, natsServer, files: ['obama1.jpg', VIDEO] });
    console.log(r.table);
    expect(r.rows.map((x) => x.scenario)).toEqual(['kill -9 matcher', 'kill -9 gateway', 'nats-server kill -9 and restart']);
    for (const row of r.rows) {
      expect(row.trials, row.scenario).toBe(1);
      expect(row.jobs, row.scenario).toBe(2);
      expect(row.lost + row.wrong + row.duplicated, `${row.scenario}: ${row.notes.join('; ')}`).toBe(0);
      expect(row.recovered, row.scenario).toBe(1);
    }
    expect(r.ok).toBe(true);
  }, 300_000);

  it('embedded on a full file system: 507 with a reason while full, jobs in flight finish once space is freed', async () => {
    const r = await runFaults({ trials: 0, modes: [], services: [], natsRestarts: 0, diskRounds: 1, natsServer: null });
    console.log(r.table, r.rows[0]!.notes);
    const row = r.rows[0]!;
    if (row.notes[0]?.startsWith('skipped')) return; // no tmpfs here (printed); under CI=true runFaults throws instead
    expect(row.notes[0]).toBe('answers while full: upload 507 ×1, job submission 507 ×1, gallery add 507 ×1');
    expect(row.jobs).toBe(2);
    expect(row.lost + row.wrong + row.duplicated, row.notes.join('; ')).toBe(0);
    expect(row.recovered).toBe(1);
  }, 300_000);
});

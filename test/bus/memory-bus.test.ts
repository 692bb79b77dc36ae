import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ObservationChunk } from '../../libs/jobs/types.js';
import { MemoryBus, SPILL_PREFIX } from '../../libs/bus/memory-bus.js';
import { removeDeadProcessesFolders } from '../../libs/store/process-temp.js';
import { describeBus } from './bus.contract.js';

describeBus('MemoryBus', async () => {
  const bus = new MemoryBus({ retryDelayMs: 50 });
  return { bus, cleanup: () => bus.close() };
});

describe('MemoryBus observation logs', () => {
  const chunk = (index: number): ObservationChunk => ({ kind: 'frames', sourceIndex: 0, frames: [{ index, faces: [] }] });
  const read = async (it: AsyncIterable<ObservationChunk>) => {
    const out: ObservationChunk[] = [];
    for await (const c of it) out.push(c);
    return out;
  };

  it('keeps a job’s log in a file (not the heap), removed when dropped; the folder it made removed on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memory-bus-test-'));
    try {
      const bus = new MemoryBus({ spillDir: dir });
      await bus.appendObservations('job-a', chunk(0));
      await bus.appendObservations('job-a', chunk(1));
      const [file] = readdirSync(dir);
      expect(statSync(join(dir, file!)).size).toBeGreaterThan(0);
      const reader = bus.readObservations('job-a');
      await bus.appendObservations('job-a', chunk(2)); // after the read began: not part of it
      expect(await read(reader)).toEqual([chunk(0), chunk(1)]);
      await bus.dropObservations('job-a');
      expect(readdirSync(dir)).toEqual([]);
      await bus.close();
      expect(readdirSync(dir)).toEqual([]); // a folder given is the caller's: left in place
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const own = new MemoryBus();
    await own.appendObservations('job-b', chunk(0));
    expect(await read(own.readObservations('job-b'))).toEqual([chunk(0)]);
    await own.close();
    expect(await read(own.readObservations('job-b'))).toEqual([]);
  });

  it('reads back chunks small and large (one read buffer, grown) each whole, earlier ones untouched by later reads', async () => {
    const bus = new MemoryBus();
    const face = (k: number) => ({ box: { x: k, y: 1, w: 2, h: 3 }, score: 0.9, landmarkScore: 0.8, landmarks: [], embedding: Array.from({ length: 512 }, (_, i) => Math.fround(Math.sin(k + i))), thumbnail: 'x'.repeat(4000 + k), trackId: k });
    const sized = (index: number, faces: number): ObservationChunk => ({ kind: 'frames', sourceIndex: 0, frames: [{ index, faces: Array.from({ length: faces }, (_, k) => face(index * 1000 + k)) }] });
    // ~9 kB a face: 1, 100 (~0.9 MB, past the first buffer), 3 and 250 faces.
    const chunks = [sized(0, 1), sized(1, 100), sized(2, 3), sized(3, 250)];
    for (const c of chunks) await bus.appendObservations('job-a', c);
    const got = await read(bus.readObservations('job-a'));
    expect(got).toEqual(chunks);
    await bus.close();
  });

  it('removes the log folders of processes that no longer run, and keeps those of live ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memory-bus-test-'));
    try {
      // A pid that is not running: a child that has exited.
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
      const live = process.ppid;
      for (const name of [`facerec-observations-${dead}-abc`, `facerec-observations-${live}-def`, 'facerec-observations-x-ghi', 'something-else']) {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, '1.log'), 'x');
      }
      expect(removeDeadProcessesFolders(dir, SPILL_PREFIX)).toEqual([`facerec-observations-${dead}-abc`]);
      expect(readdirSync(dir).sort()).toEqual([`facerec-observations-${live}-def`, 'facerec-observations-x-ghi', 'something-else'].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

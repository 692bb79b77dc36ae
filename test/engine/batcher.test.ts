// The Batcher the detector and the embedder share: batches by size and by wait time, shared
// between concurrent callers, several batches at once, failures confined to their batch, and close(). setTimeout and the clock are faked, so every
// time is exact; setImmediate (a full batch going at once) stays real.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher } from '../../libs/engine/batcher.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets what is due now run, including what that schedules for now (no fake time passes). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Moves the fake clock on by `ms`, one millisecond at a time, letting due work run at each. */
async function advance(ms: number): Promise<void> {
  await settle();
  for (let t = 0; t < ms; t++) {
    await vi.advanceTimersByTimeAsync(1);
    await settle();
  }
}

/** A run that doubles its inputs after `ms` (fake time), recording each batch. */
function doubling(ms = 0) {
  const batches: number[][] = [];
  const run = async (inputs: number[]) => {
    batches.push([...inputs]);
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    return inputs.map((x) => x * 2);
  };
  return { batches, run };
}

describe('Batcher', () => {
  it('sends a batch as soon as it is full, without waiting', async () => {
    const { batches, run } = doubling();
    const batcher = new Batcher(run, { maxBatch: 3, maxWaitMs: 1000 });
    const results = Promise.all([1, 2, 3, 4, 5, 6, 7].map((x) => batcher.submit(x)));
    await settle();
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    // The seventh waits for company until its wait time is up.
    await advance(999);
    expect(batches).toHaveLength(2);
    await advance(1);
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(await results).toEqual([2, 4, 6, 8, 10, 12, 14]);
  });

  it('sends a partial batch when its oldest item has waited maxWaitMs', async () => {
    const { batches, run } = doubling();
    const batcher = new Batcher(run, { maxBatch: 10, maxWaitMs: 50 });
    const a = batcher.submit(1);
    await advance(30);
    const b = batcher.submit(2); // joins; does not restart the clock
    await advance(19);
    expect(batches).toEqual([]);
    await advance(1);
    expect(batches).toEqual([[1, 2]]);
    expect(await Promise.all([a, b])).toEqual([2, 4]);
  });

  it('counts the wait of items that arrived during a running batch from their arrival', async () => {
    const { batches, run } = doubling(100);
    const onBatch = vi.fn();
    const batcher = new Batcher(run, { maxBatch: 10, maxWaitMs: 50 }, onBatch);
    const a = batcher.submit(1);
    await advance(50); // t=50: [1] starts, runs until t=150
    expect(batches).toEqual([[1]]);
    await advance(10);
    const b = batcher.submit(2); // t=60: its wait is up at t=110, while [1] still runs
    const c = batcher.submit(3);
    expect(batcher.inFlight).toBe(3); // two waiting, one running
    await advance(89); // t=149
    expect(batches).toHaveLength(1);
    await advance(1); // t=150: [1] done, [2, 3] go at once
    await settle();
    expect(batches).toEqual([[1], [2, 3]]);
    expect(onBatch).toHaveBeenCalledWith(1, 100);
    expect(await a).toBe(2);
    await advance(100);
    expect(await Promise.all([b, c])).toEqual([4, 6]);
    expect(onBatch).toHaveBeenLastCalledWith(2, 100);
    expect(batcher.inFlight).toBe(0);
  });

  it('runs one batch at a time; the next one fills meanwhile', async () => {
    let running = 0;
    let most = 0;
    const batches: number[][] = [];
    const batcher = new Batcher(
      async (inputs: number[]) => {
        batches.push(inputs);
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return inputs;
      },
      { maxBatch: 2, maxWaitMs: 5 },
    );
    const all = Promise.all([1, 2, 3, 4, 5, 6].map((x) => batcher.submit(x)));
    expect(batcher.inFlight).toBe(6);
    await settle();
    expect(batcher.inFlight).toBe(6); // two running, four waiting
    await advance(100);
    expect(await all).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(most).toBe(1);
  });

  it('runs up to `concurrency` batches at once; a full batch waits for a free slot', async () => {
    let running = 0;
    let most = 0;
    const batches: number[][] = [];
    const batcher = new Batcher(
      async (inputs: number[]) => {
        batches.push(inputs);
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return inputs.map((x) => -x);
      },
      { maxBatch: 2, maxWaitMs: 5, concurrency: 2 },
    );
    const all = Promise.all([1, 2, 3, 4, 5, 6].map((x) => batcher.submit(x)));
    await settle();
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]); // two slots taken; [5, 6] is full but waits for one
    await advance(19);
    expect(batches).toHaveLength(2);
    await advance(1);
    await settle();
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    await advance(20);
    expect(await all).toEqual([-1, -2, -3, -4, -5, -6]);
    expect(most).toBe(2);
    expect(batcher.inFlight).toBe(0);
  });

  it('lets concurrent submitters share batches, each getting its own outputs', async () => {
    const { batches, run } = doubling(10);
    const batcher = new Batcher(run, { maxBatch: 4, maxWaitMs: 20 });
    const caller = async (inputs: number[], gapMs: number) => {
      const out: Promise<number>[] = [];
      for (const x of inputs) {
        out.push(batcher.submit(x));
        await new Promise((r) => setTimeout(r, gapMs));
      }
      return Promise.all(out);
    };
    const both = Promise.all([caller([1, 2, 3], 3), caller([100, 200, 300], 4)]);
    await advance(200);
    expect(await both).toEqual([
      [2, 4, 6],
      [200, 400, 600],
    ]);
    // Every batch but the last is full, and the first mixes both callers.
    expect(batches.flat().sort((x, y) => x - y)).toEqual([1, 2, 3, 100, 200, 300]);
    expect(batches[0]).toHaveLength(4);
    expect(batches[0]).toEqual(expect.arrayContaining([1, 100]));
    expect(batches.length).toBe(2);
  });

  it('rejects every item of a failing batch, and only those', async () => {
    const batches: string[][] = [];
    const batcher = new Batcher(
      async (inputs: string[]) => {
        batches.push(inputs);
        if (inputs.includes('bad')) throw new Error('inference failed');
        return inputs.map((s) => s.toUpperCase());
      },
      { maxBatch: 2, maxWaitMs: 10 },
    );
    const results = ['a', 'bad', 'c', 'd', 'e'].map((s) => batcher.submit(s));
    const settled = Promise.allSettled(results);
    await advance(50);
    expect(batches).toEqual([['a', 'bad'], ['c', 'd'], ['e']]);
    expect(await settled).toEqual([
      { status: 'rejected', reason: new Error('inference failed') },
      { status: 'rejected', reason: new Error('inference failed') },
      { status: 'fulfilled', value: 'C' },
      { status: 'fulfilled', value: 'D' },
      { status: 'fulfilled', value: 'E' },
    ]);
    // The batcher keeps working after a failure.
    const later = batcher.submit('f');
    await advance(10);
    expect(await later).toBe('F');
  });

  it('rejects a synchronous throw of the run like a rejected promise', async () => {
    const batcher = new Batcher<number, number>(
      () => {
        throw new Error('boom');
      },
      { maxBatch: 1, maxWaitMs: 10 },
    );
    const r = batcher.submit(1);
    const check = expect(r).rejects.toThrow('boom');
    await settle();
    await check;
  });

  it('refuses new items once closed, and still answers those already submitted', async () => {
    const { batches, run } = doubling();
    const batcher = new Batcher(run, { maxBatch: 10, maxWaitMs: 30 });
    const before = batcher.submit(21);
    batcher.close();
    await expect(batcher.submit(1)).rejects.toThrow('the batcher is closed');
    await advance(30);
    expect(await before).toBe(42);
    expect(batches).toEqual([[21]]);
  });
});

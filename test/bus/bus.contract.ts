// The behaviour every Bus implementation must show (libs/bus/bus.ts), run against each of them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus, Consumer } from '../../libs/bus/bus.js';
import type { JobEvent, ObservationChunk } from '../../libs/jobs/types.js';

export interface BusFixture {
  bus: Bus;
  /** Another instance on the same backend (another process, in production), for sharing tests. */
  second?: () => Promise<Bus>;
  cleanup(): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once `condition` holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function collect(chunks: AsyncIterable<ObservationChunk>): Promise<ObservationChunk[]> {
  const out: ObservationChunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

const frames = (sourceIndex: number, index: number): ObservationChunk => ({
  kind: 'frames',
  sourceIndex,
  frames: [{ index, faces: [{ box: { x: 1, y: 2, w: 3, h: 4 }, score: 0.9, landmarkScore: 0.8, landmarks: [[1, 2]], embedding: [0.5, -0.25], thumbnail: null, trackId: null }] }],
});

/**
 * The factory makes a fresh, empty bus for each test; it must redeliver a retried message within
 * about a second (a short retry delay), since the tests wait for redeliveries.
 */
export function describeBus(name: string, factory: () => Promise<BusFixture>): void {
  describe(`Bus contract: ${name}`, () => {
    let fx: BusFixture;
    let consumers: Consumer[];

    beforeEach(async () => {
      fx = await factory();
      consumers = [];
    });

    afterEach(async () => {
      await Promise.all(consumers.map((c) => c.stop()));
      await fx.cleanup();
    });

    it('says a consumer is bound until it stops, and the bus connected until it closes (readiness)', async () => {
      expect(fx.bus.connected()).toBe(true);
      const consumer = fx.bus.consume('decode', async () => 'ack', { concurrency: 1 });
      consumers.push(consumer);
      await waitFor(() => consumer.bound());
      await consumer.stop();
      expect(consumer.bound()).toBe(false);
    });

    it('delivers an enqueued message once, acknowledged', async () => {
      const seen: [string, number][] = [];
      consumers.push(fx.bus.consume('decode', async (m, d) => (seen.push([m.jobId, d.attempt]), 'ack'), { concurrency: 1 }));
      await fx.bus.enqueue('decode', { jobId: 'a' }, 'a');
      await waitFor(() => seen.length === 1);
      await sleep(300);
      expect(seen).toEqual([['a', 1]]);
    });

    it('keeps queues apart', async () => {
      const decode: string[] = [];
      const aggregate: string[] = [];
      consumers.push(fx.bus.consume('decode', async (m) => (decode.push(m.jobId), 'ack'), { concurrency: 1 }));
      consumers.push(fx.bus.consume('aggregate', async (m) => (aggregate.push(m.jobId), 'ack'), { concurrency: 1 }));
      await fx.bus.enqueue('decode', { jobId: 'd' }, 'x');
      await fx.bus.enqueue('aggregate', { jobId: 'g' }, 'x');
      await waitFor(() => decode.length + aggregate.length === 2);
      expect([decode, aggregate]).toEqual([['d'], ['g']]);
    });

    it('ignores a key enqueued again while its message is pending', async () => {
      await fx.bus.enqueue('decode', { jobId: 'k' }, 'k');
      await fx.bus.enqueue('decode', { jobId: 'k' }, 'k');
      await fx.bus.enqueue('decode', { jobId: 'other' }, 'other');
      const seen: string[] = [];
      consumers.push(fx.bus.consume('decode', async (m) => (seen.push(m.jobId), 'ack'), { concurrency: 1 }));
      await waitFor(() => seen.length === 2);
      await sleep(300);
      expect(seen.sort()).toEqual(['k', 'other']);
    });

    it('dedups a key while its message is in flight, and takes it again once acknowledged', async () => {
      const key = 'job 1.* >'; // any string is a key
      const release = gate();
      const seen: string[] = [];
      consumers.push(
        fx.bus.consume('decode', async (m) => {
          seen.push(m.jobId);
          if (m.jobId === 'first') await release.promise;
          return 'ack';
        }, { concurrency: 2 }),
      );
      await fx.bus.enqueue('decode', { jobId: 'first' }, key);
      await waitFor(() => seen.length === 1);
      await fx.bus.enqueue('decode', { jobId: 'while-in-flight' }, key);
      await sleep(300);
      release.open();
      await sleep(300);
      expect(seen).toEqual(['first']);

      await fx.bus.enqueue('decode', { jobId: 'after-ack' }, key);
      await waitFor(() => seen.length === 2);
      expect(seen).toEqual(['first', 'after-ack']);
    });

    it("redelivers after a throw or 'retry', counting attempts", async () => {
      const threw: number[] = [];
      const retried: number[] = [];
      consumers.push(
        fx.bus.consume('decode', async (_m, d) => {
          threw.push(d.attempt);
          if (d.attempt === 1) throw new Error('transient failure (expected by the test)');
          return 'ack';
        }, { concurrency: 1 }),
        fx.bus.consume('aggregate', async (_m, d) => (retried.push(d.attempt), d.attempt < 3 ? 'retry' : 'ack'), { concurrency: 1 }),
      );
      await fx.bus.enqueue('decode', { jobId: 't' }, 't');
      await fx.bus.enqueue('aggregate', { jobId: 'r' }, 'r');
      await waitFor(() => threw.length === 2 && retried.length === 3);
      await sleep(300);
      expect(threw).toEqual([1, 2]);
      expect(retried).toEqual([1, 2, 3]);
    });

    it("discards a message on 'drop'", async () => {
      const seen: number[] = [];
      consumers.push(fx.bus.consume('decode', async (_m, d) => (seen.push(d.attempt), 'drop'), { concurrency: 1 }));
      await fx.bus.enqueue('decode', { jobId: 'x' }, 'x');
      await waitFor(() => seen.length === 1);
      await sleep(1000);
      expect(seen).toEqual([1]);
    });

    it('runs at most `concurrency` handlers at once', async () => {
      let running = 0;
      let peak = 0;
      const done: string[] = [];
      consumers.push(
        fx.bus.consume('decode', async (m) => {
          peak = Math.max(peak, ++running);
          await sleep(50);
          running--;
          done.push(m.jobId);
          return 'ack';
        }, { concurrency: 3 }),
      );
      for (let i = 0; i < 9; i++) await fx.bus.enqueue('decode', { jobId: `c${i}` }, `c${i}`);
      await waitFor(() => done.length === 9);
      expect(peak).toBe(3);
    });

    it('shares a queue between consumers, each message handled once', async () => {
      const other = fx.second ? await fx.second() : fx.bus;
      const handled = new Map<string, number>();
      const by = [0, 0];
      const handler = (who: 0 | 1) => async (m: { jobId: string }) => {
        await sleep(20);
        handled.set(m.jobId, (handled.get(m.jobId) ?? 0) + 1);
        by[who]!++;
        return 'ack' as const;
      };
      consumers.push(fx.bus.consume('decode', handler(0), { concurrency: 2 }), other.consume('decode', handler(1), { concurrency: 2 }));
      const n = 20;
      for (let i = 0; i < n; i++) await fx.bus.enqueue('decode', { jobId: `s${i}` }, `s${i}`);
      await waitFor(() => by[0]! + by[1]! === n);
      await sleep(300);
      expect(handled.size).toBe(n);
      expect([...handled.values()].every((count) => count === 1)).toBe(true);
      expect(by[0]).toBeGreaterThan(0);
      expect(by[1]).toBeGreaterThan(0);
    });

    it('stop() waits for the handlers in flight, and later messages go to later consumers', async () => {
      const release = gate();
      const started: string[] = [];
      const first = fx.bus.consume('decode', async (m) => {
        started.push(m.jobId);
        await release.promise;
        return 'ack';
      }, { concurrency: 1 });
      await fx.bus.enqueue('decode', { jobId: 'slow' }, 'slow');
      await waitFor(() => started.length === 1);
      let stopped = false;
      const stopping = first.stop().then(() => (stopped = true));
      await sleep(200);
      expect(stopped).toBe(false);
      release.open();
      await stopping;

      await fx.bus.enqueue('decode', { jobId: 'next' }, 'next');
      const seen: string[] = [];
      consumers.push(fx.bus.consume('decode', async (m) => (seen.push(m.jobId), 'ack'), { concurrency: 1 }));
      await waitFor(() => seen.length === 1, 5000);
      await sleep(300);
      expect(started).toEqual(['slow']);
      expect(seen).toEqual(['next']);
    });

    it('keeps observations per job, in append order, until dropped', async () => {
      const start: ObservationChunk = {
        kind: 'source-start',
        sourceIndex: 0,
        source: 'a.jpg',
        mediaType: 'image',
        info: { resolution: [640, 480] },
        embeddingModel: 'm',
      };
      const a = [start, frames(0, 0), frames(0, 1), frames(0, 2), { kind: 'source-end', sourceIndex: 0 } as const];
      const b = [{ kind: 'source-failed', sourceIndex: 0, source: 'b.mp4', message: 'unreadable' } as const];
      for (const chunk of a) await fx.bus.appendObservations('job-a', chunk);
      for (const chunk of b) await fx.bus.appendObservations('job-b', chunk);

      expect(await collect(fx.bus.readObservations('job-a'))).toEqual(a);
      expect(await collect(fx.bus.readObservations('job-b'))).toEqual(b);
      expect(await collect(fx.bus.readObservations('job-none'))).toEqual([]);
      // Reading does not consume.
      expect(await collect(fx.bus.readObservations('job-a'))).toHaveLength(a.length);

      await fx.bus.dropObservations('job-a');
      expect(await collect(fx.bus.readObservations('job-a'))).toEqual([]);
      expect(await collect(fx.bus.readObservations('job-b'))).toEqual(b);
      await fx.bus.dropObservations('job-none');
    });

    it('reads observations appended to a job after a drop', async () => {
      await fx.bus.appendObservations('job-c', frames(0, 0));
      await fx.bus.dropObservations('job-c');
      await fx.bus.appendObservations('job-c', frames(1, 7));
      expect(await collect(fx.bus.readObservations('job-c'))).toEqual([frames(1, 7)]);
    });

    it('fans events out to every subscriber; a throwing subscriber harms no one', async () => {
      const one: JobEvent[] = [];
      const two: JobEvent[] = [];
      const subs = [
        fx.bus.subscribe(() => {
          throw new Error('subscriber failure (expected by the test)');
        }),
        fx.bus.subscribe((e) => one.push(e)),
        fx.bus.subscribe((e) => two.push(e)),
      ];
      const events: JobEvent[] = [
        { type: 'job.submitted', jobId: 'e' },
        { type: 'job.cancelled', jobId: 'e' },
        { type: 'job.finished', jobId: 'e', state: 'completed' },
      ];
      for (const event of events) await fx.bus.publish(event);
      await waitFor(() => one.length === 3 && two.length === 3);
      expect(one).toEqual(events);
      expect(two).toEqual(events);

      subs[1]!.close();
      await fx.bus.publish({ type: 'job.cancelled', jobId: 'e' });
      await waitFor(() => two.length === 4);
      await sleep(100);
      expect(one).toHaveLength(3);
      for (const sub of subs) sub.close();
    });
  });
}

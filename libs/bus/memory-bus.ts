// The in-process Bus of the embedded product (semantics in bus.ts). Nothing survives the process:
// the embedded product recovers interrupted jobs from the job store at start, not from the bus.
//
// A job's observation log lives in a temporary file, not in the heap: it holds every face of the
// job (embeddings, thumbnails) until the aggregator has read it, so in memory it grew with the
// video's length (the bench clip's log: ~17 kB per sampled frame serialised, several times that
// as objects).
import { closeSync, openSync, readSync, rmSync, unlinkSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { JobEvent, ObservationChunk, QueueMessages, QueueName } from '../jobs/types.js';
import { moduleLogger } from '../log/logger.js';
import { makeProcessTempDir } from '../store/process-temp.js';
import type { Bus, ConsumeOptions, Consumer, Delivery, HandlerOutcome } from './bus.js';

const log = moduleLogger('memory-bus');

export interface MemoryBusOptions {
  /** Delay before the first redelivery; doubles on each further attempt (default 1000). */
  retryDelayMs?: number;
  /** Folder for the observation logs' temporary files (default: a new folder under the OS's temp dir, removed on close). */
  spillDir?: string;
}

/** A job's observation log on disk: each chunk v8-serialised behind its byte length (uint32 LE). */
interface ObservationLog {
  path: string;
  fd: number;
  /** Bytes written so far. */
  end: number;
}

const MAX_RETRY_DELAY_MS = 60_000;

/** The observation logs' folder under the OS's temp dir: `<prefix><pid>-<random>`. */
/** Observation-log folders are `<prefix><pid>-…` in the temp dir (libs/store/process-temp.ts removes dead processes'). */
export const SPILL_PREFIX = 'facerec-observations-';

interface Entry {
  key: string;
  message: unknown;
  /** Deliveries so far. */
  attempts: number;
}

type Handler = (message: never, delivery: Delivery) => Promise<HandlerOutcome>;

interface QueueConsumer {
  handler: Handler;
  concurrency: number;
  running: Set<Promise<void>>;
  stopped: boolean;
}

interface QueueState {
  /** Messages waiting for a consumer, oldest first. */
  ready: Entry[];
  /** Keys enqueued and not yet acknowledged or dropped (ready, in flight or waiting to retry). */
  keys: Set<string>;
  consumers: QueueConsumer[];
  /** Round-robin cursor so that consumers with free capacity share the messages. */
  next: number;
}

export class MemoryBus implements Bus {
  private readonly queues = new Map<QueueName, QueueState>();
  private readonly observations = new Map<string, ObservationLog>();
  private spillDir: string | undefined;
  private readonly ownsSpillDir: boolean;
  private logCount = 0;
  private readonly subscribers = new Set<(event: JobEvent) => void>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly retryDelayMs: number;
  private closed = false;

  constructor(opts: MemoryBusOptions = {}) {
    this.retryDelayMs = opts.retryDelayMs ?? 1000;
    this.spillDir = opts.spillDir;
    this.ownsSpillDir = opts.spillDir === undefined;
  }

  async enqueue<Q extends QueueName>(queue: Q, message: QueueMessages[Q], key: string): Promise<void> {
    this.assertOpen();
    const q = this.queue(queue);
    if (q.keys.has(key)) return;
    q.keys.add(key);
    // Copies, as a network bus would: neither side can alter the other's object later.
    q.ready.push({ key, message: structuredClone(message), attempts: 0 });
    this.pump(q);
  }

  consume<Q extends QueueName>(
    queue: Q,
    handler: (message: QueueMessages[Q], delivery: Delivery) => Promise<HandlerOutcome>,
    options: ConsumeOptions,
  ): Consumer {
    this.assertOpen();
    if (!(options.concurrency >= 1)) throw new Error(`concurrency must be at least 1, got ${options.concurrency}`);
    const q = this.queue(queue);
    const consumer: QueueConsumer = { handler: handler as Handler, concurrency: options.concurrency, running: new Set(), stopped: false };
    q.consumers.push(consumer);
    this.pump(q);
    return {
      bound: () => !consumer.stopped && !this.closed,
      stop: async () => {
        if (!consumer.stopped) {
          consumer.stopped = true;
          q.consumers.splice(q.consumers.indexOf(consumer), 1);
        }
        await Promise.all(consumer.running);
      },
    };
  }

  async appendObservations(jobId: string, chunk: ObservationChunk): Promise<void> {
    this.assertOpen();
    let log = this.observations.get(jobId);
    if (!log) {
      if (!this.spillDir) {
        this.spillDir = makeProcessTempDir(SPILL_PREFIX);
      }
      const path = join(this.spillDir, `${process.pid}-${++this.logCount}.log`);
      this.observations.set(jobId, (log = { path, fd: openSync(path, 'w'), end: 0 }));
    }
    // Serialised: a copy, as a network bus would make; neither side can alter the other's object later.
    const body = serialize(chunk);
    const head = Buffer.alloc(4);
    head.writeUInt32LE(body.length);
    writevSync(log.fd, [head, body]);
    log.end += head.length + body.length;
  }

  readObservations(jobId: string): AsyncIterable<ObservationChunk> {
    // The chunks appended by the time of the call, even if more arrive while the caller reads.
    const log = this.observations.get(jobId);
    if (!log) return (async function* () {})();
    const end = log.end;
    return (async function* () {
      // Opened on the first read (a reader that never starts holds no file); a log dropped before
      // that reads as empty, one dropped after stays readable to this reader.
      let fd: number;
      try {
        fd = openSync(log.path, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      try {
        const head = Buffer.alloc(4);
        // One buffer for every chunk (a long video's thousand chunks of ~200 kB each made one):
        // deserialize copies all out of it, as a chunk holds no typed arrays (which it would alias).
        let body = Buffer.allocUnsafeSlow(256 * 1024);
        for (let at = 0; at < end; ) {
          readSync(fd, head, 0, 4, at);
          const length = head.readUInt32LE(0);
          if (body.length < length) body = Buffer.allocUnsafeSlow(Math.max(length, 2 * body.length));
          readSync(fd, body, 0, length, at + 4);
          at += 4 + length;
          yield deserialize(body.subarray(0, length)) as ObservationChunk;
        }
      } finally {
        closeSync(fd);
      }
    })();
  }

  async dropObservations(jobId: string): Promise<void> {
    const log = this.observations.get(jobId);
    if (!log) return;
    this.observations.delete(jobId);
    closeSync(log.fd);
    unlinkSync(log.path);
  }

  async publish(event: JobEvent): Promise<void> {
    this.assertOpen();
    for (const subscriber of this.subscribers) {
      const copy = structuredClone(event);
      // Later, outside the publisher's stack: a subscriber that throws cannot break the publisher.
      setImmediate(() => {
        try {
          subscriber(copy);
        } catch (err) {
          log.error({ err, event: copy.type }, 'event subscriber threw');
        }
      });
    }
  }

  subscribe(handler: (event: JobEvent) => void): { close(): void } {
    // Wrapped so that the same function subscribed twice is two subscriptions.
    const subscriber = (event: JobEvent) => handler(event);
    this.subscribers.add(subscriber);
    return { close: () => void this.subscribers.delete(subscriber) };
  }

  connected(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.subscribers.clear();
    for (const log of this.observations.values()) closeSync(log.fd);
    this.observations.clear();
    if (this.spillDir && this.ownsSpillDir) rmSync(this.spillDir, { recursive: true, force: true });
    const consumers = [...this.queues.values()].flatMap((q) => q.consumers.splice(0));
    for (const consumer of consumers) consumer.stopped = true;
    await Promise.all(consumers.flatMap((consumer) => [...consumer.running]));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('bus is closed');
  }

  private queue(name: QueueName): QueueState {
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = { ready: [], keys: new Set(), consumers: [], next: 0 }));
    return q;
  }

  /** Hands ready messages to consumers with free capacity, in turn. */
  private pump(q: QueueState): void {
    while (q.ready.length > 0) {
      const consumer = this.freeConsumer(q);
      if (!consumer) return;
      this.deliver(q, consumer, q.ready.shift()!);
    }
  }

  private freeConsumer(q: QueueState): QueueConsumer | undefined {
    for (let i = 0; i < q.consumers.length; i++) {
      const index = (q.next + i) % q.consumers.length;
      const consumer = q.consumers[index]!;
      if (consumer.running.size < consumer.concurrency) {
        q.next = index + 1;
        return consumer;
      }
    }
    return undefined;
  }

  private deliver(q: QueueState, consumer: QueueConsumer, entry: Entry): void {
    entry.attempts += 1;
    // Started on a later tick so a handler never runs inside enqueue()'s or a handler's stack.
    const run = Promise.resolve().then(async () => {
      let outcome: HandlerOutcome;
      try {
        outcome = await consumer.handler(structuredClone(entry.message) as never, { attempt: entry.attempts });
      } catch (err) {
        log.warn({ err, key: entry.key, attempt: entry.attempts }, 'handler threw; the message will be redelivered');
        outcome = 'retry';
      }
      if (outcome === 'retry') this.retryLater(q, entry);
      else q.keys.delete(entry.key);
    });
    consumer.running.add(run);
    void run.finally(() => {
      consumer.running.delete(run);
      this.pump(q);
    });
  }

  private retryLater(q: QueueState, entry: Entry): void {
    if (this.closed) return;
    const delay = Math.min(this.retryDelayMs * 2 ** (entry.attempts - 1), MAX_RETRY_DELAY_MS);
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      q.ready.push(entry);
      this.pump(q);
    }, delay);
    this.retryTimers.add(timer);
  }
}

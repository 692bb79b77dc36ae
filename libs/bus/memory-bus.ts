// The in-process Bus of the embedded product (semantics in bus.ts). Nothing survives the process:
// the embedded product recovers interrupted jobs from the job store at start, not from the bus.
import type { JobEvent, ObservationChunk, QueueMessages, QueueName } from '../jobs/types.js';
import { moduleLogger } from '../log/logger.js';
import type { Bus, ConsumeOptions, Consumer, Delivery, HandlerOutcome } from './bus.js';

const log = moduleLogger('memory-bus');

export interface MemoryBusOptions {
  /** Delay before the first redelivery; doubles on each further attempt (default 1000). */
  retryDelayMs?: number;
}

const MAX_RETRY_DELAY_MS = 60_000;

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
  private readonly observations = new Map<string, ObservationChunk[]>();
  private readonly subscribers = new Set<(event: JobEvent) => void>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly retryDelayMs: number;
  private closed = false;

  constructor(opts: MemoryBusOptions = {}) {
    this.retryDelayMs = opts.retryDelayMs ?? 1000;
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
    let chunks = this.observations.get(jobId);
    if (!chunks) this.observations.set(jobId, (chunks = []));
    chunks.push(structuredClone(chunk));
  }

  readObservations(jobId: string): AsyncIterable<ObservationChunk> {
    // The chunks appended by the time of the call, even if more arrive while the caller reads.
    const chunks = (this.observations.get(jobId) ?? []).slice();
    return (async function* () {
      for (const chunk of chunks) yield structuredClone(chunk);
    })();
  }

  async dropObservations(jobId: string): Promise<void> {
    this.observations.delete(jobId);
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

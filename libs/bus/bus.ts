// The message bus between services. In-process (MemoryBus) for the embedded product; NATS
// JetStream (NatsBus) when distributed. Both pass the same suite (test/bus/bus.contract.ts).
//
// - Work queues (`decode`, `aggregate`): durable, each message handled by exactly one consumer
//   at a time, acknowledged only when the handler finishes; a handler that throws or returns
//   'retry' (or whose process dies) gets the message redelivered, to this or another consumer.
//   Enqueueing the same (queue, key) twice while the first is pending is a no-op (dedup by key).
// - Observations: an append-only log per job, written by the decoder and read in order by the
//   aggregator; dropped once the job's results are written.
// - Events: fan-out notifications; a subscriber sees the events published after it subscribed.
import type { JobEvent, ObservationChunk, QueueMessages, QueueName } from '../jobs/types.js';

export type HandlerOutcome = 'ack' | 'retry' | 'drop';

export interface Delivery {
  /** 1 on the first delivery. */
  attempt: number;
}

export interface ConsumeOptions {
  /** Messages handled at once by this consumer. */
  concurrency: number;
}

export interface Consumer {
  /** Whether it can take messages now: bound to its queue (on the server, when there is one), not stopped. */
  bound(): boolean;
  /** Stops taking messages and waits for the handlers in flight to finish. */
  stop(): Promise<void>;
}

export interface Bus {
  enqueue<Q extends QueueName>(queue: Q, message: QueueMessages[Q], key: string): Promise<void>;
  consume<Q extends QueueName>(
    queue: Q,
    handler: (message: QueueMessages[Q], delivery: Delivery) => Promise<HandlerOutcome>,
    options: ConsumeOptions,
  ): Consumer;
  appendObservations(jobId: string, chunk: ObservationChunk): Promise<void>;
  /** Every chunk appended so far for the job, in append order. */
  readObservations(jobId: string): AsyncIterable<ObservationChunk>;
  dropObservations(jobId: string): Promise<void>;
  publish(event: JobEvent): Promise<void>;
  subscribe(handler: (event: JobEvent) => void): { close(): void };
  /** Whether messages can flow now: open, and connected to the server when there is one. */
  connected(): boolean;
  close(): Promise<void>;
}

/**
 * Sees every observation chunk appended to `bus` from now on, as a copy, without changing what
 * the bus keeps (evaluations and tests read the decoder's output on its way to the aggregator).
 * Returns the function that removes the tap.
 */
export function tapObservations(bus: Bus, onChunk: (jobId: string, chunk: ObservationChunk) => void): () => void {
  const append = bus.appendObservations;
  bus.appendObservations = async (jobId, chunk) => {
    onChunk(jobId, structuredClone(chunk));
    return append.call(bus, jobId, chunk);
  };
  return () => {
    bus.appendObservations = append;
  };
}

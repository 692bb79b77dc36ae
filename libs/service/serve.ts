// The two shapes a service takes, written once: a gRPC server (detector, embedder, matcher) and a
// consumer of a work queue (decoder, aggregator). Each comes with its readiness: what it needs
// before it takes work, and not ready from the moment it starts to stop.
import type { Delivery, HandlerOutcome } from '../bus/bus.js';
import type { ServiceName } from '../config/config.js';
import { GrpcServer, type grpc } from '../grpc/grpc.js';
import type { QueueMessages, QueueName } from '../jobs/types.js';
import type { Logger } from '../log/logger.js';
import { Readiness } from './readiness.js';
import { InFlight, type Runtime, type RunningService } from './runtime.js';

export interface GrpcServiceOptions {
  name: ServiceName;
  /** Fully qualified gRPC service name, e.g. `facerec.v1.Detector`. */
  service: string;
  definition: grpc.ServiceDefinition;
  handlers: grpc.UntypedServiceImplementation;
  /** host:port to bind. */
  listen: string;
  log: Logger;
  /** Fields of the `<name> serving` log line. */
  describe?: Record<string, unknown>;
  /**
   * Work the service must have done before it is ready (a first inference, which allocates what
   * every later one reuses), run once the server listens. Its gRPC health says SERVING only then.
   */
  warmUp?: () => Promise<unknown>;
  /** More needs (see Readiness.need/after). */
  needs?: (readiness: Readiness) => void;
  /** After the server stopped: releases what the handlers used (batchers, clients). */
  close?: () => void | Promise<void>;
}

/**
 * Serves `handlers`; ready once it listens, its warm-up is done and its other needs are met; on
 * stop, not ready at once, then the server refuses new calls and lets those in flight finish
 * within the grace period.
 */
export async function serveGrpc(rt: Runtime, opts: GrpcServiceOptions): Promise<RunningService> {
  const readiness = new Readiness(opts.name);
  const server = new GrpcServer().add(opts.service, opts.definition, opts.handlers);
  const port = await server.listen(opts.listen);
  let warmUp: Promise<void> | undefined;
  if (opts.warmUp) {
    const started = performance.now();
    warmUp = opts.warmUp().then(() => opts.log.info({ ms: Math.round(performance.now() - started) }, `${opts.name} warmed up`));
    readiness.after('warm-up inference', warmUp);
    warmUp = warmUp.then(
      () => void (!readiness.isDraining && server.setServing(true)),
      (err: unknown) => opts.log.error({ err }, `${opts.name} warm-up failed: not ready`),
    );
  } else {
    server.setServing(true);
  }
  opts.needs?.(readiness);
  opts.log.info({ port, ...opts.describe }, `${opts.name} serving`);
  return {
    name: opts.name,
    port,
    checks: [readiness],
    warmUp,
    stop: async () => {
      readiness.drain();
      await server.stop(rt.config.shutdownGraceMs);
      await opts.close?.();
    },
  };
}

export interface QueueWorkerOptions<Q extends QueueName> {
  name: ServiceName;
  queue: Q;
  concurrency: number;
  handle: (message: QueueMessages[Q], delivery: Delivery) => Promise<HandlerOutcome>;
  log: Logger;
  /** Fields of the `<name> consuming` log line. */
  describe?: Record<string, unknown>;
  /** After the jobs in flight finished: closes the worker's clients. */
  close?: () => void;
}

/**
 * Consumes `queue`; ready while the bus is connected and the consumer bound to its queue; on stop,
 * not ready at once, then it takes no more messages and finishes the jobs in flight.
 */
export async function consumeQueue<Q extends QueueName>(rt: Runtime, opts: QueueWorkerOptions<Q>): Promise<RunningService> {
  const bus = await rt.adapters.bus();
  const inFlight = new InFlight();
  const consumer = bus.consume(opts.queue, inFlight.wrap(opts.handle), { concurrency: opts.concurrency });
  const readiness = new Readiness(opts.name).need('bus connected', () => bus.connected()).need(`consumer of the ${opts.queue} queue bound`, () => consumer.bound());
  opts.log.info({ concurrency: opts.concurrency, ...opts.describe }, `${opts.name} consuming`);
  return {
    name: opts.name,
    checks: [readiness],
    stop: async () => {
      readiness.drain();
      const jobs = inFlight.count;
      if (jobs > 0) opts.log.info({ jobs }, 'finishing the jobs in flight');
      await consumer.stop();
      opts.close?.();
      return { jobs };
    },
  };
}

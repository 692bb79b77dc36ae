// What a started service looks like to the process that runs it.
import type { Config, ServiceName } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Adapters } from './adapters.js';
import type { ReadinessCheck } from './health-server.js';

export interface Runtime {
  config: Config;
  adapters: Adapters;
  log: Logger;
}

/** What a service finished while it stopped, e.g. `{ jobs: 2 }`: for the log line that says it stopped. */
export type DrainReport = Record<string, number>;

export interface RunningService {
  name: ServiceName;
  /** The bound port of a gRPC or HTTP server, when the service has one. */
  port?: number;
  checks: ReadinessCheck[];
  /** Start-up work still running when start returned (a warm-up inference): settles when it is done. */
  warmUp?: Promise<void>;
  /** Stops taking work, finishes (or, past the grace period, abandons) the work in flight. */
  stop(): Promise<void | DrainReport>;
}

/** Counts the calls of a handler in flight: what a stopping worker still has to finish. */
export class InFlight {
  count = 0;

  wrap<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args: A) => {
      this.count++;
      try {
        return await handler(...args);
      } finally {
        this.count--;
      }
    };
  }
}

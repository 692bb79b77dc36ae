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

export interface RunningService {
  name: ServiceName;
  /** The bound port of a gRPC or HTTP server, when the service has one. */
  port?: number;
  checks: ReadinessCheck[];
  /** Stops taking work, finishes (or, past the grace period, abandons) the work in flight. */
  stop(): Promise<void>;
}

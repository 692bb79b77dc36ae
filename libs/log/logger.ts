// One pino logger for the process; modules take children named after themselves.
import { pino, type Logger } from 'pino';

export type { Logger };

// Logs go to stderr so that commands whose stdout is data (the CLI's JSON) stay parseable.
export const rootLogger: Logger = pino(
  {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service: process.env.FACEREC_SERVICE ?? 'facerec' },
  },
  pino.destination(2),
);

export function moduleLogger(module: string): Logger {
  return rootLogger.child({ module });
}

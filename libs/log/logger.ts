// One pino logger for the process; modules take children named after themselves.
import { writeSync } from 'node:fs';
import { pino, type Level, type Logger } from 'pino';

export type { Logger };

/**
 * stderr, written synchronously (a line logged just before exit is not lost). Once nobody reads
 * it any more (EPIPE: the launcher that started this service is gone), lines are dropped: a
 * stopping service must not hang on its log.
 */
const stderr = {
  gone: false,
  pause: new Int32Array(new SharedArrayBuffer(4)),
  write(line: string): void {
    if (this.gone) return;
    const bytes = Buffer.from(line);
    for (let at = 0; at < bytes.length; ) {
      try {
        at += writeSync(2, bytes, at);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EBUSY') {
          Atomics.wait(this.pause, 0, 0, 5); // a full pipe: give the reader a moment
          continue;
        }
        this.gone = true;
        return;
      }
    }
  },
};

// Logs go to stderr so that commands whose stdout is data (the CLI's JSON) stay parseable.
export const rootLogger: Logger = pino(
  {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service: process.env.FACEREC_SERVICE ?? 'facerec' },
  },
  stderr,
);

const moduleLoggers = new Set<Logger>();

export function moduleLogger(module: string): Logger {
  const logger = rootLogger.child({ module });
  moduleLoggers.add(logger);
  return logger;
}

/** Sets the level of the root logger and of every module logger made so far (they keep their own). */
export function setLogLevel(level: Level | 'silent'): void {
  rootLogger.level = level;
  for (const logger of moduleLoggers) logger.level = level;
}

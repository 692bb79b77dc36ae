// Temporary folders a process keeps for its own work (an observation log, a job's thumbnails), named
// `<prefix><pid>-…` so that a later process can tell whose they are: one that died mid-job (killed,
// out of memory) leaves its folder behind, hundreds of MB for a long video, and the next process
// making a folder of that kind removes the folders of processes that no longer run (a folder of a
// live process, another product's on the same machine, is kept).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { moduleLogger } from '../log/logger.js';

const log = moduleLogger('process-temp');

/** Prefixes whose dead processes' folders this process has already removed (once is enough: they are only left by a death). */
const swept = new Set<string>();

/** A new folder `<prefix><pid>-XXXXXX` in the system's temp dir; the first of a prefix removes dead processes' folders of it. */
export function makeProcessTempDir(prefix: string): string {
  if (!swept.has(prefix)) {
    removeDeadProcessesFolders(tmpdir(), prefix);
    swept.add(prefix);
  }
  return mkdtempSync(join(tmpdir(), `${prefix}${process.pid}-`));
}

/** Removes the folders `<prefix><pid>-…` in `dir` whose process no longer runs; returns their names. */
export function removeDeadProcessesFolders(dir: string, prefix: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = Number(name.startsWith(prefix) ? /^(\d+)-/.exec(name.slice(prefix.length))?.[1] : undefined);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isRunning(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  if (removed.length > 0) log.info({ removed }, 'removed temporary folders of processes that no longer run');
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

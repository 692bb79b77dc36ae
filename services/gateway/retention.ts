// Retention (FACEREC_RETENTION_DAYS, default 30; 0 keeps everything): finished jobs older than
// that go, with their results (thumbnails included) and the uploads only they used; uploads no job
// uses expire after a day. Swept by the gateway at start and every hour; several gateways sweeping
// at once is harmless (each delete happens once).
import type { JobRecord } from '../../libs/jobs/types.js';
import { FINAL_STATES, JOB_STATES } from '../../libs/jobs/types.js';
import type { Logger } from '../../libs/log/logger.js';
import type { BlobStore } from '../../libs/store/blob-store.js';
import type { JobStore } from '../../libs/store/job-store.js';

const DAY_MS = 24 * 3600 * 1000;
export const UNUSED_UPLOAD_MAX_AGE_MS = DAY_MS;
const STORAGE_PREFIX = 'storage://';

export interface SweepReport {
  jobs: number;
  uploads: number;
}

function uploadsOf(job: JobRecord): string[] {
  return job.sources.filter((s) => s.startsWith(STORAGE_PREFIX)).map((s) => s.slice(STORAGE_PREFIX.length));
}

/** One sweep at time `now` (ms). */
export async function sweepRetention(jobs: JobStore, blobs: BlobStore, retentionDays: number, now = Date.now()): Promise<SweepReport> {
  if (retentionDays <= 0) return { jobs: 0, uploads: 0 };
  const cutoff = now - retentionDays * DAY_MS;
  const all = await jobs.listByState(JOB_STATES);
  const expired = all.filter((j) => FINAL_STATES.includes(j.state) && Date.parse(j.timeCompleted ?? j.timeCreated) < cutoff);
  const expiredIds = new Set(expired.map((j) => j.id));
  const inUse = new Set(all.filter((j) => !expiredIds.has(j.id)).flatMap(uploadsOf));
  const usedByExpired = new Set(expired.flatMap(uploadsOf));

  let deletedJobs = 0;
  for (const job of expired) if (await jobs.delete(job.id)) deletedJobs++;
  let deletedUploads = 0;
  for (const blob of await blobs.list()) {
    if (inUse.has(blob.id)) continue;
    const unusedTooLong = now - Date.parse(blob.created) > UNUSED_UPLOAD_MAX_AGE_MS;
    if ((usedByExpired.has(blob.id) || unusedTooLong) && (await blobs.delete(blob.id))) deletedUploads++;
  }
  return { jobs: deletedJobs, uploads: deletedUploads };
}

/** Sweeps now and every `intervalMs`; stop() ends it (waiting for a sweep in progress). */
export function startRetention(jobs: JobStore, blobs: BlobStore, retentionDays: number, log: Logger, intervalMs = 3600_000): { stop(): Promise<void> } {
  if (retentionDays <= 0) {
    log.info('FACEREC_RETENTION_DAYS=0: jobs and uploads are kept until deleted');
    return { stop: async () => undefined };
  }
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = running.then(async () => {
      try {
        const r = await sweepRetention(jobs, blobs, retentionDays);
        if (r.jobs > 0 || r.uploads > 0) log.info({ ...r, retentionDays }, 'retention: expired jobs and uploads removed');
      } catch (err) {
        log.warn({ err }, 'retention sweep failed; trying again at the next one');
      }
    });
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

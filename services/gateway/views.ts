// The job object of SPEC §1 from a stored JobRecord.
import type { JobRecord } from '../../libs/jobs/types.js';

/** SPEC's timestamp style: "2021-05-20 09:34:37.135000" (UTC). */
export function formatTime(iso: string | null): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000`;
}

/** Seconds the job has been (or was) processing. */
function duration(job: JobRecord, now: number): number {
  if (!job.timeStarted) return 0;
  const end = job.timeCompleted ? Date.parse(job.timeCompleted) : now;
  return Math.max(0, end - Date.parse(job.timeStarted)) / 1000;
}

export function jobView(job: JobRecord, apiBase: string, now = Date.now()) {
  return {
    id: job.id,
    tag: job.tag,
    state: job.state,
    errors: job.errors,
    warnings: job.warnings,
    progress: Math.round(job.progress * 1000) / 1000,
    duration: duration(job, now),
    time_created: formatTime(job.timeCreated),
    time_started: formatTime(job.timeStarted),
    time_completed: formatTime(job.timeCompleted),
    sources: job.sources,
    modules: { face_recognition: { ...job.request, state: job.state, progress: Math.round(job.progress * 1000) / 1000 } },
    media_type: job.mediaType,
    result: job.summary ? { detailed_link: `${apiBase}/jobs/${job.id}/detailed-results/`, summary: job.summary } : null,
  };
}

// update()'s merge, shared by the job stores so that they agree on it.
import type { JobRecord } from '../jobs/types.js';

export type JobPatch = Partial<Omit<JobRecord, 'id'>>;

/** `current` with the patch's fields; keys set to undefined are ignored rather than erasing a field. */
export function applyJobPatch(current: JobRecord, patch: JobPatch): JobRecord {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  return { ...current, ...defined, id: current.id };
}

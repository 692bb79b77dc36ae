// Where jobs and their results live. Embedded: SQLite in the data directory
// (SqliteJobStore); distributed: NATS JetStream KV + object store (NatsJobStore). Both pass the
// same suite (test/store/job-store.contract.ts).
import type { JobRecord, JobState, ResultItem } from '../jobs/types.js';

export interface JobListQuery {
  limit: number;
  offset: number;
  state?: JobState;
  tag?: string;
}

export interface Page<T> {
  total: number;
  items: T[];
}

export interface JobStore {
  /** Stores a new job; rejects with JobExistsError when the id is taken. */
  create(job: JobRecord): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  /**
   * Applies `patch` atomically (compare-and-set against concurrent writers). With `ifState`, only
   * when the current state is one of them. Returns the updated record, or undefined when the job
   * does not exist or its state did not match.
   */
  update(id: string, patch: Partial<Omit<JobRecord, 'id'>>, opts?: { ifState?: readonly JobState[] }): Promise<JobRecord | undefined>;
  /** Newest first (by timeCreated, then id). `total` counts every match, not just this page. */
  list(query: JobListQuery): Promise<Page<JobRecord>>;
  /** Jobs in any of `states`, oldest first (recovery after a restart). */
  listByState(states: readonly JobState[]): Promise<JobRecord[]>;
  /** Deletes the job and its results; false when it did not exist. */
  delete(id: string): Promise<boolean>;
  /** Replaces all results of a job (idempotent: a redelivered job writes the same set once). */
  putResults(jobId: string, items: Iterable<ResultItem>): Promise<void>;
  /** Results in stored order. */
  getResults(jobId: string, page: { limit: number; offset: number }): Promise<Page<ResultItem>>;
  close(): Promise<void>;
}

export class JobExistsError extends Error {
  constructor(id: string) {
    super(`job ${id} already exists`);
    this.name = 'JobExistsError';
  }
}

// The distributed job store: job records in a JetStream KV bucket (key = job id), each job's
// results as one JSON object in an object store. Every service reads and writes jobs here, so
// updates are compare-and-set on the entry revision: a write based on a stale read is refused by
// the server and redone on the fresh record.
import { JetStreamApiCodes, JetStreamApiError, StorageType } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JobRecord, JobState, ResultItem } from '../jobs/types.js';
import { moduleLogger } from '../log/logger.js';
import { applyJobPatch, type JobPatch } from './job-patch.js';
import { JobExistsError, type JobListQuery, type JobStore, type Page } from './job-store.js';

const log = moduleLogger('nats-job-store');

/** Ids usable as KV keys: subject tokens of word characters, '-', '/' and '='. */
const KEY_PATTERN = /^[-/=\w]+(?:\.[-/=\w]+)*$/;

/** Failed compare-and-set attempts in a row before update() gives up (each means another writer won). */
const MAX_UPDATE_ATTEMPTS = 100;

/** Concurrent reads while list() loads records. */
const LIST_READ_CONCURRENCY = 64;

export interface NatsJobStoreOptions {
  /** KV bucket of job records. */
  bucket?: string;
  /** Object store of results. */
  resultsBucket?: string;
}

export class NatsJobStore implements JobStore {
  private constructor(
    private readonly jobs: KV,
    private readonly results: ObjectStore,
  ) {}

  /** Opens the buckets, creating them when absent. The connection stays the caller's to close. */
  static async open(nc: NatsConnection, opts: NatsJobStoreOptions = {}): Promise<NatsJobStore> {
    const jobs = await new Kvm(nc).create(opts.bucket ?? 'facerec_jobs', { storage: StorageType.File, history: 1 });
    const results = await new Objm(nc).create(opts.resultsBucket ?? 'facerec_results', { storage: StorageType.File });
    return new NatsJobStore(jobs, results);
  }

  async create(job: JobRecord): Promise<void> {
    if (!KEY_PATTERN.test(job.id)) throw new Error(`invalid job id: ${JSON.stringify(job.id)}`);
    try {
      await this.jobs.create(job.id, JSON.stringify(job));
    } catch (err) {
      if (isWrongLastSequence(err)) throw new JobExistsError(job.id);
      throw err;
    }
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return (await this.readEntry(id))?.json<JobRecord>();
  }

  async update(id: string, patch: JobPatch, opts: { ifState?: readonly JobState[] } = {}): Promise<JobRecord | undefined> {
    for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt++) {
      const entry = await this.readEntry(id);
      if (!entry) return undefined;
      const current = entry.json<JobRecord>();
      if (opts.ifState && !opts.ifState.includes(current.state)) return undefined;
      const next = applyJobPatch(current, patch);
      try {
        await this.jobs.update(id, JSON.stringify(next), entry.revision);
        return next;
      } catch (err) {
        if (!isWrongLastSequence(err)) throw err;
        log.debug({ jobId: id, attempt }, 'job changed while updating it; retrying on the new record');
      }
    }
    throw new Error(`job ${id}: update lost the race ${MAX_UPDATE_ATTEMPTS} times in a row`);
  }

  // Reads every record: fine for the job counts of one installation. At very large counts this
  // needs a secondary index (e.g. a KV of keys by state/tag/time) instead of a full scan.
  async list(query: JobListQuery): Promise<Page<JobRecord>> {
    const matches = (await this.readAll()).filter(
      (job) => (query.state === undefined || job.state === query.state) && (query.tag === undefined || job.tag === query.tag),
    );
    matches.sort((a, b) => compareCreated(b, a));
    return { total: matches.length, items: matches.slice(query.offset, query.offset + query.limit) };
  }

  async listByState(states: readonly JobState[]): Promise<JobRecord[]> {
    if (states.length === 0) return [];
    return (await this.readAll()).filter((job) => states.includes(job.state)).sort(compareCreated);
  }

  async delete(id: string): Promise<boolean> {
    const entry = await this.readEntry(id);
    if (!entry) return false;
    // Results first: if this is interrupted, the job still exists and deleting it again finishes.
    await this.results.delete(id);
    try {
      // Only the caller that saw this revision deletes it, so concurrent deletes report true once.
      await this.jobs.purge(id, { previousSeq: entry.revision });
      return true;
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
      // Changed since the read: updated (delete anyway) or already deleted by someone else.
      return this.delete(id);
    }
  }

  async putResults(jobId: string, items: Iterable<ResultItem>): Promise<void> {
    if (!KEY_PATTERN.test(jobId)) throw new Error(`invalid job id: ${JSON.stringify(jobId)}`);
    // put replaces the object whole: readers see the old set or the new one, never a mix. The JSON
    // array is streamed item by item (a long video's results need not be in memory as text at once).
    await this.results.put({ name: jobId }, jsonArrayStream(items));
  }

  async getResults(jobId: string, page: { limit: number; offset: number }): Promise<Page<ResultItem>> {
    const bytes = KEY_PATTERN.test(jobId) ? await this.results.getBlob(jobId) : null;
    if (!bytes) return { total: 0, items: [] };
    const items = JSON.parse(new TextDecoder().decode(bytes)) as ResultItem[];
    return { total: items.length, items: items.slice(page.offset, page.offset + page.limit) };
  }

  /** Nothing to release: the buckets live on the server and the connection is the caller's. */
  async close(): Promise<void> {}

  /** The live entry of a job, or null when absent, deleted, or the id cannot be a key. */
  private async readEntry(id: string): Promise<KvEntry | null> {
    if (!KEY_PATTERN.test(id)) return null;
    const entry = await this.jobs.get(id);
    return entry?.operation === 'PUT' ? entry : null;
  }

  private async readAll(): Promise<JobRecord[]> {
    const ids: string[] = [];
    for await (const id of await this.jobs.keys()) ids.push(id);
    const records: JobRecord[] = [];
    for (let start = 0; start < ids.length; start += LIST_READ_CONCURRENCY) {
      const batch = ids.slice(start, start + LIST_READ_CONCURRENCY);
      // A job deleted since the key listing reads as null and is left out.
      for (const job of await Promise.all(batch.map((id) => this.get(id)))) if (job) records.push(job);
    }
    return records;
  }
}

/** Oldest first: by timeCreated, then id. */
function compareCreated(a: JobRecord, b: JobRecord): number {
  if (a.timeCreated !== b.timeCreated) return a.timeCreated < b.timeCreated ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The server refused a write because the key is not at the expected revision. */
function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/** A JSON array of the items as a byte stream, serialised as it is pulled, in pieces of ~64 kB. */
function jsonArrayStream(items: Iterable<unknown>): ReadableStream<Uint8Array> {
  const iterator = items[Symbol.iterator]();
  const encoder = new TextEncoder();
  let first = true;
  let done = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (done) return;
      let text = first ? '[' : '';
      while (text.length < 65_536) {
        const next = iterator.next();
        if (next.done) {
          text += ']';
          done = true;
          break;
        }
        text += (first ? '' : ',') + JSON.stringify(next.value);
        first = false;
      }
      controller.enqueue(encoder.encode(text));
      if (done) controller.close();
    },
    cancel() {
      iterator.return?.();
    },
  });
}

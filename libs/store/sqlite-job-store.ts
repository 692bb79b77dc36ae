// The embedded job store: one SQLite file in the data directory. Each job is a row holding the
// record as JSON, with the columns that lists filter and sort on copied out of it.
import type { JobRecord, JobState, ResultItem } from '../jobs/types.js';
import { applyJobPatch, type JobPatch } from './job-patch.js';
import { JobExistsError, type JobListQuery, type JobStore, type Page } from './job-store.js';
import { openSqlite, type CountRow, type SqliteDatabase, type SqliteStatement } from './sqlite.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    tag TEXT NOT NULL,
    time_created TEXT NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS jobs_by_time ON jobs (time_created, id);
  CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, time_created, id);
  CREATE INDEX IF NOT EXISTS jobs_by_tag ON jobs (tag, time_created, id);
  CREATE TABLE IF NOT EXISTS results (
    job_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
  ) WITHOUT ROWID;
`;

interface JsonRow {
  json: string;
}

export class SqliteJobStore implements JobStore {
  private readonly db: SqliteDatabase;
  private readonly queries: ReturnType<typeof prepareQueries>;
  /** List statements by their WHERE clause (one pair per combination of filters). */
  private readonly listStatements = new Map<string, { count: SqliteStatement<string[], CountRow>; page: SqliteStatement<unknown[], JsonRow> }>();

  /** `path` is a file (its directory is created) or ':memory:'. */
  constructor(path: string) {
    this.db = openSqlite(path);
    this.db.exec(SCHEMA);
    this.queries = prepareQueries(this.db);
  }

  async create(job: JobRecord): Promise<void> {
    const { changes } = this.queries.insertJob.run(job.id, job.state, job.tag, job.timeCreated, JSON.stringify(job));
    if (changes === 0) throw new JobExistsError(job.id);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return this.queries.readJob(id);
  }

  async update(id: string, patch: JobPatch, opts: { ifState?: readonly JobState[] } = {}): Promise<JobRecord | undefined> {
    // IMMEDIATE takes the write lock before the read, so no other connection writes in between.
    return this.queries.updateJob.immediate(id, patch, opts.ifState);
  }

  async list(query: JobListQuery): Promise<Page<JobRecord>> {
    const filters: string[] = [];
    const params: string[] = [];
    if (query.state !== undefined) {
      filters.push('state = ?');
      params.push(query.state);
    }
    if (query.tag !== undefined) {
      filters.push('tag = ?');
      params.push(query.tag);
    }
    const where = filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : '';
    let statements = this.listStatements.get(where);
    if (!statements) {
      statements = {
        count: this.db.prepare<string[], CountRow>(`SELECT count(*) AS total FROM jobs ${where}`),
        page: this.db.prepare<unknown[], JsonRow>(`SELECT json FROM jobs ${where} ORDER BY time_created DESC, id DESC LIMIT ? OFFSET ?`),
      };
      this.listStatements.set(where, statements);
    }
    const total = statements.count.get(...params)?.total ?? 0;
    const rows = statements.page.all(...params, query.limit, query.offset);
    return { total, items: rows.map(parseJson<JobRecord>) };
  }

  async listByState(states: readonly JobState[]): Promise<JobRecord[]> {
    return this.queries.selectJobsByStates.all(JSON.stringify(states)).map(parseJson<JobRecord>);
  }

  async delete(id: string): Promise<boolean> {
    return this.queries.deleteJob(id);
  }

  async putResults(jobId: string, items: Iterable<ResultItem>): Promise<void> {
    this.queries.replaceResults(jobId, items);
  }

  async getResults(jobId: string, page: { limit: number; offset: number }): Promise<Page<ResultItem>> {
    const total = this.queries.countResults.get(jobId)?.total ?? 0;
    const rows = this.queries.selectResults.all(jobId, page.limit, page.offset);
    return { total, items: rows.map(parseJson<ResultItem>) };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function prepareQueries(db: SqliteDatabase) {
  const insertJob = db.prepare<[string, string, string, string, string]>(
    'INSERT INTO jobs (id, state, tag, time_created, json) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const selectJob = db.prepare<[string], JsonRow>('SELECT json FROM jobs WHERE id = ?');
  const writeJob = db.prepare<[string, string, string, string, string]>(
    'UPDATE jobs SET state = ?, tag = ?, time_created = ?, json = ? WHERE id = ?',
  );
  const deleteJobRow = db.prepare<[string]>('DELETE FROM jobs WHERE id = ?');
  const insertResult = db.prepare<[string, number, string]>('INSERT INTO results (job_id, seq, json) VALUES (?, ?, ?)');
  const deleteResults = db.prepare<[string]>('DELETE FROM results WHERE job_id = ?');

  const readJob = (id: string): JobRecord | undefined => {
    const row = selectJob.get(id);
    return row && parseJson<JobRecord>(row);
  };

  return {
    insertJob,
    readJob,
    selectJobsByStates: db.prepare<[string], JsonRow>(
      'SELECT json FROM jobs WHERE state IN (SELECT value FROM json_each(?)) ORDER BY time_created, id',
    ),
    countResults: db.prepare<[string], CountRow>('SELECT count(*) AS total FROM results WHERE job_id = ?'),
    selectResults: db.prepare<[string, number, number], JsonRow>('SELECT json FROM results WHERE job_id = ? ORDER BY seq LIMIT ? OFFSET ?'),

    updateJob: db.transaction((id: string, patch: JobPatch, ifState: readonly JobState[] | undefined): JobRecord | undefined => {
      const current = readJob(id);
      if (!current || (ifState && !ifState.includes(current.state))) return undefined;
      const next = applyJobPatch(current, patch);
      writeJob.run(next.state, next.tag, next.timeCreated, JSON.stringify(next), id);
      return next;
    }),

    deleteJob: db.transaction((id: string): boolean => {
      deleteResults.run(id);
      return deleteJobRow.run(id).changes > 0;
    }),

    // Items are serialised one at a time (a long video's results need not be in memory as text at once).
    replaceResults: db.transaction((jobId: string, items: Iterable<ResultItem>): void => {
      deleteResults.run(jobId);
      let seq = 0;
      for (const item of items) insertResult.run(jobId, seq++, JSON.stringify(item));
    }),
  };
}

function parseJson<T>(row: JsonRow): T {
  return JSON.parse(row.json) as T;
}

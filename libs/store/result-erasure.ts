// Erasure in stored job results (issue 12, part 3): results keep a thumbnail of each face and the
// name it was given, so erasing a person must reach past jobs too. A result that shows the person
// loses its thumbnail, name and indexed id (its boxes and times stay: they say nothing about who);
// a result of someone else that lists the person among its nearest loses that entry; summary labels
// with the name become "Unknown". Works on any JobStore (read, rewrite, put back), so both stores
// behave the same.
import type { JobRecord, ResultItem, SourceSummary } from '../jobs/types.js';
import type { JobStore } from './job-store.js';

/** Who to erase from stored results. */
export interface ResultErasure {
  /** A gallery person: their name, in jobs matched against their model (`params.modelIds`). */
  person?: { name: string; modelId: string };
  /** Indexed identities (index_unknowns): results carrying one of these ids. */
  indexedIds?: readonly string[];
  /** Results known to show the person, by job id (an indexed identity's appearances). */
  resultIds?: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface ErasedResults {
  /** Jobs whose results or summary changed. */
  jobs: number;
  /** Results that showed the person (thumbnail, name and indexed id blanked). */
  blanked: number;
  /** Results of other people that named the person among their nearest (entry removed). */
  mentions: number;
}

/** Jobs read per page while looking for the person. */
const JOB_PAGE = 200;
/** Results read per page. */
const RESULT_PAGE = 1000;

/** Whether the job may hold results of the person at all (read only those). */
export function concerns(job: JobRecord, erasure: ResultErasure): boolean {
  if (erasure.person && job.params.modelIds.includes(erasure.person.modelId)) return true;
  if (erasure.indexedIds?.length && job.params.index_unknowns) return true;
  return erasure.resultIds?.has(job.id) ?? false;
}

/** The item with the person erased, and what was done ('shows': it was them; 'mentions': it listed them). */
export function eraseFromItem(jobId: string, item: ResultItem, erasure: ResultErasure): { item: ResultItem; change: 'shows' | 'mentions' | null } {
  const name = erasure.person?.name;
  const shows =
    (name !== undefined && item.meta.person === name) ||
    (item.meta.indexed_identity !== null && (erasure.indexedIds ?? []).includes(item.meta.indexed_identity)) ||
    (erasure.resultIds?.get(jobId)?.has(item.id) ?? false);
  if (shows) {
    const meta = { ...item.meta, person: null, closest_person: null, indexed_identity: null };
    if (item.meta.closest_k_persons) meta.closest_k_persons = [];
    return { item: { ...item, meta, thumbnail: { image: '', meta: {} } }, change: 'shows' };
  }
  if (name === undefined) return { item, change: null };
  const inK = item.meta.closest_k_persons?.some((c) => c.person === name) ?? false;
  if (item.meta.closest_person !== name && !inK) return { item, change: null };
  const meta = { ...item.meta, closest_person: item.meta.closest_person === name ? null : item.meta.closest_person };
  if (item.meta.closest_k_persons) meta.closest_k_persons = item.meta.closest_k_persons.filter((c) => c.person !== name);
  return { item: { ...item, meta }, change: 'mentions' };
}

/** The summary with labels that are the name turned into "Unknown" (each label once per source). */
export function eraseFromSummary(summary: SourceSummary[], name: string): SourceSummary[] {
  return summary.map((source) => {
    const seen = new Set<string>();
    const items = source.items.flatMap((item) => {
      const label = item.label === name ? 'Unknown' : item.label;
      if (seen.has(label)) return [];
      seen.add(label);
      return [{ ...item, label }];
    });
    return { ...source, items };
  });
}

/** Erases the person from one job's stored results and summary. */
export async function eraseFromJob(jobs: JobStore, job: JobRecord, erasure: ResultErasure): Promise<ErasedResults> {
  const items: ResultItem[] = [];
  for (let offset = 0; ; offset += RESULT_PAGE) {
    const page = await jobs.getResults(job.id, { limit: RESULT_PAGE, offset });
    items.push(...page.items);
    if (page.items.length < RESULT_PAGE || items.length >= page.total) break;
  }
  let blanked = 0;
  let mentions = 0;
  const erased = items.map((item) => {
    const out = eraseFromItem(job.id, item, erasure);
    if (out.change === 'shows') blanked++;
    if (out.change === 'mentions') mentions++;
    return out.item;
  });
  if (blanked + mentions > 0) await jobs.putResults(job.id, erased);
  let summaryChanged = false;
  const name = erasure.person?.name;
  if (name !== undefined && job.summary?.some((s) => s.items.some((i) => i.label === name))) {
    await jobs.update(job.id, { summary: eraseFromSummary(job.summary, name) });
    summaryChanged = true;
  }
  return { jobs: blanked + mentions > 0 || summaryChanged ? 1 : 0, blanked, mentions };
}

/** Erases the person from the stored results of every job that may hold them. */
export async function eraseFromResults(jobs: JobStore, erasure: ResultErasure): Promise<ErasedResults> {
  const total: ErasedResults = { jobs: 0, blanked: 0, mentions: 0 };
  const concerned: JobRecord[] = [];
  // Collected first: rewriting results while paging could shift the pages.
  for (let offset = 0; ; offset += JOB_PAGE) {
    const page = await jobs.list({ limit: JOB_PAGE, offset });
    concerned.push(...page.items.filter((job) => concerns(job, erasure)));
    if (page.items.length < JOB_PAGE || offset + JOB_PAGE >= page.total) break;
  }
  for (const job of concerned) {
    const done = await eraseFromJob(jobs, job, erasure);
    total.jobs += done.jobs;
    total.blanked += done.blanked;
    total.mentions += done.mentions;
  }
  return total;
}

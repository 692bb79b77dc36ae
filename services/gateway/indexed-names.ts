// Names given in the identity index show in results, past ones included (SPEC §3): stored results
// keep meta.indexed_identity, and the gateway resolves it to the current name when it answers.
import { unary, type MatcherClient } from '../../libs/grpc/grpc.js';
import type { ResolveIndexedReply__Output } from '../../libs/grpc/generated/facerec/v1/ResolveIndexedReply.js';
import type { ResolveIndexedRequest } from '../../libs/grpc/generated/facerec/v1/ResolveIndexedRequest.js';
import type { JobRecord, ResultItem, SourceSummary } from '../../libs/jobs/types.js';
import type { Logger } from '../../libs/log/logger.js';
import type { JobStore } from '../../libs/store/job-store.js';

/** Results read per page when relabelling a job's summary. */
const SUMMARY_SCAN_PAGE = 1000;
const RESOLVE_DEADLINE_MS = 10_000;

/**
 * Indexed id → name, for the named ones among `ids` (one ResolveIndexed call). When the matcher
 * cannot answer, results are shown as stored (logged), rather than failing the read.
 */
export async function indexedNames(matcher: MatcherClient, ids: readonly string[], log: Logger): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  try {
    const reply = await unary<ResolveIndexedRequest, ResolveIndexedReply__Output>(matcher, matcher.ResolveIndexed, { ids: unique }, { deadline: Date.now() + RESOLVE_DEADLINE_MS });
    return new Map(reply.resolved.filter((r) => r.name !== '').map((r) => [r.id, r.name]));
  } catch (err) {
    log.warn({ err }, 'could not resolve indexed identities: results shown as stored');
    return new Map();
  }
}

/** The items with meta.person set to the name of their named indexed identity. */
export async function withIndexedNames(matcher: MatcherClient, items: readonly ResultItem[], log: Logger): Promise<ResultItem[]> {
  const names = await indexedNames(matcher, items.flatMap((i) => (i.meta.indexed_identity ? [i.meta.indexed_identity] : [])), log);
  if (names.size === 0) return [...items];
  return items.map((item) => {
    const name = item.meta.indexed_identity ? names.get(item.meta.indexed_identity) : undefined;
    return name === undefined ? item : { ...item, meta: { ...item.meta, person: name } };
  });
}

/**
 * The job's summary with the labels of named indexed persons replaced by their names. Only jobs
 * with index_unknowns have indexed persons; their results are read to learn which label of a
 * source stands for which indexed identity.
 */
export async function summaryWithIndexedNames(matcher: MatcherClient, jobs: JobStore, job: JobRecord, log: Logger): Promise<SourceSummary[] | null> {
  if (!job.summary || !job.params.index_unknowns) return job.summary;
  /** `${source}\0${label}` → indexed ids seen under that label. */
  const byLabel = new Map<string, Set<string>>();
  for (let offset = 0; ; offset += SUMMARY_SCAN_PAGE) {
    const page = await jobs.getResults(job.id, { limit: SUMMARY_SCAN_PAGE, offset });
    for (const item of page.items) {
      if (!item.meta.indexed_identity) continue;
      const key = `${item.source}\u0000${item.meta.person ?? 'Unknown'}`;
      const set = byLabel.get(key) ?? new Set<string>();
      set.add(item.meta.indexed_identity);
      byLabel.set(key, set);
    }
    if (page.items.length < SUMMARY_SCAN_PAGE || offset + SUMMARY_SCAN_PAGE >= page.total) break;
  }
  const names = await indexedNames(matcher, [...byLabel.values()].flatMap((s) => [...s]), log);
  if (names.size === 0) return job.summary;
  return job.summary.map((source) => {
    const labels: string[] = [];
    for (const item of source.items) {
      const ids = [...(byLabel.get(`${source.source}\u0000${item.label}`) ?? [])];
      const named = new Set(ids.map((id) => names.get(id)));
      // Relabelled only when every indexed person under the label now has the same name.
      const name = ids.length > 0 && named.size === 1 ? [...named][0] : undefined;
      labels.push(name ?? item.label);
    }
    const seen = new Set<string>();
    return {
      ...source,
      items: source.items.flatMap((item, i) => {
        const label = labels[i]!;
        if (seen.has(label)) return [];
        seen.add(label);
        return [{ ...item, label }];
      }),
    };
  });
}

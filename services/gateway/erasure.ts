// Erasing a person (issue 12, part 3; face data is personal data): a gallery person, an indexed
// unknown person, or whoever a photo shows. Each removes what the matcher holds (vectors, samples,
// crops, thumbnails, appearances), blanks the person in stored job results (thumbnails, names and
// indexed ids; boxes and times stay) and leaves one audit record, without the name (the record
// outlives the person's data).
import { unary, type MatcherClient } from '../../libs/grpc/grpc.js';
import type { Identity__Output } from '../../libs/grpc/generated/facerec/v1/Identity.js';
import type { IdentityRef } from '../../libs/grpc/generated/facerec/v1/IdentityRef.js';
import type { IndexedIdentity__Output } from '../../libs/grpc/generated/facerec/v1/IndexedIdentity.js';
import type { IndexedRef } from '../../libs/grpc/generated/facerec/v1/IndexedRef.js';
import type { ListIndexedReply__Output } from '../../libs/grpc/generated/facerec/v1/ListIndexedReply.js';
import type { ListIndexedRequest } from '../../libs/grpc/generated/facerec/v1/ListIndexedRequest.js';
import type { AuditLog } from '../../libs/store/audit-log.js';
import type { JobStore } from '../../libs/store/job-store.js';
import { eraseFromResults, type ErasedResults } from '../../libs/store/result-erasure.js';

export interface ErasureDeps {
  matcher: MatcherClient;
  jobs: JobStore;
  audit: AuditLog;
}

/** What an erasure removed (answered to the caller, and the audit record's details). */
export interface ErasureReport {
  /** Gallery identities removed, with their sample (vector + crop) counts. */
  gallery: { model_id: string; identity_id: string; samples: number }[];
  /** Indexed identities removed, with their sample and appearance counts. */
  indexed: { id: string; samples: number; appearances: number }[];
  /** Stored job results: jobs changed, results blanked (they showed the person), mentions removed (nearest-person lists of others). */
  results: ErasedResults;
  /** The audit record's id. */
  audit_id?: string;
}

const INDEX_PAGE = 500;

export function emptyReport(): ErasureReport {
  return { gallery: [], indexed: [], results: { jobs: 0, blanked: 0, mentions: 0 } };
}

function addResults(report: ErasureReport, r: ErasedResults): void {
  report.results.jobs += r.jobs;
  report.results.blanked += r.blanked;
  report.results.mentions += r.mentions;
}

/** Removes an indexed identity from the index and from stored results (no audit record). */
export async function eraseIndexedIdentity(deps: ErasureDeps, id: string, report: ErasureReport): Promise<void> {
  const before = await unary<IndexedRef, IndexedIdentity__Output>(deps.matcher, deps.matcher.DeleteIndexed, { id });
  report.indexed.push({ id: before.id, samples: before.sampleCount, appearances: before.appearanceCount });
  const resultIds = new Map<string, Set<string>>();
  for (const a of before.appearances) {
    const set = resultIds.get(a.jobId) ?? new Set<string>();
    for (const r of a.resultIds) set.add(r);
    resultIds.set(a.jobId, set);
  }
  addResults(report, await eraseFromResults(deps.jobs, { indexedIds: [id], resultIds }));
}

/** The indexed identities that were named into this gallery identity (their past results show its name). */
async function indexedNamedInto(matcher: MatcherClient, identityId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += INDEX_PAGE) {
    const page = await unary<ListIndexedRequest, ListIndexedReply__Output>(matcher, matcher.ListIndexed, { limit: INDEX_PAGE, offset, named: 'NAMED_FILTER_NAMED' });
    ids.push(...page.identities.filter((i) => i.identityId === identityId).map((i) => i.id));
    if (page.identities.length < INDEX_PAGE || offset + INDEX_PAGE >= page.total) break;
  }
  return ids;
}

/**
 * Removes a gallery person: their samples (vectors, crops) from the matcher, the indexed identities
 * named into them, and their name and thumbnails from the stored results of jobs matched against
 * their model (no audit record).
 */
export async function eraseGalleryIdentity(deps: ErasureDeps, ref: { model: string; identityId: string }, report: ErasureReport): Promise<void> {
  const before = await unary<IdentityRef, Identity__Output>(deps.matcher, deps.matcher.GetIdentity, ref);
  const indexed = await indexedNamedInto(deps.matcher, before.id);
  await unary(deps.matcher, deps.matcher.DeleteIdentity, { model: before.modelId, identityId: before.id });
  report.gallery.push({ model_id: before.modelId, identity_id: before.id, samples: before.sampleCount });
  for (const id of indexed) await eraseIndexedIdentity(deps, id, report);
  addResults(report, await eraseFromResults(deps.jobs, { person: { name: before.name, modelId: before.modelId } }));
}

/** Appends the audit record of an erasure (no name in it) and notes its id in the report. */
export async function auditErasure(deps: ErasureDeps, actor: string, action: string, target: string, report: ErasureReport, extra: Record<string, unknown> = {}): Promise<void> {
  const { audit_id: _, ...details } = report;
  const record = await deps.audit.append({ actor, action, target, details: { ...extra, ...details } });
  report.audit_id = record.id;
}

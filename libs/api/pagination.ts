// `limit`/`offset` of list routes and the next/prev links of SPEC §2's envelope.
import { invalid } from './errors.js';
import { describeValue } from './fields.js';

/** The list routes' limits (SPEC §2 shows 10 per page). */
export const PAGE_LIMITS = { defaultLimit: 10, maxLimit: 1000 } as const;

export interface Page {
  limit: number;
  offset: number;
}

export interface PageLinks {
  next: string | null;
  prev: string | null;
}

/**
 * Reads `limit` (1..maxLimit, default defaultLimit) and `offset` (≥ 0, default 0) from a parsed
 * query string. Values must be plain decimal digits: "1e3", "-0", "10.0" and " 5" are refused.
 */
export function parsePage(
  query: Record<string, unknown>,
  opts: { defaultLimit: number; maxLimit: number } = PAGE_LIMITS,
): Page {
  return {
    limit: readCount(query, 'limit', 1, opts.maxLimit) ?? opts.defaultLimit,
    offset: readCount(query, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0,
  };
}

function readCount(query: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const raw = query[key];
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw invalid(key, 'must be given once');
  const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  const value = typeof raw === 'string' && /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) throw invalid(key, `must be ${range}, got ${describeValue(raw)}`);
  return value;
}

/**
 * Links to the neighbouring pages: `baseUrl` with `limit`, `offset` and `extraQuery` (e.g. the
 * list's filters) in its query. No `next` past the last item, no `prev` on the first page.
 */
export function pageLinks(
  baseUrl: string,
  extraQuery: Record<string, string>,
  page: Page & { total: number },
): PageLinks {
  const link = (offset: number) => {
    const url = new URL(baseUrl);
    url.searchParams.set('limit', String(page.limit));
    url.searchParams.set('offset', String(offset));
    for (const [key, value] of Object.entries(extraQuery)) url.searchParams.set(key, value);
    return url.toString();
  };
  return {
    next: page.offset + page.limit < page.total ? link(page.offset + page.limit) : null,
    prev: page.offset > 0 ? link(Math.max(0, page.offset - page.limit)) : null,
  };
}

import { describe, expect, it } from 'vitest';
import { PAGE_LIMITS, pageLinks, parsePage } from '../../libs/api/pagination.js';
import { apiErrorOf } from './helpers.js';

const opts = { defaultLimit: 10, maxLimit: 1000 };
const BASE = 'http://host:8080/api/v1/jobs/0f8e/detailed-results/';

describe('parsePage', () => {
  it('defaults to the first page', () => {
    expect(parsePage({}, opts)).toEqual({ limit: 10, offset: 0 });
    expect(parsePage({})).toEqual({ limit: PAGE_LIMITS.defaultLimit, offset: 0 });
  });

  it('reads decimal limit and offset', () => {
    expect(parsePage({ limit: '25', offset: '50' }, opts)).toEqual({ limit: 25, offset: 50 });
    expect(parsePage({ limit: '1', offset: '0' }, opts)).toEqual({ limit: 1, offset: 0 });
    expect(parsePage({ limit: '1000', offset: '123456789' }, opts)).toEqual({ limit: 1000, offset: 123456789 });
    expect(parsePage({ limit: '5', state: 'completed' }, opts)).toEqual({ limit: 5, offset: 0 });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['limit 0', { limit: '0' }, 'limit'],
    ['limit above the maximum', { limit: '1001' }, 'limit'],
    ['negative limit', { limit: '-1' }, 'limit'],
    ['limit in exponent form', { limit: '1e3' }, 'limit'],
    ['fractional limit', { limit: '10.0' }, 'limit'],
    ['empty limit', { limit: '' }, 'limit'],
    ['limit with a space', { limit: ' 5' }, 'limit'],
    ['hex limit', { limit: '0x10' }, 'limit'],
    ['non-numeric limit', { limit: 'ten' }, 'limit'],
    ['repeated limit', { limit: ['10', '20'] }, 'limit'],
    ['negative offset', { offset: '-10' }, 'offset'],
    ['"-0" offset', { offset: '-0' }, 'offset'],
    ['fractional offset', { offset: '2.5' }, 'offset'],
    ['offset beyond a safe integer', { offset: '99999999999999999' }, 'offset'],
    ['repeated offset', { offset: ['0', '10'] }, 'offset'],
    ['nested offset', { offset: { a: '1' } }, 'offset'],
  ])('refuses %s', (_what, query, field) => {
    const err = apiErrorOf(() => parsePage(query, opts));
    expect([err.status, err.field]).toEqual([400, field]);
  });

  it('says the accepted range', () => {
    expect(apiErrorOf(() => parsePage({ limit: '1001' }, opts)).message).toBe('must be an integer from 1 to 1000, got "1001"');
  });
});

describe('pageLinks', () => {
  it('links the first page forward only (SPEC §2 example)', () => {
    expect(pageLinks(BASE, {}, { limit: 10, offset: 0, total: 28 })).toEqual({
      next: `${BASE}?limit=10&offset=10`,
      prev: null,
    });
  });

  it('links a middle page both ways', () => {
    expect(pageLinks(BASE, {}, { limit: 10, offset: 10, total: 28 })).toEqual({
      next: `${BASE}?limit=10&offset=20`,
      prev: `${BASE}?limit=10&offset=0`,
    });
  });

  it('links the last page back only', () => {
    expect(pageLinks(BASE, {}, { limit: 10, offset: 20, total: 28 })).toEqual({
      next: null,
      prev: `${BASE}?limit=10&offset=10`,
    });
    expect(pageLinks(BASE, {}, { limit: 10, offset: 20, total: 30 }).next).toBeNull();
  });

  it('never links before offset 0 and links back from past the end', () => {
    expect(pageLinks(BASE, {}, { limit: 10, offset: 5, total: 28 }).prev).toBe(`${BASE}?limit=10&offset=0`);
    expect(pageLinks(BASE, {}, { limit: 10, offset: 100, total: 28 })).toEqual({
      next: null,
      prev: `${BASE}?limit=10&offset=90`,
    });
  });

  it('has no links for an empty list', () => {
    expect(pageLinks(BASE, {}, { limit: 10, offset: 0, total: 0 })).toEqual({ next: null, prev: null });
  });

  it('carries the extra query, encoded', () => {
    const links = pageLinks('http://host/api/v1/jobs/', { state: 'completed', tag: 'news & sport' }, { limit: 2, offset: 2, total: 9 });
    expect(links.next).toBe('http://host/api/v1/jobs/?limit=2&offset=4&state=completed&tag=news+%26+sport');
    expect(new URL(links.prev ?? '').searchParams.get('tag')).toBe('news & sport');
  });
});

import { describe, expect, it } from 'vitest';
import { FACE_RECOGNITION_DEFAULTS, parseJobRequest } from '../../libs/api/validate-job.js';
import { apiErrorOf } from './helpers.js';

const URL_A = 'https://media.example.com/clip.mp4';
const STORED = 'storage://AbCdEf12_-xyz';
const opts = { maxSources: 5 };

type Body = Record<string, unknown>;
const job = (fr: unknown = {}, extra: Body = {}): Body => ({ sources: [URL_A], modules: { face_recognition: fr }, ...extra });
const withSources = (...sources: unknown[]): Body => job({}, { sources });

function fieldOf(body: unknown): string | null {
  const err = apiErrorOf(() => parseJobRequest(body, opts));
  expect(err.status).toBe(400);
  expect(err.code).toBe('invalid_request');
  return err.field;
}

describe('parseJobRequest: body', () => {
  it.each([
    ['null', null],
    ['an array', [job()]],
    ['a string', 'sources=x'],
    ['a number', 1],
  ])('refuses a body that is %s', (_what, body) => {
    expect(fieldOf(body)).toBeNull();
  });

  it('refuses unknown top-level keys', () => {
    expect(fieldOf(job({}, { source: [URL_A] }))).toBe('source');
  });

  it('takes callback_url: an absolute http(s) URL without credentials', () => {
    const opts = { maxSources: 10 };
    expect(parseJobRequest(job({}, { callback_url: 'https://x.example/hook?a=1' }), opts).callbackUrl).toBe('https://x.example/hook?a=1');
    expect(parseJobRequest(job({}, { callback_url: null }), opts).callbackUrl).toBeNull();
    expect(parseJobRequest(job({}), opts).callbackUrl).toBeNull();
    for (const bad of ['ftp://x.example/hook', '/relative', 'https://user:pw@x.example/', 42, `https://x.example/${'a'.repeat(3000)}`]) {
      expect(fieldOf(job({}, { callback_url: bad })), String(bad).slice(0, 40)).toBe('callback_url');
    }
  });
});

describe('parseJobRequest: sources', () => {
  it.each<[string, Body, string]>([
    ['missing', { modules: { face_recognition: {} } }, 'sources'],
    ['null', job({}, { sources: null }), 'sources'],
    ['a string, not an array', job({}, { sources: URL_A }), 'sources'],
    ['an object', job({}, { sources: { 0: URL_A } }), 'sources'],
    ['empty', job({}, { sources: [] }), 'sources'],
    ['more than maxSources', job({}, { sources: Array(6).fill(URL_A) }), 'sources'],
  ])('refuses sources %s', (_what, body, field) => {
    expect(fieldOf(body)).toBe(field);
  });

  it('accepts exactly maxSources, duplicates included', () => {
    const r = parseJobRequest(job({}, { sources: Array(5).fill(URL_A) }), opts);
    expect(r.sources).toEqual(Array(5).fill(URL_A));
  });

  it.each<[string, unknown]>([
    ['a number', 5],
    ['null', null],
    ['an object', { url: URL_A }],
    ['an array', [URL_A]],
    ['empty', ''],
    ['whitespace', '   '],
    ['file://', 'file:///etc/passwd'],
    ['ftp://', 'ftp://media.example.com/a.jpg'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:image/png;base64,iVBORw0KGgo='],
    ['a relative path', 'images/a.jpg'],
    ['an absolute path', '/var/data/a.jpg'],
    ['a bare host', 'media.example.com/a.jpg'],
    ['https: without slashes', 'https:media.example.com/a.jpg'],
    ['http: with an empty host', 'http:///a.jpg'],
    ['http:// alone', 'http://'],
    ['an unparsable URL', 'http://exa mple.com/a.jpg'],
    ['surrounded by spaces', ` ${URL_A}`],
    ['trailing newline', `${URL_A}\n`],
    ['a tab inside', 'https://media.exa\tmple.com/a.jpg'],
    ['storage:// with a path', 'storage://../x'],
    ['storage:// with slashes', 'storage://abcdefgh/ijk'],
    ['storage:// empty', 'storage://'],
    ['storage:// id too short', 'storage://abc'],
    ['storage:// id too long', `storage://${'a'.repeat(65)}`],
    ['STORAGE:// upper case', 'STORAGE://AbCdEf12'],
    ['too long', `https://media.example.com/${'a'.repeat(8200)}`],
  ])('refuses a source that is %s, naming its index', (_what, bad) => {
    expect(fieldOf(withSources(URL_A, STORED, bad))).toBe('sources[2]');
  });

  it('says what it expected and what came', () => {
    const err = apiErrorOf(() => parseJobRequest(withSources('file:///etc/passwd'), opts));
    expect(err.message).toBe('must be an http:// or https:// URL with a host, or storage://<id>, got "file:///etc/passwd"');
  });

  it.each([
    'http://media.example.com/a.jpg',
    'https://media.example.com:8443/v/clip.mp4?sig=abc&x=1#t=10',
    'HTTPS://Media.Example.com/a.jpg',
    'http://[2001:db8::1]:8080/a.jpg',
    'http://10.0.0.5/a.jpg', // refused or not at download time, by the operator's setting
    'https://user:pw@media.example.com/a.jpg',
    'storage://AbCdEf12',
    `storage://${'a'.repeat(64)}`,
  ])('accepts %s exactly as given', (source) => {
    expect(parseJobRequest(withSources(source), opts).sources).toEqual([source]);
  });
});

describe('parseJobRequest: tag', () => {
  it.each<[string, unknown]>([
    ['a number', 5],
    ['an array', ['a']],
    ['a boolean', true],
    ['longer than 1000 characters', 'x'.repeat(1001)],
  ])('refuses a tag that is %s', (_what, tag) => {
    expect(fieldOf(job({}, { tag }))).toBe('tag');
  });

  it('defaults to empty and keeps free text as is', () => {
    expect(parseJobRequest(job(), opts).tag).toBe('');
    expect(parseJobRequest(job({}, { tag: null }), opts).tag).toBe('');
    expect(parseJobRequest(job({}, { tag: ' news\n2021 ' }), opts).tag).toBe(' news\n2021 ');
    expect(parseJobRequest(job({}, { tag: 'x'.repeat(1000) }), opts).tag).toHaveLength(1000);
  });
});

describe('parseJobRequest: modules', () => {
  it.each<[string, unknown, string]>([
    ['missing', undefined, 'modules'],
    ['null', null, 'modules'],
    ['an array', [{ face_recognition: {} }], 'modules'],
    ['a string', 'face_recognition', 'modules'],
    ['without face_recognition', {}, 'modules.face_recognition'],
    ['with an unknown module', { face_recognition: {}, object_detection: {} }, 'modules.object_detection'],
    ['with face_recognition a string', { face_recognition: 'celebrities' }, 'modules.face_recognition'],
    ['with face_recognition an array', { face_recognition: [] }, 'modules.face_recognition'],
    ['with face_recognition true', { face_recognition: true }, 'modules.face_recognition'],
  ])('refuses modules %s', (_what, modules, field) => {
    const body: Body = { sources: [URL_A] };
    if (modules !== undefined) body.modules = modules;
    expect(fieldOf(body)).toBe(field);
  });
});

describe('parseJobRequest: face_recognition parameters', () => {
  const F = 'modules.face_recognition';
  it.each<[string, Body, string]>([
    ['an unknown key', { topk: 3 }, `${F}.topk`],
    ['a key in another case', { Model: 'celebrities' }, `${F}.Model`],
    ['model empty', { model: '' }, `${F}.model`],
    ['model whitespace', { model: '   ' }, `${F}.model`],
    ['model a number', { model: 5 }, `${F}.model`],
    ['model an array', { model: ['celebrities'] }, `${F}.model`],
    ['model over 200 characters', { model: 'm'.repeat(201) }, `${F}.model`],
    ['models a string', { models: 'celebrities' }, `${F}.models`],
    ['models empty', { models: [] }, `${F}.models`],
    ['models over 20', { models: Array.from({ length: 21 }, (_, i) => `m${i}`) }, `${F}.models`],
    ['models with an empty name', { models: ['celebrities', ''] }, `${F}.models[1]`],
    ['models with a number', { models: ['celebrities', 3] }, `${F}.models[1]`],
    ['models with null', { models: ['celebrities', null] }, `${F}.models[1]`],
    ['models with a repeat', { models: ['a', 'b', 'a'] }, `${F}.models[2]`],
    ['max_distance below 0', { max_distance: -0.1 }, `${F}.max_distance`],
    ['max_distance above 2', { max_distance: 2.01 }, `${F}.max_distance`],
    ['max_distance a string', { max_distance: '1.0' }, `${F}.max_distance`],
    ['max_distance a boolean', { max_distance: true }, `${F}.max_distance`],
    ['cluster_unknowns "true"', { cluster_unknowns: 'true' }, `${F}.cluster_unknowns`],
    ['cluster_unknowns 1', { cluster_unknowns: 1 }, `${F}.cluster_unknowns`],
    ['index_unknowns 0', { index_unknowns: 0 }, `${F}.index_unknowns`],
    ['index_unknowns "false"', { index_unknowns: 'false' }, `${F}.index_unknowns`],
    ['enable_top_k 1', { enable_top_k: 1 }, `${F}.enable_top_k`],
    ['face_detection_scale 99', { face_detection_scale: 99 }, `${F}.face_detection_scale`],
    ['face_detection_scale 2001', { face_detection_scale: 2001 }, `${F}.face_detection_scale`],
    ['face_detection_scale 600.5', { face_detection_scale: 600.5 }, `${F}.face_detection_scale`],
    ['face_detection_scale "600"', { face_detection_scale: '600' }, `${F}.face_detection_scale`],
    ['top_k 0', { top_k: 0 }, `${F}.top_k`],
    ['top_k 11', { top_k: 11 }, `${F}.top_k`],
    ['top_k 2.5', { top_k: 2.5 }, `${F}.top_k`],
    ['top_k "3"', { top_k: '3' }, `${F}.top_k`],
  ])('refuses %s', (_what, fr, field) => {
    expect(fieldOf(job(fr))).toBe(field);
  });

  it('never clamps, and says what it expected and what came', () => {
    const err = apiErrorOf(() => parseJobRequest(job({ top_k: 11 }), opts));
    expect(err.message).toBe('must be an integer from 1 to 10, got 11');
    expect(apiErrorOf(() => parseJobRequest(job({ cluster_unknowns: 'true' }), opts)).message).toBe(
      'must be a boolean (true or false), got "true"',
    );
    expect(apiErrorOf(() => parseJobRequest(job({ face_detection_scale: 600.5 }), opts)).message).toBe(
      'must be an integer from 100 to 2000, got 600.5',
    );
  });
});

describe('parseJobRequest: normalisation', () => {
  const defaults = {
    models: ['celebrities'],
    max_distance: 1.0,
    cluster_unknowns: false,
    index_unknowns: false,
    face_detection_scale: 600,
    enable_top_k: false,
    top_k: 3,
  };

  it('fills every default for an empty or null module', () => {
    for (const fr of [{}, null]) {
      const r = parseJobRequest(job(fr), opts);
      expect(r).toEqual({ sources: [URL_A], tag: '', callbackUrl: null, request: {}, params: defaults });
    }
    expect(FACE_RECOGNITION_DEFAULTS.model).toBe('celebrities');
  });

  it('treats null parameters as not given', () => {
    const r = parseJobRequest(job({ model: null, models: null, top_k: null, cluster_unknowns: null }), opts);
    expect(r.request).toEqual({});
    expect(r.params).toEqual(defaults);
  });

  it('uses model, or models over model', () => {
    expect(parseJobRequest(job({ model: 'news' }), opts).params.models).toEqual(['news']);
    const both = parseJobRequest(job({ model: 'news', models: ['staff', 'celebrities'] }), opts);
    expect(both.params.models).toEqual(['staff', 'celebrities']);
    expect(both.request).toEqual({ model: 'news', models: ['staff', 'celebrities'] });
  });

  it('makes index_unknowns imply cluster_unknowns, echoing the request as sent', () => {
    const r = parseJobRequest(job({ index_unknowns: true }), opts);
    expect(r.params.cluster_unknowns).toBe(true);
    expect(r.params.index_unknowns).toBe(true);
    expect(r.request).toEqual({ index_unknowns: true });
    const explicit = parseJobRequest(job({ index_unknowns: true, cluster_unknowns: false }), opts);
    expect(explicit.params.cluster_unknowns).toBe(true);
    expect(explicit.request.cluster_unknowns).toBe(false);
    expect(parseJobRequest(job({ cluster_unknowns: true }), opts).params.index_unknowns).toBe(false);
  });

  it('accepts the edges of every range', () => {
    const low = parseJobRequest(job({ max_distance: 0, face_detection_scale: 100, top_k: 1 }), opts).params;
    expect([low.max_distance, low.face_detection_scale, low.top_k]).toEqual([0, 100, 1]);
    const high = parseJobRequest(job({ max_distance: 2, face_detection_scale: 2000, top_k: 10 }), opts).params;
    expect([high.max_distance, high.face_detection_scale, high.top_k]).toEqual([2, 2000, 10]);
    expect(parseJobRequest(job({ models: Array.from({ length: 20 }, (_, i) => `m${i}`) }), opts).params.models).toHaveLength(20);
  });

  it('reads integral JSON numbers written with a fraction (600.0) as integers', () => {
    const body = JSON.parse(`{"sources":["${URL_A}"],"modules":{"face_recognition":{"face_detection_scale":600.0,"top_k":5.0}}}`);
    const r = parseJobRequest(body, opts);
    expect([r.params.face_detection_scale, r.params.top_k]).toEqual([600, 5]);
  });

  it('normalises a full request', () => {
    const fr = {
      model: 'celebrities',
      max_distance: 0.93,
      cluster_unknowns: true,
      index_unknowns: false,
      face_detection_scale: 1200,
      enable_top_k: true,
      top_k: 5,
    };
    const r = parseJobRequest(job(fr, { tag: 'evening news', sources: [URL_A, STORED, URL_A] }), opts);
    const { model, ...rest } = fr;
    expect(r).toStrictEqual({
      sources: [URL_A, STORED, URL_A],
      tag: 'evening news',
      callbackUrl: null,
      request: fr,
      params: { ...rest, models: [model] },
    });
  });
});

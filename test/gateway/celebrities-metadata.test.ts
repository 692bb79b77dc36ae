// What the celebrities artefact (format version 2) knows of each person reaches the REST API: the
// identity resource carries aliases, category, country and sources; `q` finds a person by an alias
// too; `category` and `country` filter the people (a bad value: 400 naming the field); the model
// info lists the sources with their licence. A tiny artefact made for the running embedder is
// loaded at start, as the shipped one is: no photo is needed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../libs/config/config.js';
import { embedderIdentity } from '../../libs/engine/embedder.js';
import { writeGalleryArtefact, type GalleryArtefactHeader } from '../../libs/gallery/artefact.js';
import { startEmbedded, type RunningProduct } from '../support/product.js';
import { documentedParameters, documentedStatuses, expectInvalid, send, unitVector } from './helpers.js';

const PEOPLE: GalleryArtefactHeader['people'] = [
  { name: 'Angela Merkel', vectors: 2, category: 'politics', country: 'DE', sources: ['lfw', 'cfp'] },
  { name: 'Leonardo DiCaprio', vectors: 1, aliases: ['Leonardo Dicaprio'], category: 'entertainment', country: 'US', sources: ['lfw', 'pins', 'cfp'] },
  { name: 'Kevin Costner', vectors: 1, aliases: ['Jevin Kostner'], category: 'entertainment', country: 'US', sources: ['lfw', 'cfp'] },
  { name: 'Jürgen Trittin', vectors: 1, aliases: ['Juergen Trittin'], category: 'politics', country: 'DE', sources: ['lfw', 'bundestag'] },
  { name: 'Joseph Biden', vectors: 1, aliases: ['Joe Biden'], category: 'politics', country: 'US', sources: ['lfw', 'congress', 'cfp'] },
  { name: 'Somebody Of LFW', vectors: 1, sources: ['lfw'] },
];
const SOURCES = [
  { id: 'lfw', title: 'LFW', licence: 'research data set', people: 5, photos: 9 },
  { id: 'bundestag', title: 'Bundestag members', licence: 'per photo: CC BY-SA or party press photos', people: 1, photos: 1 },
];

describe('celebrities metadata through REST (artefact format 2)', () => {
  let product: RunningProduct;
  let url: string;
  const find = async (query: string) => {
    const r = await send(url, 'GET', `/api/v1/models/celebrities/identities/?${query}`);
    expect(r.status, r.text).toBe(200);
    return { total: r.body.total as number, names: r.body.data.map((i: { name: string }) => i.name) as string[], data: r.body.data };
  };

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'facerec-celebrities-meta-'));
    const embedder = embedderIdentity(loadConfig({ FACEREC_DATA_DIR: dataDir }).engine.embedder);
    const artefact = join(dataDir, 'celebrities.fgal');
    const header: GalleryArtefactHeader = {
      format: 'facerec-gallery',
      version: 2,
      name: 'celebrities',
      embedder,
      source: { dataset: '6 public figures merged from LFW, Pins, CFP, US Congress, Bundestag (test)', people: PEOPLE.length, photos: 9, embedded: 9, noFace: 0 },
      perPerson: 10,
      quantisation: 'int8, one float32 scale per vector',
      built: new Date().toISOString(),
      people: PEOPLE,
      sources: SOURCES,
    };
    let n = 0;
    writeGalleryArtefact(artefact, header, PEOPLE.map((p) => Array.from({ length: p.vectors }, () => unitVector(embedder.dimension, ++n))));
    product = await startEmbedded({ dataDir, env: { FACEREC_CELEBRITIES: artefact } });
    url = product.url;
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('gives each identity its aliases, category, country and sources', async () => {
    const { data } = await find('q=dicaprio');
    expect(data).toEqual([
      { id: expect.any(String), model_id: expect.any(String), name: 'Leonardo DiCaprio', created: expect.any(String), sample_count: 1, aliases: ['Leonardo Dicaprio'], category: 'entertainment', country: 'US', sources: ['lfw', 'pins', 'cfp'] },
    ]);
    const one = await send(url, 'GET', `/api/v1/models/celebrities/identities/${data[0].id}/`);
    expect(one.body).toEqual(data[0]);
    // Not known: null, and no aliases.
    expect((await find('q=somebody')).data[0]).toMatchObject({ name: 'Somebody Of LFW', aliases: [], category: null, country: null, sources: ['lfw'] });
  });

  it('finds a person by any of their names', async () => {
    expect((await find('q=jevin')).names).toEqual(['Kevin Costner']);
    expect((await find('q=joe%20biden')).names).toEqual(['Joseph Biden']);
    expect((await find(`q=${encodeURIComponent('JÜRGEN')}`)).names).toEqual(['Jürgen Trittin']);
    expect((await find('q=juergen')).names).toEqual(['Jürgen Trittin']);
  });

  it('filters by category and country, with q and paging', async () => {
    expect(await find('category=politics&country=DE')).toMatchObject({ total: 2, names: ['Angela Merkel', 'Jürgen Trittin'] });
    expect(await find('category=politics')).toMatchObject({ total: 3, names: ['Angela Merkel', 'Joseph Biden', 'Jürgen Trittin'] });
    expect(await find('country=us')).toMatchObject({ total: 3, names: ['Joseph Biden', 'Kevin Costner', 'Leonardo DiCaprio'] });
    expect(await find('category=entertainment&q=kostner')).toMatchObject({ total: 1, names: ['Kevin Costner'] });
    expect(await find('category=sports')).toMatchObject({ total: 0, names: [] });
    expect(await find('category=politics&limit=1&offset=1')).toMatchObject({ total: 3, names: ['Joseph Biden'] });
  });

  it('refuses a bad category or country with 400 naming the field', async () => {
    const path = '/api/v1/models/celebrities/identities/';
    expectInvalid(await send(url, 'GET', `${path}?category=politician`), 'category');
    expectInvalid(await send(url, 'GET', `${path}?category=`), 'category');
    expectInvalid(await send(url, 'GET', `${path}?category=politics&category=sports`), 'category');
    expectInvalid(await send(url, 'GET', `${path}?country=Germany`), 'country');
    expectInvalid(await send(url, 'GET', `${path}?country=D1`), 'country');
    expect(documentedParameters('GET', '/api/v1/models/{model}/identities/')).toEqual(expect.arrayContaining(['q', 'category', 'country']));
    expect(documentedStatuses('GET', '/api/v1/models/{model}/identities/')).toContain('400');
  });

  it('tells where the people come from and under what licence, in the model info', async () => {
    const model = (await send(url, 'GET', '/api/v1/models/celebrities/')).body;
    expect(model).toMatchObject({ identity_count: 6, sample_count: 7, read_only: true, sources: SOURCES });
    expect(model.description).toContain('6 public figures merged from LFW, Pins, CFP, US Congress, Bundestag');
    expect((await send(url, 'GET', '/api/v1/models/')).body.data.find((m: { name: string }) => m.name === 'celebrities')).toEqual(model);
  });
});

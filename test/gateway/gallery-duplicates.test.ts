// A photo added twice to a person is stored once (issue: the curl steps, then `facerec models import`
// of the same folder, left obama with 4 samples from 2 photos): a face the person already holds —
// the same file, the same photo re-encoded, or a repeat within one request — is reported under
// `rejected` with the sample it repeats; another photo of the same person is still added.
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUPLICATE_DISTANCE } from '../../services/matcher/galleries.js';
import { startEmbedded, type RunningProduct } from '../support/product.js';
import { sharedDataFile } from '../support/shared-data.js';
import { filePart, send } from './helpers.js';

const galleryDir = sharedDataFile('faces/people/gallery');
const facesDir = galleryDir ? dirname(dirname(galleryDir)) : null;
const photo = (rel: string) => join(galleryDir!, rel);

function form(name: string, files: { path: string; bytes?: Buffer; filename?: string }[]): FormData {
  const f = new FormData();
  f.append('name', name);
  for (const file of files) f.append('images', filePart(file.bytes ?? readFileSync(file.path), 'image/jpeg'), file.filename ?? basename(file.path));
  return f;
}

interface Reply {
  identity: { id: string; sample_count: number };
  added: number;
  rejected: { image: string; message: string }[];
}

describe.skipIf(!galleryDir)('the same face added twice', () => {
  let product: RunningProduct;
  let url: string;

  beforeAll(async () => {
    product = await startEmbedded({ env: { FACEREC_IMPORT_ROOT: facesDir! } });
    url = product.url;
    const r = await send(url, 'POST', '/api/v1/models/', { json: { name: 'people' } });
    expect(r.status, r.text).toBe(201);
  });
  afterAll(async () => {
    await product?.stop();
  });

  const add = async (name: string, files: { path: string; bytes?: Buffer; filename?: string }[]) => {
    const r = await send(url, 'POST', '/api/v1/models/people/identities/', { form: form(name, files) });
    return { status: r.status, body: r.body as Reply, text: r.text };
  };

  it('adding the same photos again (as they are, or re-encoded) adds nothing: 200, each photo rejected with the sample it repeats', async () => {
    const first = await add('obama', [{ path: photo('obama/obama1.jpg') }, { path: photo('obama/obama2.jpg') }]);
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({ added: 2, rejected: [], identity: { sample_count: 2 } });

    const reencoded = await sharp(readFileSync(photo('obama/obama1.jpg'))).jpeg({ quality: 70 }).toBuffer();
    const again = await add('obama', [
      { path: photo('obama/obama1.jpg') },
      { path: photo('obama/obama2.jpg') },
      { path: photo('obama/obama1.jpg'), bytes: reencoded, filename: 'obama1-copy.jpg' },
    ]);
    expect(again.status, again.text).toBe(200);
    expect(again.body.added).toBe(0);
    expect(again.body.identity.sample_count).toBe(2);
    expect(again.body.rejected.map((r) => r.image)).toEqual(['obama1.jpg', 'obama2.jpg', 'obama1-copy.jpg']);
    expect(again.body.rejected[0]!.message).toMatch(/^the same face as obama1\.jpg: obama already holds it \(distance 0\.000 ≤ 0\.2\)$/);
    expect(again.body.rejected[1]!.message).toMatch(/^the same face as obama2\.jpg/);
    expect(again.body.rejected[2]!.message).toMatch(/^the same face as obama1\.jpg: obama already holds it \(distance 0\.1\d\d/);
  });

  it('the same photo twice in one request is stored once; another photo of the person is added', async () => {
    const r = await add('biden', [{ path: photo('biden/biden1.jpg') }, { path: photo('biden/biden1.jpg'), filename: 'biden1 (copy).jpg' }, { path: photo('biden/biden2.jpg') }]);
    expect(r.status, r.text).toBe(201);
    expect(r.body.added).toBe(2);
    expect(r.body.identity.sample_count).toBe(2);
    expect(r.body.rejected).toEqual([{ image: 'biden1 (copy).jpg', message: expect.stringMatching(/^the same face as biden1\.jpg: an earlier photo of this request is it/) }]);
    // A different photo of Obama (a probe, not in his gallery) is a new sample, not a duplicate.
    const other = await add('obama', [{ path: join(dirname(galleryDir!), 'probes', 'obama-720p.jpg') }]);
    expect(other.status, other.text).toBe(201);
    expect(other.body).toMatchObject({ added: 1, rejected: [], identity: { sample_count: 3 } });
  });

  it('importing the folder the photos came from adds only the people and photos not yet there', async () => {
    const r = await send(url, 'POST', '/api/v1/models/people/import-folder/', { json: { path: 'people/gallery' } });
    expect(r.status, r.text).toBe(201);
    const report = r.body as { added: number; identities: { name: string; sample_count: number }[]; rejected: { image: string; message: string }[] };
    const duplicates = report.rejected.filter((x) => x.message.startsWith('the same face as'));
    expect(duplicates.map((x) => basename(x.image)).sort()).toEqual(['biden1.jpg', 'biden2.jpg', 'obama1.jpg', 'obama2.jpg']);
    const counts = Object.fromEntries(report.identities.map((i) => [i.name, i.sample_count]));
    expect(counts.obama).toBe(3);
    expect(counts.biden).toBe(2);
    expect(DUPLICATE_DISTANCE).toBeLessThanOrEqual(0.2);
  });
});

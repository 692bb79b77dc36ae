import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../../libs/store/file-blob-store.js';
import { describeBlobStore } from './blob-store.contract.js';

async function countFiles(dir: string): Promise<number> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).length;
}

describeBlobStore('FileBlobStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'facerec-blobs-'));
  const dir = join(root, 'uploads');
  return {
    store: await FileBlobStore.open(dir),
    storedEntries: () => countFiles(dir),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe('FileBlobStore on disk', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'facerec-blobs-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps each blob as <id> and <id>.json, readable after reopening', async () => {
    const dir = join(root, 'uploads');
    const first = await FileBlobStore.open(dir);
    const meta = await first.put(Buffer.from('hello'), { contentType: 'text/plain' });
    await first.close();

    expect((await readdir(dir)).sort()).toEqual(['.partial', meta.id, `${meta.id}.json`].sort());
    const reopened = await FileBlobStore.open(dir);
    expect(await reopened.stat(meta.id)).toEqual(meta);
    expect((await reopened.read(meta.id))?.toString()).toBe('hello');
  });

  it('removes partial uploads left by a crash when opened', async () => {
    const dir = join(root, 'uploads');
    await mkdir(join(dir, '.partial'), { recursive: true });
    await writeFile(join(dir, '.partial', 'AAAAAAAAAAAAAAAAAAAAAA'), 'half an upload');
    await FileBlobStore.open(dir);
    expect(await readdir(join(dir, '.partial'))).toEqual([]);
  });

  it('never reads a file outside its directory', async () => {
    const dir = join(root, 'uploads');
    const store = await FileBlobStore.open(dir);
    await writeFile(join(root, 'secret'), 'do not serve');
    await writeFile(join(root, 'secret.json'), JSON.stringify({ id: 'secret', size: 12, contentType: 'text/plain', created: '' }));
    for (const id of ['../secret', '..%2fsecret', `${'../'.repeat(3)}secret`]) {
      expect(await store.stat(id)).toBeUndefined();
      expect(await store.read(id)).toBeUndefined();
      expect(await store.delete(id)).toBe(false);
    }
    expect(await countFiles(root)).toBe(2);
  });
});

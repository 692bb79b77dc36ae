import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseFolderImport,
  parseIdentityCreate,
  parseIdentityRename,
  parseModelCreate,
  parseModelImportQuery,
  resolveImportFolder,
} from '../../libs/api/validate-gallery.js';
import { apiErrorOf, apiErrorOfAsync } from './helpers.js';

const IMG = 'https://media.example.com/ann.jpg';

function fieldOf(fn: () => unknown): string | null {
  const err = apiErrorOf(fn);
  expect(err.status).toBe(400);
  return err.field;
}

describe('parseModelCreate', () => {
  it('accepts a name with an optional description', () => {
    expect(parseModelCreate({ name: 'Newsroom staff', description: 'Reporters, 2021' })).toEqual({
      name: 'Newsroom staff',
      description: 'Reporters, 2021',
    });
    expect(parseModelCreate({ name: 'staff' })).toEqual({ name: 'staff', description: '' });
    expect(parseModelCreate({ name: 'staff', description: null })).toEqual({ name: 'staff', description: '' });
    expect(parseModelCreate({ name: 'n'.repeat(200) }).name).toHaveLength(200);
    expect(parseModelCreate({ name: 'Ünïcödé 名前' }).name).toBe('Ünïcödé 名前');
  });

  it.each<[string, unknown, string | null]>([
    ['a body that is not an object', ['staff'], null],
    ['an unknown key', { name: 'staff', embedding: 'x' }, 'embedding'],
    ['no name', { description: 'x' }, 'name'],
    ['a null name', { name: null }, 'name'],
    ['a numeric name', { name: 42 }, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a whitespace name', { name: '  ' }, 'name'],
    ['a leading space', { name: ' staff' }, 'name'],
    ['a trailing space', { name: 'staff ' }, 'name'],
    ['a control character', { name: 'sta\nff' }, 'name'],
    ['a name over 200 characters', { name: 'n'.repeat(201) }, 'name'],
    ['a slash', { name: 'news/staff' }, 'name'],
    ['"."', { name: '.' }, 'name'],
    ['".."', { name: '..' }, 'name'],
    ['a UUID', { name: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' }, 'name'],
    ['an upper-case UUID', { name: '3F2504E0-4F89-11D3-9A0C-0305E82C3301' }, 'name'],
    ['a numeric description', { name: 'staff', description: 5 }, 'description'],
    ['a description over 2000 characters', { name: 'staff', description: 'd'.repeat(2001) }, 'description'],
  ])('refuses %s', (_what, body, field) => {
    expect(fieldOf(() => parseModelCreate(body))).toBe(field);
  });
});

describe('parseIdentityCreate', () => {
  it('accepts a name with image sources as given', () => {
    const images = [IMG, 'storage://AbCdEf12', IMG];
    expect(parseIdentityCreate({ name: 'Ann Example', images }, { multipart: false })).toEqual({ name: 'Ann Example', images });
  });

  it('lets multipart requests leave images to the uploaded files', () => {
    expect(parseIdentityCreate({ name: 'Ann' }, { multipart: true })).toEqual({ name: 'Ann', images: [] });
    expect(parseIdentityCreate({ name: 'Ann', images: [] }, { multipart: true })).toEqual({ name: 'Ann', images: [] });
    expect(parseIdentityCreate({ name: 'Ann', images: [IMG] }, { multipart: true }).images).toEqual([IMG]);
  });

  it('allows "/" and UUID-like identity names (identities are addressed by id)', () => {
    expect(parseIdentityCreate({ name: 'AC/DC', images: [IMG] }, { multipart: false }).name).toBe('AC/DC');
    const uuid = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    expect(parseIdentityRename({ name: uuid }).name).toBe(uuid);
  });

  it.each<[string, unknown, string | null]>([
    ['a body that is not an object', null, null],
    ['an unknown key', { name: 'Ann', images: [IMG], model: 'x' }, 'model'],
    ['no name', { images: [IMG] }, 'name'],
    ['an empty name', { name: '', images: [IMG] }, 'name'],
    ['a name with a trailing space', { name: 'Ann ', images: [IMG] }, 'name'],
    ['a name over 200 characters', { name: 'n'.repeat(201), images: [IMG] }, 'name'],
    ['no images', { name: 'Ann' }, 'images'],
    ['empty images', { name: 'Ann', images: [] }, 'images'],
    ['images a string', { name: 'Ann', images: IMG }, 'images'],
    ['over 100 images', { name: 'Ann', images: Array(101).fill(IMG) }, 'images'],
    ['a file:// image', { name: 'Ann', images: [IMG, 'file:///etc/passwd'] }, 'images[1]'],
    ['a non-string image', { name: 'Ann', images: [IMG, IMG, 7] }, 'images[2]'],
    ['a bad storage id', { name: 'Ann', images: ['storage://../x'] }, 'images[0]'],
  ])('refuses %s', (_what, body, field) => {
    expect(fieldOf(() => parseIdentityCreate(body, { multipart: false }))).toBe(field);
  });

  it('still checks images sent alongside multipart files', () => {
    expect(fieldOf(() => parseIdentityCreate({ name: 'Ann', images: ['ftp://x/y'] }, { multipart: true }))).toBe('images[0]');
    expect(fieldOf(() => parseIdentityCreate({ name: 'Ann', images: Array(101).fill(IMG) }, { multipart: true }))).toBe('images');
  });
});

describe('parseIdentityRename', () => {
  it('accepts a new name', () => {
    expect(parseIdentityRename({ name: 'Ann B. Example' })).toEqual({ name: 'Ann B. Example' });
  });

  it.each<[string, unknown, string | null]>([
    ['a string body', 'Ann', null],
    ['no name', {}, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a leading space', { name: ' Ann' }, 'name'],
    ['an unknown key', { name: 'Ann', model: 'staff' }, 'model'],
  ])('refuses %s', (_what, body, field) => {
    expect(fieldOf(() => parseIdentityRename(body))).toBe(field);
  });
});

describe('model import options', () => {
  it('parses {path} of a folder import', () => {
    expect(parseFolderImport({ path: 'lfw' })).toEqual({ path: 'lfw' });
    for (const body of [{}, { path: '' }, { path: 3 }, { path: 'a\u0000b' }]) {
      expect(fieldOf(() => parseFolderImport(body))).toBe('path');
    }
    expect(fieldOf(() => parseFolderImport({ path: 'lfw', recursive: true }))).toBe('recursive');
  });

  it('parses the name query of a file import', () => {
    expect(parseModelImportQuery({})).toEqual({ name: null });
    expect(parseModelImportQuery({ name: 'staff-copy' })).toEqual({ name: 'staff-copy' });
    expect(fieldOf(() => parseModelImportQuery({ name: ['a', 'b'] }))).toBe('name');
    expect(fieldOf(() => parseModelImportQuery({ name: 'a/b' }))).toBe('name');
    expect(fieldOf(() => parseModelImportQuery({ rename: 'x' }))).toBe('rename');
  });
});

describe('resolveImportFolder', () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'facerec-import-'));
    root = path.join(base, 'root');
    await mkdir(path.join(root, 'lfw', 'Ann_Example'), { recursive: true });
    await mkdir(path.join(base, 'outside'));
    await writeFile(path.join(root, 'notes.txt'), 'x');
    await symlink(path.join(base, 'outside'), path.join(root, 'escape'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('resolves folders inside the root, relative or absolute', async () => {
    expect(await resolveImportFolder(root, 'lfw')).toBe(path.join(root, 'lfw'));
    expect(await resolveImportFolder(root, path.join(root, 'lfw', 'Ann_Example'))).toBe(path.join(root, 'lfw', 'Ann_Example'));
    expect(await resolveImportFolder(root, '.')).toBe(root);
  });

  it.each([
    ['a path climbing out', '../outside'],
    ['an absolute path outside', '/etc'],
    ['a symlink leading out', 'escape'],
    ['a missing folder', 'nope'],
    ['a file', 'notes.txt'],
  ])('refuses %s', async (_what, requested) => {
    const err = await apiErrorOfAsync(() => resolveImportFolder(root, requested));
    expect([err.status, err.field]).toEqual([400, 'path']);
  });
});

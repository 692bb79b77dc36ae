// `facerec compare`: it says which face of each photo it compared (number, box, how it was chosen),
// and --face-a / --face-b choose another one, by the number `facerec detect` gives it or by a box.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../services/cli/args.js';
import { parseFaceChoice, pickFace } from '../../services/cli/detect.js';
import { sharedDataFile } from '../support/shared-data.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('choosing the face', () => {
  const faces = [
    { box: { x: 260, y: 78, w: 91, h: 126 }, name: 'big' },
    { box: { x: 80, y: 110, w: 75, h: 103 }, name: 'small' },
    { box: { x: 500, y: 20, w: 20, h: 25 }, name: 'tiny' },
  ];

  it('parses a number, a box, or nothing (the largest); refuses anything else', () => {
    expect(parseFaceChoice('face-a', undefined)).toEqual({ kind: 'largest' });
    expect(parseFaceChoice('face-a', '2')).toEqual({ kind: 'index', index: 2 });
    expect(parseFaceChoice('face-b', '80, 110,75,103')).toEqual({ kind: 'box', box: { x: 80, y: 110, w: 75, h: 103 } });
    for (const bad of ['-1', 'one', '1,2,3', '1,2,0,4', '']) expect(() => parseFaceChoice('face-a', bad), bad).toThrow(UsageError);
  });

  it('picks the largest by default, the n-th, or the face overlapping a box most; says so', () => {
    expect(pickFace(faces, { kind: 'largest' }, 'p.jpg')).toMatchObject({ index: 0, chosen: 'largest', face: { name: 'big' } });
    expect(pickFace(faces, { kind: 'index', index: 2 }, 'p.jpg')).toMatchObject({ index: 2, chosen: 'by number', face: { name: 'tiny' } });
    expect(pickFace(faces, { kind: 'box', box: { x: 70, y: 100, w: 90, h: 110 } }, 'p.jpg')).toMatchObject({ index: 1, chosen: 'by box' });
  });

  it('a number past the faces, a box over no face, or a photo without a face is an error naming the photo', () => {
    expect(() => pickFace(faces, { kind: 'index', index: 3 }, 'p.jpg')).toThrow(/p\.jpg has 3 faces \(0 to 2\): there is no face 3/);
    expect(() => pickFace(faces, { kind: 'box', box: { x: 0, y: 400, w: 10, h: 10 } }, 'p.jpg')).toThrow(/no face of p\.jpg overlaps/);
    expect(() => pickFace([], { kind: 'largest' }, 'p.jpg')).toThrow(/no face found in p\.jpg/);
  });
});

const couple = sharedDataFile('faces/people/probes/kit_with_rose.jpg');
const rose = sharedDataFile('faces/people/gallery/rose_leslie/rose_leslie1.jpg');

interface Used {
  index: number;
  of: number;
  chosen: string;
  box: { x: number; y: number; w: number; h: number };
}
function compare(...args: string[]) {
  const env = { ...process.env };
  delete env.LOG_LEVEL;
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/facerec.js'), 'compare', ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stderr: r.stderr, out: r.status === 0 ? (JSON.parse(r.stdout) as { face_a: Used; face_b: Used; same_person: boolean; distance: number }) : null };
}

describe.skipIf(!couple || !rose)('facerec compare on a photo of two people (Kit Harington and Rose Leslie)', () => {
  it('by default the largest face (Kit), reported with its number and box; --face-a 1 or its box compares Rose', () => {
    const largest = compare(couple!, rose!);
    expect(largest.status, largest.stderr).toBe(0);
    expect(largest.out!.face_a).toMatchObject({ index: 0, of: 2, chosen: 'largest' });
    expect(largest.out!.face_b).toMatchObject({ index: 0, of: 1, chosen: 'largest' });
    expect(largest.out!.same_person).toBe(false);

    const second = compare(couple!, rose!, '--face-a', '1');
    expect(second.out!.face_a).toMatchObject({ index: 1, of: 2, chosen: 'by number' });
    expect(second.out!.face_a.box.x).toBeLessThan(largest.out!.face_a.box.x); // Rose stands left of Kit
    expect(second.out!.same_person).toBe(true);
    expect(second.out!.distance).toBeLessThan(largest.out!.distance);

    const { x, y, w, h } = second.out!.face_a.box;
    const byBox = compare(couple!, rose!, '--face-a', [x, y, w, h].map(Math.round).join(','));
    expect(byBox.out!.face_a).toMatchObject({ index: 1, chosen: 'by box' });
    expect(byBox.out!.distance).toBe(second.out!.distance);
  });

  it('a face number the photo does not have: exit 2 with the count', () => {
    const r = compare(couple!, rose!, '--face-b', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/rose_leslie1\.jpg has 1 face \(0 to 0\): there is no face 1/);
  });
});

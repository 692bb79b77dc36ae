import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Box } from '../../libs/geometry/box.js';
import { averagePrecision, parseWiderGroundTruth, type Detection, type WiderFace } from '../../libs/eval/wider.js';
import { sharedDataFile } from '../support/shared-data.js';

const box = (x: number, y: number, w: number, h: number): Box => ({ x, y, w, h });
const face = (b: Box, invalid = false): WiderFace => ({ box: b, blur: 0, occlusion: 0, pose: 0, invalid });
const det = (b: Box, score: number): Detection => ({ box: b, score });

describe('parseWiderGroundTruth', () => {
  it('reads the 8-column layout, skipping zero-face placeholders', () => {
    const text = [
      '0--Parade/a.jpg',
      '2',
      '345 211 4 4 2 2 0 0',
      '331 126 3 3 0 1 1 1',
      '0--Parade/empty.jpg',
      '0',
      '0 0 0 0 0 0 0 0',
      '0--Parade/placeholder-under-count-1.jpg',
      '1',
      '0 0 0 0 0 0 0 0',
      '19--Couple/b.jpg',
      '1',
      '10 20 30 40 1 0 1 0',
      '',
    ].join('\n');
    const images = parseWiderGroundTruth(text);
    expect(images.map((i) => [i.file, i.faces.length])).toEqual([
      ['0--Parade/a.jpg', 2],
      ['0--Parade/empty.jpg', 0],
      ['0--Parade/placeholder-under-count-1.jpg', 0],
      ['19--Couple/b.jpg', 1],
    ]);
    expect(images[0]!.faces[0]).toEqual({ box: box(345, 211, 4, 4), blur: 2, occlusion: 2, pose: 0, invalid: false });
    expect(images[0]!.faces[1]).toEqual({ box: box(331, 126, 3, 3), blur: 0, occlusion: 1, pose: 1, invalid: true });
    expect(images[3]!.faces[0]).toEqual({ box: box(10, 20, 30, 40), blur: 1, occlusion: 0, pose: 1, invalid: false });
  });

  it('reads the official 10-column layout (x y w h blur expression illumination invalid occlusion pose)', () => {
    const text = 'x/1.jpg\n1\n78 221 7 8 2 0 0 0 1 0\nx/2.jpg\n0\n0 0 0 0 0 0 0 0 0 0\nx/3.jpg\n1\n5 6 7 8 0 1 1 1 2 1\n';
    const images = parseWiderGroundTruth(text);
    expect(images).toHaveLength(3);
    expect(images[0]!.faces[0]).toEqual({ box: box(78, 221, 7, 8), blur: 2, occlusion: 1, pose: 0, invalid: false });
    expect(images[1]!.faces).toEqual([]);
    expect(images[2]!.faces[0]).toEqual({ box: box(5, 6, 7, 8), blur: 0, occlusion: 2, pose: 1, invalid: true });
  });

  it('reports malformed input with its line number', () => {
    expect(() => parseWiderGroundTruth('a.jpg\nthree\n')).toThrow(/line 2: expected a face count/);
    expect(() => parseWiderGroundTruth('a.jpg\n1\n1 2 3\n')).toThrow(/line 3: expected 8 or 10 numbers/);
    expect(() => parseWiderGroundTruth('a.jpg\n2\n1 2 3 4 0 0 0 0\n')).toThrow(/ends inside the faces of a.jpg/);
    expect(() => parseWiderGroundTruth('1 2 3 4 0 0 0 0\n')).toThrow(/line 1: expected an image path/);
    expect(() => parseWiderGroundTruth('a.jpg\n')).toThrow(/expected a face count, got end of file/);
  });

  const groundTruth = sharedDataFile('wider-dev/ground_truth.txt');
  it.skipIf(groundTruth === null)('reads the real development ground truth', () => {
    const images = parseWiderGroundTruth(readFileSync(groundTruth!, 'utf8'));
    expect(images).toHaveLength(151);
    expect(images[0]!.file).toBe('0--Parade/0_Parade_marchingband_1_465.jpg');
    expect(images[0]!.faces).toHaveLength(126);
    expect(images[0]!.faces[1]).toEqual({ box: box(331, 126, 3, 3), blur: 0, occlusion: 0, pose: 0, invalid: true });
    // 4045 face lines, one of which is the all-zero placeholder of 0_Parade_Parade_0_275.jpg.
    expect(images.reduce((n, i) => n + i.faces.length, 0)).toBe(4044);
    expect(images.find((i) => i.file.endsWith('0_Parade_Parade_0_275.jpg'))!.faces).toEqual([]);
    const imagesDir = join(dirname(groundTruth!), 'images');
    for (const image of images.filter((_, i) => i % 10 === 0)) expect(existsSync(join(imagesDir, image.file))).toBe(true);
  });
});

describe('averagePrecision', () => {
  const gt = [face(box(0, 0, 20, 20)), face(box(50, 0, 20, 20)), face(box(100, 0, 40, 40))];

  it('is 1 for perfect detections', () => {
    const result = averagePrecision([{ gt, detections: gt.map((f, i) => det(f.box, 0.9 - i * 0.1)) }], {});
    expect(result).toEqual({ ap: 1, positives: 3 });
  });

  it('is 0.5 when half the faces are found, or when the best detection is a false positive', () => {
    const two = [face(box(0, 0, 20, 20)), face(box(50, 0, 20, 20))];
    expect(averagePrecision([{ gt: two, detections: [det(box(1, 1, 20, 20), 0.9)] }], {}).ap).toBe(0.5);
    const one = [face(box(0, 0, 20, 20))];
    const fpFirst = [det(box(300, 300, 20, 20), 0.9), det(box(0, 0, 20, 20), 0.8)];
    expect(averagePrecision([{ gt: one, detections: fpFirst }], {}).ap).toBe(0.5);
  });

  it('uses all-point interpolation of the precision envelope', () => {
    // Ranked TP, FP, TP, FP, TP over 3 faces: precision 1, 1/2, 2/3, 1/2, 3/5 at recall 1/3, 1/3, 2/3, 2/3, 1.
    // Envelope 1, 2/3, 3/5 on each recall third: AP = (1 + 2/3 + 3/5) / 3.
    const detections = [
      det(gt[0]!.box, 0.9),
      det(box(500, 500, 10, 10), 0.8),
      det(gt[1]!.box, 0.7),
      det(box(600, 500, 10, 10), 0.6),
      det(gt[2]!.box, 0.5),
    ];
    expect(averagePrecision([{ gt, detections }], {}).ap).toBeCloseTo((1 + 2 / 3 + 3 / 5) / 3, 12);
  });

  it('pools detections across images by score and counts duplicates as false positives', () => {
    const images = [
      { gt: [face(box(0, 0, 20, 20))], detections: [det(box(0, 0, 20, 20), 0.9), det(box(1, 0, 20, 20), 0.95)] },
      { gt: [face(box(0, 0, 20, 20))], detections: [] },
    ];
    // Image 1: the 0.95 detection takes the face, the 0.9 one is a duplicate. Recall 1/2 at precision 1.
    expect(averagePrecision(images, {})).toEqual({ ap: 0.5, positives: 2 });
  });

  it('requires IoU >= the threshold', () => {
    const one = [face(box(0, 0, 10, 10))];
    const shifted = [det(box(5, 0, 10, 10), 0.9)]; // IoU 50/150 = 1/3
    expect(averagePrecision([{ gt: one, detections: shifted }], {}).ap).toBe(0);
    expect(averagePrecision([{ gt: one, detections: shifted }], { iou: 0.3 }).ap).toBe(1);
  });

  it('ignores invalid and zero-size faces: neither positives nor false positives', () => {
    const faces = [face(box(0, 0, 20, 20)), face(box(50, 0, 20, 20), true), face(box(90, 0, 0, 5))];
    const detections = [det(box(50, 0, 20, 20), 0.99), det(box(0, 0, 20, 20), 0.5)];
    expect(averagePrecision([{ gt: faces, detections }], {})).toEqual({ ap: 1, positives: 1 });
  });

  it('prefers a scored face over an overlapping ignored one', () => {
    // The detection overlaps the ignored face more, but must still count for the valid one.
    const faces = [face(box(0, 0, 20, 20)), face(box(2, 0, 20, 20), true)];
    expect(averagePrecision([{ gt: faces, detections: [det(box(2, 0, 20, 20), 0.9)] }], {}).ap).toBe(1);
  });

  describe('height bands', () => {
    const small = face(box(0, 0, 20, 20));
    const large = face(box(100, 0, 80, 80));

    it('scores only faces inside [minHeight, maxHeight)', () => {
      const detections = [det(large.box, 0.9), det(small.box, 0.8)];
      // The large face is outside the band: its detection matches an ignored face, so is not a FP.
      expect(averagePrecision([{ gt: [small, large], detections }], { minHeight: 16, maxHeight: 32 })).toEqual({ ap: 1, positives: 1 });
      expect(averagePrecision([{ gt: [small, large], detections }], { minHeight: 64 })).toEqual({ ap: 1, positives: 1 });
      const edge = face(box(0, 0, 32, 32));
      expect(averagePrecision([{ gt: [edge], detections: [] }], { minHeight: 16, maxHeight: 32 }).positives).toBe(0);
      expect(averagePrecision([{ gt: [edge], detections: [] }], { minHeight: 32, maxHeight: 64 }).positives).toBe(1);
    });

    it('ignores unmatched detections far outside the band, counts those near it', () => {
      const unlabelledBig = det(box(300, 0, 70, 70), 0.95); // >= 2 x maxHeight 32: ignored
      const nearBand = det(box(400, 0, 40, 40), 0.9); // 40 < 64: counted FP
      const unlabelledTiny = det(box(500, 0, 7, 7), 0.85); // < minHeight/2 = 8: ignored
      const hit = det(small.box, 0.8);
      const opts = { minHeight: 16, maxHeight: 32 };
      expect(averagePrecision([{ gt: [small], detections: [unlabelledBig, unlabelledTiny, hit] }], opts).ap).toBe(1);
      expect(averagePrecision([{ gt: [small], detections: [nearBand, hit] }], opts).ap).toBe(0.5);
      // Without a band every unmatched detection counts.
      expect(averagePrecision([{ gt: [small], detections: [unlabelledBig, hit] }], {}).ap).toBe(0.5);
    });
  });

  it('is NaN with no scored faces', () => {
    const result = averagePrecision([{ gt: [face(box(0, 0, 5, 5), true)], detections: [det(box(0, 0, 5, 5), 1)] }], {});
    expect(result.ap).toBeNaN();
    expect(result.positives).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { applySimilarity, type Point } from '../../libs/geometry/similarity.js';
import { dlibChipTransform, dlibTemplate, squareCropTransform } from '../../libs/engine/alignment.js';

describe('dlib chip alignment', () => {
  it('places the template where dlib does: eyes in the upper third, nose below the centre, symmetric', () => {
    const [lo, li, ro, ri, nose] = dlibTemplate(150, 0.25) as [Point, Point, Point, Point, Point];
    // (padding + p) / (2 * padding + 1) * size, e.g. left-eye outer corner x = (0.25 + 0.8596) / 1.5 * 150.
    expect(lo[0]).toBeCloseTo(110.957, 2);
    expect(nose[1]).toBeCloseTo(87.78, 1);
    expect((lo[0] + ro[0]) / 2).toBeCloseTo(74, 0);
    expect((li[0] + ri[0]) / 2).toBeCloseTo(74, 0);
    expect(lo[1]).toBeLessThan(50);
  });

  it('maps a rotated, scaled, shifted copy of the template back onto it', () => {
    const template = dlibTemplate();
    const angle = 0.3;
    const k = 2.1;
    const face = template.map(([x, y]) => [k * (Math.cos(angle) * x - Math.sin(angle) * y) + 40, k * (Math.sin(angle) * x + Math.cos(angle) * y) + 17] as Point);
    const t = dlibChipTransform(face);
    face.forEach((p, i) => {
      const [x, y] = applySimilarity(t, p);
      expect(x).toBeCloseTo(template[i]![0], 6);
      expect(y).toBeCloseTo(template[i]![1], 6);
    });
  });

  it('square crops put the centre in the middle of the chip and level a rolled face', () => {
    const t = squareCropTransform([300, 200], 100, Math.PI / 6, 192);
    const [cx, cy] = applySimilarity(t, [300, 200]);
    expect(cx).toBeCloseTo(95.5, 9);
    expect(cy).toBeCloseTo(95.5, 9);
    // A point along the rolled eye line ends up on the chip's horizontal line.
    const along = applySimilarity(t, [300 + 40 * Math.cos(Math.PI / 6), 200 + 40 * Math.sin(Math.PI / 6)]);
    expect(along[1]).toBeCloseTo(95.5, 9);
    expect(along[0]).toBeCloseTo(95.5 + 40 * 1.92, 9);
  });
});

import { describe, expect, it } from 'vitest';
import {
  applySimilarity,
  composeSimilarity,
  estimateSimilarity,
  invertSimilarity,
  type Point,
  type Similarity,
} from '../../libs/geometry/similarity.js';

function fromAngleScale(angle: number, scale: number, tx: number, ty: number): Similarity {
  return { a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx, ty };
}

function expectSimilarityClose(actual: Similarity, expected: Similarity, digits = 9): void {
  expect(actual.a).toBeCloseTo(expected.a, digits);
  expect(actual.b).toBeCloseTo(expected.b, digits);
  expect(actual.tx).toBeCloseTo(expected.tx, digits);
  expect(actual.ty).toBeCloseTo(expected.ty, digits);
}

// ArcFace's 112x112 five-point template: a realistic, non-symmetric point set.
const template: Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

describe('applySimilarity', () => {
  it('follows x\' = a x - b y + tx, y\' = b x + a y + ty', () => {
    expect(applySimilarity({ a: 2, b: 3, tx: 5, ty: 7 }, [1, 1])).toEqual([2 - 3 + 5, 3 + 2 + 7]);
    const [x, y] = applySimilarity(fromAngleScale(Math.PI / 2, 1, 0, 0), [1, 0]); // +90°: x axis → y axis
    expect(x).toBeCloseTo(0, 12);
    expect(y).toBeCloseTo(1, 12);
  });
});

describe('estimateSimilarity', () => {
  it('recovers a known transform from exactly transformed points', () => {
    const truth = fromAngleScale(0.3, 2.5, -40, 17);
    const dst = template.map((p) => applySimilarity(truth, p));
    expectSimilarityClose(estimateSimilarity(template, dst), truth);
  });

  it('recovers it from two points, and handles a half-turn', () => {
    const truth = fromAngleScale(Math.PI, 0.5, 3, 4);
    const src: Point[] = [
      [0, 0],
      [10, 0],
    ];
    expectSimilarityClose(estimateSimilarity(src, src.map((p) => applySimilarity(truth, p))), truth);
  });

  it('gives the least-squares fit under noise (residual no worse than the truth)', () => {
    const truth = fromAngleScale(-0.4, 0.8, 10, 20);
    const noise = [
      [0.3, -0.2],
      [-0.1, 0.4],
      [0.2, 0.1],
      [-0.4, -0.3],
      [0.1, 0.2],
    ];
    const dst = template.map((p, i) => {
      const [x, y] = applySimilarity(truth, p);
      return [x + noise[i]![0]!, y + noise[i]![1]!] as Point;
    });
    const fit = estimateSimilarity(template, dst);
    const residual = (s: Similarity) =>
      template.reduce((sum, p, i) => {
        const [x, y] = applySimilarity(s, p);
        return sum + (x - dst[i]![0]) ** 2 + (y - dst[i]![1]) ** 2;
      }, 0);
    expect(residual(fit)).toBeLessThanOrEqual(residual(truth));
    // Any small perturbation of the fit is worse: it is a minimum.
    for (const key of ['a', 'b', 'tx', 'ty'] as const) {
      for (const delta of [1e-4, -1e-4]) expect(residual({ ...fit, [key]: fit[key] + delta })).toBeGreaterThan(residual(fit));
    }
    // Rotation and scale stay close to the truth (translation absorbs the noise times the lever arm).
    expect(fit.a).toBeCloseTo(truth.a, 1);
    expect(fit.b).toBeCloseTo(truth.b, 1);
  });

  it('never returns a reflection', () => {
    const mirrored = template.map(([x, y]) => [-x, y] as Point);
    const s = estimateSimilarity(template, mirrored);
    // A proper similarity has positive determinant a² + b²; the fit to a mirror image is just poor.
    expect(s.a * s.a + s.b * s.b).toBeGreaterThan(0);
    // For a symmetric set the best proper fit to its mirror image has zero scale: refused.
    const cross: Point[] = [
      [-1, 0],
      [1, 0],
      [0, 1],
      [0, -1],
    ];
    expect(() => estimateSimilarity(cross, cross.map(([x, y]) => [-x, y] as Point))).toThrow(/zero scale/);
  });

  it('throws on too few, mismatched, non-finite or coincident points', () => {
    expect(() => estimateSimilarity([[0, 0]], [[1, 1]])).toThrow(/at least 2/);
    expect(() => estimateSimilarity(template, template.slice(1))).toThrow(/destination points/);
    expect(() => estimateSimilarity([[0, 0], [NaN, 1]], [[0, 0], [1, 1]])).toThrow(/finite/);
    expect(() => estimateSimilarity([[5, 5], [5, 5], [5, 5]], template.slice(0, 3))).toThrow(/source points are/);
    expect(() => estimateSimilarity(template, template.map(() => [1, 2] as Point))).toThrow(/destination points are/);
  });
});

describe('invertSimilarity / composeSimilarity', () => {
  const s = fromAngleScale(1.1, 3, 7, -2);
  const t = fromAngleScale(-0.5, 0.25, -1, 9);

  it('inverts: s⁻¹(s(p)) = p', () => {
    const inv = invertSimilarity(s);
    for (const p of template) {
      const [x, y] = applySimilarity(inv, applySimilarity(s, p));
      expect(x).toBeCloseTo(p[0], 10);
      expect(y).toBeCloseTo(p[1], 10);
    }
    expectSimilarityClose(composeSimilarity(s, inv), { a: 1, b: 0, tx: 0, ty: 0 }, 12);
    expect(() => invertSimilarity({ a: 0, b: 0, tx: 1, ty: 1 })).toThrow();
  });

  it('composes in order: first, then', () => {
    const both = composeSimilarity(s, t);
    for (const p of template) {
      const expected = applySimilarity(t, applySimilarity(s, p));
      const actual = applySimilarity(both, p);
      expect(actual[0]).toBeCloseTo(expected[0], 10);
      expect(actual[1]).toBeCloseTo(expected[1], 10);
    }
    // Order matters for transforms with translation.
    expect(composeSimilarity(t, s)).not.toEqual(both);
  });
});

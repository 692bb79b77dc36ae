import { describe, expect, it } from 'vitest';
import {
  accuracyAt,
  bestThreshold,
  crossValidate,
  falseAcceptRate,
  meanStd,
  rocAuc,
  tarAtFar,
  type ScoredPair,
} from '../../libs/eval/metrics.js';

const pair = (score: number | null, same: boolean, fold = 1): ScoredPair => ({ score, same, fold });

describe('accuracyAt', () => {
  it('accepts score <= threshold as same and counts missing scores as errors', () => {
    const pairs = [pair(0.2, true), pair(0.5, true), pair(0.5, false), pair(0.9, false), pair(null, true), pair(null, false)];
    expect(accuracyAt(pairs, 0.5)).toBeCloseTo(3 / 6, 12); // 0.2 ✓, 0.5 same ✓, 0.5 diff ✗, 0.9 ✓, nulls ✗
    expect(accuracyAt(pairs, 0.49)).toBeCloseTo(3 / 6, 12); // 0.2 ✓, 0.5 same ✗, 0.5 diff ✓, 0.9 ✓
    expect(accuracyAt(pairs, 0)).toBeCloseTo(2 / 6, 12);
    expect(accuracyAt([], 1)).toBeNaN();
  });
});

describe('bestThreshold', () => {
  it('picks the midpoint of the gap on separable data', () => {
    const pairs = [pair(0.1, true), pair(0.3, true), pair(0.7, false), pair(0.9, false)];
    expect(bestThreshold(pairs)).toEqual({ threshold: 0.5, accuracy: 1 });
  });

  it('finds the best of overlapping classes, lowest threshold on ties', () => {
    // Sorted: 0.1 S, 0.2 D, 0.3 S, 0.4 S, 0.5 D, 0.6 D.
    const pairs = [pair(0.4, true), pair(0.1, true), pair(0.2, false), pair(0.3, true), pair(0.5, false), pair(0.6, false)];
    const { threshold, accuracy } = bestThreshold(pairs);
    expect(threshold).toBeCloseTo(0.45, 12); // accepts 0.1..0.4: 5 of 6 correct
    expect(accuracy).toBeCloseTo(5 / 6, 12);
    expect(accuracyAt(pairs, threshold)).toBeCloseTo(accuracy, 12);
  });

  it('can reject all or accept all, and counts nulls as errors', () => {
    const allSame = bestThreshold([pair(0.2, true), pair(0.4, true), pair(null, true)]);
    expect(allSame.threshold).toBeGreaterThan(0.4);
    expect(allSame.accuracy).toBeCloseTo(2 / 3, 12);
    const allDifferent = bestThreshold([pair(0.2, false), pair(0.4, false)]);
    expect(allDifferent.threshold).toBeLessThan(0.2);
    expect(allDifferent.accuracy).toBe(1);
    const tied = bestThreshold([pair(0.3, true), pair(0.3, true)]);
    expect(tied.accuracy).toBe(1);
    expect(tied.threshold).toBeGreaterThan(0.3);
  });

  it('agrees with a brute-force search on random data', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pairs = Array.from({ length: 300 }, () => {
      const same = random() < 0.5;
      return pair(Math.round((same ? 0.6 : 1.0) * 100 + (random() - 0.5) * 80) / 100, same);
    });
    const { accuracy } = bestThreshold(pairs);
    const scores = [...new Set(pairs.map((p) => p.score!))];
    const bruteForce = Math.max(...scores.map((s) => accuracyAt(pairs, s)), accuracyAt(pairs, -Infinity));
    expect(accuracy).toBeCloseTo(bruteForce, 12);
  });
});

describe('crossValidate', () => {
  it('is perfect on separable data, with one threshold per fold', () => {
    const pairs: ScoredPair[] = [];
    for (let fold = 1; fold <= 10; fold++) {
      for (let k = 0; k < 5; k++) {
        pairs.push(pair(0.1 + 0.05 * k + 0.001 * fold, true, fold));
        pairs.push(pair(1.1 + 0.05 * k + 0.001 * fold, false, fold));
      }
    }
    const cv = crossValidate(pairs);
    expect(cv.perFold).toEqual(new Array(10).fill(1));
    expect(cv.thresholds).toHaveLength(10);
    for (const t of cv.thresholds) {
      expect(t).toBeGreaterThan(0.31);
      expect(t).toBeLessThan(1.1);
    }
    expect(cv.mean).toBe(1);
    expect(cv.std).toBe(0);
  });

  it('chooses each fold\'s threshold on the other folds only', () => {
    // Fold 2 alone would want a threshold near 5; folds 1 and 3 put it between 0.5 and 1.5.
    const pairs = [
      pair(0, true, 1), pair(1, false, 1),
      pair(4, true, 2), pair(6, false, 2),
      pair(0.2, true, 3), pair(1.5, false, 3),
    ];
    const cv = crossValidate(pairs);
    expect(cv.perFold[1]).toBe(0.5); // threshold from folds 1+3 rejects the same pair at 4
    expect(cv.thresholds[1]).toBeLessThan(1.5);
    expect(() => crossValidate([pair(0, true, 1)])).toThrow(/2 folds/);
  });
});

describe('rocAuc', () => {
  it('matches a hand-computed case with a tie', () => {
    // same: 0.1, 0.4, 0.35; different: 0.3, 0.35 (ties with a same pair), 0.8
    // Per different pair, same pairs below (+half tied): 0.3 → 1; 0.35 → 1 + 0.5; 0.8 → 3. AUC = 5.5 / 9.
    const pairs = [pair(0.1, true), pair(0.4, true), pair(0.35, true), pair(0.3, false), pair(0.35, false), pair(0.8, false), pair(null, false)];
    expect(rocAuc(pairs)).toBeCloseTo(5.5 / 9, 12);
  });

  it('is 1 for perfect separation, 0 for inverted, NaN with one class', () => {
    expect(rocAuc([pair(0.1, true), pair(0.9, false)])).toBe(1);
    expect(rocAuc([pair(0.9, true), pair(0.1, false)])).toBe(0);
    expect(rocAuc([pair(0.5, true), pair(0.5, false)])).toBe(0.5);
    expect(rocAuc([pair(0.1, true)])).toBeNaN();
  });
});

describe('tarAtFar / falseAcceptRate', () => {
  // 10 different pairs at 0.1..1.0 (with 0.5 twice), same pairs at 0.05, 0.3, 0.45, 0.6.
  const different = [0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.7, 0.8, 0.9, 1.0].map((s) => pair(s, false));
  const same = [0.05, 0.3, 0.45, 0.6].map((s) => pair(s, true));
  const pairs = [...different, ...same, pair(null, true), pair(null, false)];

  it('takes the most permissive threshold whose FAR stays within the limit', () => {
    expect(tarAtFar(pairs, 0)).toBe(0.25); // nothing at or above 0.1 accepted: only 0.05
    expect(tarAtFar(pairs, 0.1)).toBe(0.25); // 1 false accept allowed (0.1); 0.3 same would need 3
    expect(tarAtFar(pairs, 0.3)).toBe(0.5); // up to 3 false accepts: scores < 0.4
    expect(tarAtFar(pairs, 0.5)).toBe(0.75); // 5 allowed, but the 0.5 tie would make 6: scores < 0.5
    expect(tarAtFar(pairs, 0.6)).toBe(1); // 6 allowed: scores < 0.7
    expect(tarAtFar(pairs, 1)).toBe(1);
    expect(tarAtFar([pair(0.1, true)], 0.1)).toBeNaN();
  });

  it('measures the false-accept rate at a threshold, ignoring missing scores', () => {
    expect(falseAcceptRate(pairs, 0.5)).toBeCloseTo(0.6, 12);
    expect(falseAcceptRate(pairs, 0.05)).toBe(0);
    expect(falseAcceptRate(same, 1)).toBeNaN();
  });

  it('agrees with a brute-force search over thresholds', () => {
    const candidates = [-Infinity, ...pairs.filter((p) => p.score !== null).map((p) => p.score!)];
    const scoredSame = same.map((p) => p.score!);
    for (const far of [0, 0.1, 0.25, 0.3, 0.55, 0.75, 0.95]) {
      let best = 0;
      for (const t of candidates) {
        if (falseAcceptRate(pairs, t) > far) continue;
        best = Math.max(best, scoredSame.filter((s) => s <= t).length / scoredSame.length);
      }
      expect(tarAtFar(pairs, far)).toBe(best);
    }
  });
});

describe('meanStd', () => {
  it('uses the population standard deviation', () => {
    expect(meanStd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: 2 });
    expect(meanStd([3])).toEqual({ mean: 3, std: 0 });
    const empty = meanStd([]);
    expect(empty.mean).toBeNaN();
  });
});

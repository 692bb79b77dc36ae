import { describe, expect, it } from 'vitest';
import { sizeAdjustedMaxDistance } from '../../libs/engine/decision.js';

describe('naming threshold by gallery size', () => {
  it('keeps max_distance up to 1,000 identities and tightens it by 0.05 per tenfold growth beyond', () => {
    expect(sizeAdjustedMaxDistance(1, 0)).toBe(1);
    expect(sizeAdjustedMaxDistance(1, 6)).toBe(1);
    expect(sizeAdjustedMaxDistance(1, 1000)).toBe(1);
    expect(sizeAdjustedMaxDistance(1, 10_000)).toBeCloseTo(0.95, 12);
    expect(sizeAdjustedMaxDistance(1, 5749)).toBeCloseTo(0.962, 3);
    expect(sizeAdjustedMaxDistance(0.8, 100_000)).toBeCloseTo(0.7, 12);
    // Monotone: more identities never loosen it.
    let previous = Infinity;
    for (const n of [1, 999, 1001, 2000, 5749, 20_000, 1e6]) {
      const t = sizeAdjustedMaxDistance(1, n);
      expect(t).toBeLessThanOrEqual(previous);
      previous = t;
    }
  });
});

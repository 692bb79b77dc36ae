import { describe, expect, it } from 'vitest';
import { calibratedDistance, rawDistance, similarityOf } from '../../libs/engine/calibration.js';

describe('distance calibration', () => {
  const t = 0.55;

  it('puts the fitted threshold at exactly 1.0 and zero at zero', () => {
    expect(calibratedDistance(t, t)).toBeCloseTo(1, 12);
    expect(calibratedDistance(0, t)).toBe(0);
  });

  it('is strictly increasing and stays below 2', () => {
    let last = -1;
    for (let r = 0; r < 10; r += 0.01) {
      const d = calibratedDistance(r, t);
      expect(d).toBeGreaterThan(last);
      expect(d).toBeLessThan(2);
      last = d;
    }
  });

  it('inverts exactly, so a max_distance becomes a raw threshold', () => {
    for (const d of [0, 0.3, 0.93, 1, 1.5, 1.99]) expect(calibratedDistance(rawDistance(d, t), t)).toBeCloseTo(d, 10);
    expect(rawDistance(2, t)).toBe(Infinity);
  });

  it('keeps the contract relation s = 1 - d²/2', () => {
    expect(similarityOf(0.93)).toBeCloseTo(0.5676, 4);
    expect(similarityOf(0)).toBe(1);
    expect(similarityOf(2)).toBe(-1);
  });
});

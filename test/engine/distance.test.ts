import { describe, expect, it } from 'vitest';
import { cosineDistance, euclidean } from '../../libs/engine/distance.js';
import { largestFace } from '../../libs/engine/engine.js';

describe('embedding distances', () => {
  it('computes Euclidean and cosine distances', () => {
    const a = Float32Array.from([3, 0]);
    const b = Float32Array.from([0, 4]);
    expect(euclidean(a, b)).toBe(5);
    expect(cosineDistance(a, b)).toBeCloseTo(1, 12);
    expect(cosineDistance(a, Float32Array.from([6, 0]))).toBeCloseTo(0, 12);
  });

  it('picks the face with the largest box', () => {
    const box = (w: number, h: number) => ({ box: { x: 0, y: 0, w, h } });
    const faces = [box(10, 10), box(30, 5), box(12, 12)];
    expect(largestFace(faces)).toBe(faces[1]);
    expect(largestFace([])).toBeUndefined();
  });
});

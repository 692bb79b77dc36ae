import { describe, expect, it } from 'vitest';
import { area, clipBox, iou, nms, scaleBox, weightedNms, type Box } from '../../libs/geometry/box.js';

const box = (x: number, y: number, w: number, h: number): Box => ({ x, y, w, h });

describe('area / iou', () => {
  it('computes known overlaps', () => {
    expect(area(box(1, 2, 3, 4))).toBe(12);
    expect(area(box(0, 0, -3, 4))).toBe(0);
    expect(iou(box(0, 0, 2, 2), box(0, 0, 2, 2))).toBe(1);
    expect(iou(box(0, 0, 2, 2), box(1, 0, 2, 2))).toBeCloseTo(2 / 6, 12);
    expect(iou(box(0, 0, 2, 2), box(1, 1, 2, 2))).toBeCloseTo(1 / 7, 12);
    expect(iou(box(0, 0, 4, 4), box(1, 1, 2, 2))).toBeCloseTo(4 / 16, 12);
  });

  it('is 0 for touching, disjoint and empty boxes, and symmetric', () => {
    expect(iou(box(0, 0, 1, 1), box(1, 0, 1, 1))).toBe(0);
    expect(iou(box(0, 0, 1, 1), box(5, 5, 1, 1))).toBe(0);
    expect(iou(box(0, 0, 0, 0), box(0, 0, 0, 0))).toBe(0);
    const a = box(0.1, 0.2, 0.3, 0.4);
    const b = box(0.2, 0.1, 0.4, 0.3);
    expect(iou(a, b)).toBe(iou(b, a));
  });
});

describe('nms', () => {
  const items = [
    { id: 'a', box: box(0, 0, 10, 10), score: 0.8 },
    { id: 'b', box: box(1, 1, 10, 10), score: 0.9 }, // overlaps a (IoU 81/119 ≈ 0.68)
    { id: 'c', box: box(50, 50, 10, 10), score: 0.7 },
    { id: 'd', box: box(52, 50, 10, 10), score: 0.75 }, // overlaps c (IoU 80/120 ≈ 0.67)
    { id: 'e', box: box(100, 0, 10, 10), score: 0.1 },
  ];

  it('keeps the best box of each overlapping group, by descending score', () => {
    expect(nms(items, 0.5).map((i) => i.id)).toEqual(['b', 'd', 'e']);
    expect(items.map((i) => i.id)).toEqual(['a', 'b', 'c', 'd', 'e']); // input untouched
  });

  it('honours the threshold and the limit', () => {
    expect(nms(items, 0.7).map((i) => i.id)).toEqual(['b', 'a', 'd', 'c', 'e']);
    expect(nms(items, 0.5, 2).map((i) => i.id)).toEqual(['b', 'd']);
    expect(nms(items, 0.5, 0)).toEqual([]);
  });

  it('is stable: equal scores keep input order', () => {
    const tied = [
      { id: 1, box: box(0, 0, 10, 10), score: 0.5 },
      { id: 2, box: box(0, 0, 10, 10), score: 0.5 },
      { id: 3, box: box(40, 0, 10, 10), score: 0.5 },
    ];
    expect(nms(tied, 0.3).map((i) => i.id)).toEqual([1, 3]);
  });
});

describe('weightedNms', () => {
  it('averages a cluster weighted by score and keeps the top item\'s other fields', () => {
    const items = [
      { id: 'low', box: box(2, 2, 10, 10), score: 0.25, landmarks: [1] },
      { id: 'top', box: box(0, 0, 10, 10), score: 0.75, landmarks: [2] },
      { id: 'far', box: box(100, 100, 10, 10), score: 0.5, landmarks: [3] },
    ];
    const out = weightedNms(items, 0.3);
    expect(out).toHaveLength(2);
    expect(out[0]).toEqual({ id: 'top', box: box(0.5, 0.5, 10, 10), score: 0.75, landmarks: [2] });
    expect(out[1]).toEqual(items[2]);
    expect(out[1]).not.toBe(items[2]); // a fresh object
    expect(items[1]!.box).toEqual(box(0, 0, 10, 10)); // input untouched
  });

  it('leaves isolated boxes unchanged and handles an empty list', () => {
    const single = [{ box: box(1, 2, 3, 4), score: 0.9 }];
    expect(weightedNms(single, 0.3)).toEqual(single);
    expect(weightedNms([], 0.3)).toEqual([]);
  });
});

describe('clipBox / scaleBox', () => {
  it('clips to the image', () => {
    expect(clipBox(box(-5, -5, 10, 10), 100, 100)).toEqual(box(0, 0, 5, 5));
    expect(clipBox(box(95, 90, 10, 20), 100, 100)).toEqual(box(95, 90, 5, 10));
    expect(clipBox(box(10, 10, 5, 5), 100, 100)).toEqual(box(10, 10, 5, 5));
    expect(clipBox(box(150, 20, 10, 10), 100, 100)).toEqual(box(100, 20, 0, 10));
    expect(clipBox(box(-20, -20, 5, 5), 100, 100)).toEqual(box(0, 0, 0, 0));
  });

  it('scales about the origin, uniformly by default', () => {
    expect(scaleBox(box(0.1, 0.2, 0.5, 0.25), 200)).toEqual(box(20, 40, 100, 50));
    expect(scaleBox(box(10, 20, 30, 40), 0.5, 2)).toEqual(box(5, 40, 15, 80));
  });
});

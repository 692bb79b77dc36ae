import { describe, expect, it } from 'vitest';
import { pyramidLevels } from '../../libs/engine/detector.js';
import { dropNested } from '../../libs/geometry/box.js';

describe('detection pyramid', () => {
  it('runs the requested scale, halves above 256, and ends with the whole frame at 256', () => {
    expect(pyramidLevels(600)).toEqual([600, 256]);
    expect(pyramidLevels(1200)).toEqual([1200, 600, 256]);
    expect(pyramidLevels(2000)).toEqual([2000, 1000, 500, 256]);
    expect(pyramidLevels(256)).toEqual([256]);
    expect(pyramidLevels(100)).toEqual([100]);
  });
});

describe('dropNested', () => {
  const face = (x: number, y: number, size: number, score = 0.9) => ({ box: { x, y, w: size, h: size }, score });

  it('drops a detection nested inside a much larger face (an eye or a nose of an upscaled face)', () => {
    const big = face(100, 100, 200);
    const eye = face(140, 150, 40, 0.95);
    expect(dropNested([big, eye])).toEqual([big]);
  });

  it('keeps faces side by side, overlapping a little, or of similar size', () => {
    const a = face(0, 0, 100);
    const b = face(90, 0, 100);
    const c = face(300, 300, 50);
    const d = face(320, 310, 40); // nested but not much smaller: two real faces one behind the other
    expect(dropNested([a, b, c, d])).toHaveLength(4);
  });
});

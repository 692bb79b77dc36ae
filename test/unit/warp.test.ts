import { describe, expect, it } from 'vitest';
import { invertSimilarity, type Similarity } from '../../libs/geometry/similarity.js';
import { chipToImage, warpToChip } from '../../libs/geometry/warp.js';
import type { RgbImage } from '../../libs/image/image.js';

/** Every byte distinct enough to catch any misplaced pixel or channel. */
function patternImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + 11) % 256;
  return { width, height, data };
}

function value(img: RgbImage, x: number, y: number, c: number): number {
  return img.data[(y * img.width + x) * 3 + c]!;
}

describe('warpToChip', () => {
  const img = patternImage(20, 15);

  it('with the identity, copies the image', () => {
    const chip = warpToChip(img, { a: 1, b: 0, tx: 0, ty: 0 }, 20, 15);
    expect(Array.from(chip)).toEqual(Array.from(img.data));
  });

  it('with an integer translation, shifts the pixels and fills outside with 0', () => {
    // image → chip moves content by (-3, +2): chip (u, v) shows image (u + 3, v - 2).
    const chip = warpToChip(img, { a: 1, b: 0, tx: -3, ty: 2 }, 10, 8);
    for (let v = 0; v < 8; v++) {
      for (let u = 0; u < 10; u++) {
        for (let c = 0; c < 3; c++) {
          const expected = v - 2 >= 0 ? value(img, u + 3, v - 2, c) : 0;
          expect(chip[(v * 10 + u) * 3 + c]).toBe(expected);
        }
      }
    }
  });

  it('samples the last row and column exactly (integer pixel centres)', () => {
    const chip = warpToChip(img, { a: 1, b: 0, tx: -19, ty: -14 }, 2, 2);
    expect(Array.from(chip.subarray(0, 3))).toEqual([0, 1, 2].map((c) => value(img, 19, 14, c)));
    expect(Array.from(chip.subarray(3))).toEqual(new Array(9).fill(0));
  });

  it('interpolates bilinearly at half-pixel offsets', () => {
    const chip = warpToChip(img, { a: 1, b: 0, tx: -0.5, ty: -0.5 }, 3, 3);
    for (let c = 0; c < 3; c++) {
      const mean = (value(img, 1, 1, c) + value(img, 2, 1, c) + value(img, 1, 2, c) + value(img, 2, 2, c)) / 4;
      expect(chip[(1 * 3 + 1) * 3 + c]).toBeCloseTo(mean, 4);
    }
  });

  it('follows the transform: 90° rotation and 2x scale', () => {
    // chip → image: (u, v) ↦ (v, W-1-u) is a 90° rotation; imageToChip is its inverse.
    const rotate: Similarity = invertSimilarity({ a: 0, b: -1, tx: 0, ty: 14 });
    const chip = warpToChip(img, rotate, 15, 20);
    for (const [u, v] of [
      [0, 0],
      [3, 7],
      [14, 19],
    ] as const) {
      const [x, y] = [v, 14 - u];
      expect(chip[(v * 15 + u) * 3 + 1]).toBeCloseTo(value(img, x, y, 1), 3);
    }
    const down = warpToChip(img, { a: 0.5, b: 0, tx: 0, ty: 0 }, 10, 7);
    expect(down[(3 * 10 + 4) * 3]).toBeCloseTo(value(img, 8, 6, 0), 3);
  });

  it('fades to 0 across a border pixel (outside neighbours count as 0)', () => {
    const flat: RgbImage = { width: 4, height: 4, data: new Uint8Array(48).fill(100) };
    const chip = warpToChip(flat, { a: 1, b: 0, tx: 0.5, ty: 0 }, 1, 1); // samples x = -0.5
    expect(Array.from(chip)).toEqual([50, 50, 50]);
    const far = warpToChip(flat, { a: 1, b: 0, tx: -500, ty: 0 }, 2, 2);
    expect(Array.from(far)).toEqual(new Array(12).fill(0));
  });

  it('writes at an offset into a caller buffer and checks its size', () => {
    const out = new Float32Array(5 + 2 * 2 * 3).fill(-1);
    const returned = warpToChip(img, { a: 1, b: 0, tx: 0, ty: 0 }, 2, 2, out, 5);
    expect(returned).toBe(out);
    expect(Array.from(out.subarray(0, 5))).toEqual([-1, -1, -1, -1, -1]);
    expect(out[5]).toBe(value(img, 0, 0, 0));
    expect(out[5 + 3 * 3 + 2]).toBe(value(img, 1, 1, 2));
    expect(() => warpToChip(img, { a: 1, b: 0, tx: 0, ty: 0 }, 2, 2, out, 6)).toThrow(RangeError);
  });
});

describe('chipToImage', () => {
  it('clamps and rounds to bytes', () => {
    const img = chipToImage(Float32Array.from([-3, 0.4, 0.6, 254.5, 300, NaN]), 2, 1);
    expect(Array.from(img.data)).toEqual([0, 0, 1, 255, 255, 0]);
    expect([img.width, img.height]).toEqual([2, 1]);
    expect(() => chipToImage(new Float32Array(5), 2, 1)).toThrow(RangeError);
  });
});

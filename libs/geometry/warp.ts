// Face-chip extraction: resamples an aligned, fixed-size face crop straight into the float buffer
// a model consumes, so no intermediate byte image is built per face.
import type { RgbImage } from '../image/image.js';
import { invertSimilarity, type Similarity } from './similarity.js';

/**
 * Samples the chip: output pixel (u, v) is mapped back through the inverse of `imageToChip` and
 * the image is sampled bilinearly there. Writes RGB float32 0..255, HWC, into `out` at `offset`
 * (allocates when absent) and returns the array.
 *
 * Pixel-centre convention: pixel (i, j) is centred at the integer position (i, j), as in dlib
 * and OpenCV's warpAffine, so transforms estimated from landmark templates built with those
 * tools (ArcFace's 112x112 template, dlib's chip template) carry over without a half-pixel shift.
 *
 * Outside the image counts as 0 (OpenCV's BORDER_CONSTANT): each of the four neighbours that
 * falls outside contributes 0, so a face near the border fades to black over one pixel instead
 * of smearing its edge pixels outward.
 *
 * Bilinear sampling does not low-pass: when the chip is more than about 2x smaller than the face
 * in the image, resize the image first (as dlib's chip extraction does with a pyramid) to avoid
 * aliasing.
 */
export function warpToChip(
  img: RgbImage,
  imageToChip: Similarity,
  width: number,
  height: number,
  out?: Float32Array,
  offset = 0,
): Float32Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`chip size must be positive integers, got ${width}x${height}`);
  }
  if (img.data.length !== img.width * img.height * 3) {
    throw new RangeError(`image data holds ${img.data.length} bytes, expected ${img.width}x${img.height}x3`);
  }
  const needed = width * height * 3;
  const target = out ?? new Float32Array(offset + needed);
  if (!Number.isInteger(offset) || offset < 0 || offset + needed > target.length) {
    throw new RangeError(`output holds ${target.length} floats, chip needs ${needed} at offset ${offset}`);
  }

  const chipToImage = invertSimilarity(imageToChip);
  const { a, b, tx, ty } = chipToImage;
  const src = img.data;
  const iw = img.width;
  const ih = img.height;
  const rowBytes = iw * 3;
  const lastX = iw - 1;
  const lastY = ih - 1;
  let o = offset;

  for (let v = 0; v < height; v++) {
    // Image position of chip pixel (0, v); each step in u adds (a, b). Computed per pixel from the
    // row start rather than accumulated, so rounding error cannot build up along a row.
    const rowX = -b * v + tx;
    const rowY = a * v + ty;
    for (let u = 0; u < width; u++, o += 3) {
      const x = rowX + a * u;
      const y = rowY + b * u;

      if (x >= 0 && y >= 0 && x < lastX && y < lastY) {
        // All four neighbours inside: the common case. Truncation is floor here (x, y >= 0) and
        // much cheaper than Math.floor; channels are unrolled: this is the hot loop.
        const x0 = x | 0;
        const y0 = y | 0;
        const fx = x - x0;
        const fy = y - y0;
        const p00 = y0 * rowBytes + x0 * 3;
        const p01 = p00 + rowBytes;
        let t = src[p00]!;
        let m = src[p01]!;
        t += fx * (src[p00 + 3]! - t);
        m += fx * (src[p01 + 3]! - m);
        target[o] = t + fy * (m - t);
        t = src[p00 + 1]!;
        m = src[p01 + 1]!;
        t += fx * (src[p00 + 4]! - t);
        m += fx * (src[p01 + 4]! - m);
        target[o + 1] = t + fy * (m - t);
        t = src[p00 + 2]!;
        m = src[p01 + 2]!;
        t += fx * (src[p00 + 5]! - t);
        m += fx * (src[p01 + 5]! - m);
        target[o + 2] = t + fy * (m - t);
        continue;
      }
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      if (x0 < -1 || y0 < -1 || x0 >= iw || y0 >= ih || Number.isNaN(x) || Number.isNaN(y)) {
        target[o] = 0;
        target[o + 1] = 0;
        target[o + 2] = 0;
      } else {
        // Straddles the border: neighbours outside the image read as 0.
        const fx = x - x0;
        const fy = y - y0;
        const in0x = x0 >= 0;
        const in1x = x0 + 1 < iw;
        const in0y = y0 >= 0;
        const in1y = y0 + 1 < ih;
        const p00 = y0 * rowBytes + x0 * 3;
        for (let c = 0; c < 3; c++) {
          const v00 = in0x && in0y ? src[p00 + c]! : 0;
          const v10 = in1x && in0y ? src[p00 + 3 + c]! : 0;
          const v01 = in0x && in1y ? src[p00 + rowBytes + c]! : 0;
          const v11 = in1x && in1y ? src[p00 + rowBytes + 3 + c]! : 0;
          const top = v00 + fx * (v10 - v00);
          const bottom = v01 + fx * (v11 - v01);
          target[o + c] = top + fy * (bottom - top);
        }
      }
    }
  }
  return target;
}

/** Clamps and rounds a float chip (HWC, RGB 0..255) back to bytes, for thumbnails and debugging. */
export function chipToImage(chip: Float32Array, width: number, height: number): RgbImage {
  const n = width * height * 3;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0 || chip.length < n) {
    throw new RangeError(`chip of ${chip.length} floats cannot hold ${width}x${height}x3`);
  }
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = chip[i]!;
    data[i] = v >= 255 ? 255 : v > 0 ? Math.round(v) : 0; // NaN lands on 0
  }
  return { width, height, data };
}

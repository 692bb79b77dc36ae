import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cropImage, decodeImage, encodeJpeg, encodePng, ImageDecodeError, resizeImage, type RgbImage } from '../../libs/image/image.js';
import { sharedDataFile } from '../support/shared-data.js';

function pixel(img: RgbImage, x: number, y: number): [number, number, number] {
  const i = (y * img.width + x) * 3;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

function expectPixelNear(actual: number[], expected: number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(tolerance));
}

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, data };
}

/** Hand-built BMP: 14-byte file header + BITMAPINFOHEADER (40 bytes, or 56 with RGBA masks) + optional palette + rows. */
function buildBmp(opts: {
  width: number;
  height: number; // negative = top-down
  bitsPerPixel: number;
  rows: number[][]; // bytes of each stored row (file order), before padding
  palette?: [number, number, number][]; // RGB
  masks?: [number, number, number, number];
}): Buffer {
  const headerSize = opts.masks ? 56 : 40;
  const palette = opts.palette ?? [];
  const stride = Math.floor((opts.bitsPerPixel * opts.width + 31) / 32) * 4;
  const pixelOffset = 14 + headerSize + palette.length * 4;
  const buf = Buffer.alloc(pixelOffset + stride * opts.rows.length);
  buf.write('BM', 0, 'ascii');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(pixelOffset, 10);
  buf.writeUInt32LE(headerSize, 14);
  buf.writeInt32LE(opts.width, 18);
  buf.writeInt32LE(opts.height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(opts.bitsPerPixel, 28);
  buf.writeUInt32LE(opts.masks ? 3 : 0, 30);
  buf.writeUInt32LE(palette.length, 46);
  if (opts.masks) opts.masks.forEach((m, i) => buf.writeUInt32LE(m, 54 + i * 4));
  palette.forEach(([r, g, b], i) => buf.set([b, g, r, 0], 14 + headerSize + i * 4));
  opts.rows.forEach((row, i) => buf.set(row, pixelOffset + i * stride));
  return buf;
}

describe('decodeImage', () => {
  it('flattens alpha onto mid-grey', async () => {
    const rgba = Buffer.from([
      255, 0, 0, 0, // fully transparent red
      0, 0, 255, 255, // opaque blue
      255, 255, 255, 128, // half-transparent white
    ]);
    const png = await sharp(rgba, { raw: { width: 3, height: 1, channels: 4 } }).png().toBuffer();
    const img = await decodeImage(png);
    expect([img.width, img.height, img.data.length]).toEqual([3, 1, 9]);
    expect(pixel(img, 0, 0)).toEqual([128, 128, 128]);
    expect(pixel(img, 1, 0)).toEqual([0, 0, 255]);
    const a = 128 / 255;
    const expected = Math.round(255 * a + 128 * (1 - a));
    expectPixelNear(pixel(img, 2, 0), [expected, expected, expected], 1);
  });

  it('expands a single-channel JPEG to RGB', async () => {
    const grey = Buffer.alloc(16 * 16);
    for (let i = 0; i < grey.length; i++) grey[i] = (i % 16) * 16;
    const jpeg = await sharp(grey, { raw: { width: 16, height: 16, channels: 1 } })
      .toColourspace('b-w')
      .jpeg({ quality: 100 })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).channels).toBe(1);
    const img = await decodeImage(jpeg);
    expect([img.width, img.height, img.data.length]).toEqual([16, 16, 16 * 16 * 3]);
    for (let x = 0; x < 16; x++) {
      const [r, g, b] = pixel(img, x, 8);
      expect(r).toBe(g);
      expect(g).toBe(b);
      expect(Math.abs(r - x * 16)).toBeLessThanOrEqual(4);
    }
  });

  it('applies EXIF orientation 6 (rotate 90° clockwise)', async () => {
    // Stored 40x20, blue with a red top-left quadrant; displayed it is 20x40 with red top-right.
    const stored = solid(40, 20, [0, 0, 255]);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 20; x++) stored.data.set([255, 0, 0], (y * 40 + x) * 3);
    const jpeg = await sharp(Buffer.from(stored.data), { raw: { width: 40, height: 20, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const img = await decodeImage(jpeg);
    expect([img.width, img.height]).toEqual([20, 40]);
    expectPixelNear(pixel(img, 15, 5), [255, 0, 0], 20);
    expectPixelNear(pixel(img, 4, 5), [0, 0, 255], 20);
    expectPixelNear(pixel(img, 15, 30), [0, 0, 255], 20);
  });

  it('reduces 16-bit PNGs (colour and grey) to 8 bits', async () => {
    const base = sharp({ create: { width: 3, height: 2, channels: 3, background: { r: 255, g: 64, b: 0 } } });
    const rgb16 = await base.clone().toColourspace('rgb16').png().toBuffer();
    expect((await sharp(rgb16).metadata()).depth).toBe('ushort');
    const img = await decodeImage(rgb16);
    expect([img.width, img.height]).toEqual([3, 2]);
    expectPixelNear(pixel(img, 2, 1), [255, 64, 0], 1);

    const grey16 = await base.clone().toColourspace('grey16').png().toBuffer();
    const greyMeta = await sharp(grey16).metadata();
    expect([greyMeta.depth, greyMeta.channels]).toEqual(['ushort', 1]);
    const g = await decodeImage(grey16);
    const [r, gg, b] = pixel(g, 0, 0);
    expect(r).toBe(gg);
    expect(gg).toBe(b);
  });

  it('reads an uncompressed 24-bit bottom-up BMP, with row padding', async () => {
    // 3x2: stored bottom row first, BGR order, rows padded from 9 to 12 bytes.
    const bmp = buildBmp({
      width: 3,
      height: 2,
      bitsPerPixel: 24,
      rows: [
        [255, 0, 0, 0, 255, 0, 0, 0, 255], // bottom: blue, green, red
        [10, 20, 30, 40, 50, 60, 70, 80, 90], // top
      ],
    });
    const img = await decodeImage(bmp);
    expect([img.width, img.height]).toEqual([3, 2]);
    expect(Array.from(img.data)).toEqual([30, 20, 10, 60, 50, 40, 90, 80, 70, 0, 0, 255, 0, 255, 0, 255, 0, 0]);
  });

  it('reads a 32-bit top-down BMP, ignoring an all-zero padding byte', async () => {
    const bmp = buildBmp({
      width: 2,
      height: -2,
      bitsPerPixel: 32,
      rows: [
        [1, 2, 3, 0, 4, 5, 6, 0],
        [7, 8, 9, 0, 10, 11, 12, 0],
      ],
    });
    const img = await decodeImage(bmp);
    expect(Array.from(img.data)).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10]);
  });

  it('reads a 32-bit BITFIELDS BMP with alpha, flattened onto mid-grey', async () => {
    const bmp = buildBmp({
      width: 2,
      height: -1,
      bitsPerPixel: 32,
      masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000],
      rows: [[0, 0, 255, 255, 0, 0, 255, 0]], // opaque red, transparent red
    });
    const img = await decodeImage(bmp);
    expect(Array.from(img.data)).toEqual([255, 0, 0, 128, 128, 128]);
  });

  it('reads an 8-bit palettised BMP', async () => {
    const bmp = buildBmp({
      width: 3,
      height: 1,
      bitsPerPixel: 8,
      palette: [
        [0, 0, 0],
        [200, 100, 50],
      ],
      rows: [[1, 0, 1]],
    });
    const img = await decodeImage(bmp);
    expect(Array.from(img.data)).toEqual([200, 100, 50, 0, 0, 0, 200, 100, 50]);
  });

  it('rejects truncated and compressed BMPs', async () => {
    const bmp = buildBmp({ width: 4, height: 4, bitsPerPixel: 24, rows: [[], [], [], []] });
    await expect(decodeImage(bmp.subarray(0, bmp.length - 20))).rejects.toThrow(/truncated/);
    const rle = Buffer.from(bmp);
    rle.writeUInt32LE(1, 30); // BI_RLE8
    await expect(decodeImage(rle)).rejects.toBeInstanceOf(ImageDecodeError);
  });

  it('takes the first frame of an animated GIF', async () => {
    // Two 4x4 frames stacked: light grey, then dark grey.
    const frames = Buffer.alloc(4 * 8 * 3);
    frames.fill(200, 0, 48);
    frames.fill(20, 48);
    const gif = await sharp(frames, { raw: { width: 4, height: 8, channels: 3, pageHeight: 4 } }).gif().toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const img = await decodeImage(gif);
    expect([img.width, img.height]).toEqual([4, 4]);
    expectPixelNear(pixel(img, 3, 3), [200, 200, 200], 2);
  });

  it('takes the first frame of an animated WebP', async () => {
    const frames = Buffer.alloc(4 * 8 * 3).fill(200, 0, 48);
    const webp = await sharp(frames, { raw: { width: 4, height: 8, channels: 3, pageHeight: 4 } }).webp({ lossless: true }).toBuffer();
    expect((await sharp(webp).metadata()).pages).toBe(2);
    const img = await decodeImage(webp);
    expect([img.width, img.height]).toEqual([4, 4]);
    expect(pixel(img, 0, 0)).toEqual([200, 200, 200]);
  });

  it('converts CMYK JPEGs and 16-bit RGBA PNGs to 8-bit RGB', async () => {
    const colour = { r: 200, g: 30, b: 60 };
    const cmyk = await sharp({ create: { width: 4, height: 4, channels: 3, background: colour } }).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    // CMYK without an embedded profile goes through a generic one: close, not exact.
    expectPixelNear(pixel(await decodeImage(cmyk), 1, 1), [200, 30, 60], 25);

    const transparent16 = await sharp({ create: { width: 2, height: 1, channels: 4, background: { ...colour, alpha: 0 } } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(transparent16).metadata()).channels).toBe(4);
    expect(Array.from((await decodeImage(transparent16)).data)).toEqual(new Array(6).fill(128));
  });

  it('reads WebP and TIFF', async () => {
    const source = sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 10, g: 200, b: 90 } } });
    for (const encoded of [await source.clone().webp({ lossless: true }).toBuffer(), await source.clone().tiff().toBuffer()]) {
      const img = await decodeImage(encoded);
      expect([img.width, img.height]).toEqual([8, 6]);
      expect(pixel(img, 7, 5)).toEqual([10, 200, 90]);
    }
  });

  it('rejects images over maxPixels before decoding them', async () => {
    const png = await encodePng(solid(100, 60, [1, 2, 3]));
    await expect(decodeImage(png, { maxPixels: 5999 })).rejects.toThrow(/100x60 .*over the .* limit/);
    expect((await decodeImage(png, { maxPixels: 6000 })).width).toBe(100);
    const bmp = buildBmp({ width: 100, height: 60, bitsPerPixel: 24, rows: [] });
    await expect(decodeImage(bmp, { maxPixels: 5999 })).rejects.toThrow(ImageDecodeError);
  });

  it('rejects undecodable input with ImageDecodeError', async () => {
    await expect(decodeImage(Buffer.from('definitely not an image'))).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(decodeImage(Buffer.alloc(0))).rejects.toThrow(/empty/);
    await expect(decodeImage('/nonexistent/face.jpg')).rejects.toThrow(/cannot read image file/);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    await expect(decodeImage(svg)).rejects.toThrow(/unsupported image format 'svg'/);

    const jpeg = await encodeJpeg(solid(64, 64, [90, 90, 90]));
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    const err = await decodeImage(truncated).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect((err as Error).message).toMatch(/^cannot decode \d+-byte buffer: /);
  });

  const rgbaPhoto = sharedDataFile('faces/people/probes/32bit.png');
  it.skipIf(rgbaPhoto === null)('decodes a real RGBA photo to its RGB channels', async () => {
    const path = rgbaPhoto!;
    const img = await decodeImage(path);
    const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    expect([img.width, img.height]).toEqual([info.width, info.height]);
    // The photo is fully opaque, so flattening must leave its colours untouched.
    for (let p = 0; p < info.width * info.height; p += 997) {
      expect(pixel(img, p % info.width, Math.floor(p / info.width))).toEqual([data[p * 4], data[p * 4 + 1], data[p * 4 + 2]]);
    }
  });
});

describe('resizeImage', () => {
  it('keeps a constant image constant and returns the requested size', async () => {
    const out = await resizeImage(solid(37, 23, [12, 140, 250]), 11, 50);
    expect([out.width, out.height, out.data.length]).toEqual([11, 50, 11 * 50 * 3]);
    for (let i = 0; i < out.data.length; i += 3) expectPixelNear(Array.from(out.data.subarray(i, i + 3)), [12, 140, 250], 1);
  });

  it('averages when halving', async () => {
    // Columns alternate 0 and 200: a 2x shrink must land near the mean, not on either value.
    const img = solid(8, 8, [0, 0, 0]);
    for (let y = 0; y < 8; y++) for (let x = 1; x < 8; x += 2) img.data.set([200, 200, 200], (y * 8 + x) * 3);
    const out = await resizeImage(img, 4, 4);
    for (let x = 1; x < 3; x++) expectPixelNear(pixel(out, x, 2), [100, 100, 100], 30);
  });

  it('rejects non-integer or empty targets', async () => {
    await expect(resizeImage(solid(4, 4, [0, 0, 0]), 0, 4)).rejects.toThrow(RangeError);
    await expect(resizeImage(solid(4, 4, [0, 0, 0]), 2.5, 4)).rejects.toThrow(RangeError);
  });
});

describe('encodeJpeg / encodePng', () => {
  it('round-trips through decodeImage (PNG exactly, JPEG closely)', async () => {
    const img = solid(20, 10, [0, 0, 0]);
    for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 7) % 256;
    const fromPng = await decodeImage(await encodePng(img));
    expect(fromPng).toEqual({ width: 20, height: 10, data: img.data });

    const flat = solid(16, 16, [100, 150, 200]);
    const jpeg = await encodeJpeg(flat, 95);
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expectPixelNear(pixel(await decodeImage(jpeg), 8, 8), [100, 150, 200], 3);
    await expect(encodeJpeg(flat, 0)).rejects.toThrow(RangeError);
  });
});

describe('cropImage', () => {
  const img: RgbImage = { width: 4, height: 3, data: Uint8Array.from({ length: 36 }, (_, i) => i) };

  it('copies the requested rows and columns', () => {
    const c = cropImage(img, 1, 1, 2, 2);
    expect(c.width).toBe(2);
    expect(c.height).toBe(2);
    expect(Array.from(c.data)).toEqual([15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32]);
    c.data[0] = 255;
    expect(img.data[15]).toBe(15); // a copy, not a view
  });

  it('clamps to the image and widens fractional edges to whole pixels', () => {
    expect(cropImage(img, -5, -5, 100, 100)).toEqual(img);
    const c = cropImage(img, 2.5, 0.2, 1, 1); // covers x 2.5..3.5, y 0.2..1.2 → pixels 2..3, 0..1
    expect([c.width, c.height]).toEqual([2, 2]);
    expect(pixel(c, 0, 0)).toEqual(pixel(img, 2, 0));
  });

  it('gives a 0-pixel image for a region outside the image', () => {
    const c = cropImage(img, 10, 10, 5, 5);
    expect([c.width * c.height, c.data.length]).toEqual([0, 0]);
  });
});

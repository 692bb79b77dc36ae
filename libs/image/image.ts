// Image I/O for the pipeline: everything downstream works on one layout (8-bit RGB, interleaved,
// row-major), so format quirks (EXIF rotation, alpha, 16-bit, greyscale, CMYK, animation) are
// settled here once.
import { readFile } from 'node:fs/promises';
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { decodeBmp, formatMegapixels, isBmp } from './bmp.js';

export interface RgbImage {
  width: number;
  height: number;
  /** RGB interleaved, row-major, 3 bytes per pixel. */
  data: Uint8Array;
}

export class ImageDecodeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImageDecodeError';
  }
}

/** 100 MP: bigger than any camera photo, small enough that a decoded RGB copy (300 MB) fits in memory. */
const DEFAULT_MAX_PIXELS = 100_000_000;

/**
 * Mid-grey rather than white or black: a face cut out onto a transparent background keeps contrast
 * against it whatever its skin tone or hair colour.
 */
const FLATTEN_BACKGROUND = { r: 128, g: 128, b: 128 };

/**
 * Formats a photo can arrive in. SVG is left out on purpose: it is not a photo, and rendering
 * it would let an upload make librsvg fetch files.
 */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

export async function decodeImage(input: string | Buffer, opts: { maxPixels?: number } = {}): Promise<RgbImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!(maxPixels > 0)) throw new RangeError(`maxPixels must be positive, got ${maxPixels}`);
  const source = typeof input === 'string' ? input : `${input.length}-byte buffer`;

  let bytes: Buffer;
  if (typeof input === 'string') {
    try {
      bytes = await readFile(input);
    } catch (err) {
      throw new ImageDecodeError(`cannot read image file ${input}: ${errorMessage(err)}`, { cause: err });
    }
  } else {
    bytes = input;
  }
  if (bytes.length === 0) throw new ImageDecodeError(`cannot decode ${source}: it is empty`);

  if (isBmp(bytes)) {
    try {
      return decodeBmp(bytes, maxPixels);
    } catch (err) {
      throw new ImageDecodeError(`cannot decode ${source}: ${errorMessage(err)}`, { cause: err });
    }
  }

  const sharpOptions: SharpOptions = {
    // 'error' tolerates libjpeg warnings such as "extraneous bytes before marker", which many
    // cameras trigger on files that display fine, but still rejects truncated or broken files,
    // whose grey-filled remainder would only produce garbage faces.
    failOn: 'error',
    // Backstop for the header check below; sharp wants an integer, or false for no limit.
    limitInputPixels: Number.isFinite(maxPixels) ? Math.max(1, Math.floor(maxPixels)) : false,
    // First frame only of animated GIF/WebP and multi-page TIFF.
    pages: 1,
    page: 0,
  };

  let metadata: Metadata;
  try {
    // No pixel limit here: sharp's own refusal is terse, the check below says what and by how much.
    metadata = await sharp(bytes, { ...sharpOptions, limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageDecodeError(`cannot decode ${source}: ${errorMessage(err)}`, { cause: err });
  }
  if (!ACCEPTED_FORMATS.has(metadata.format)) {
    throw new ImageDecodeError(`cannot decode ${source}: unsupported image format '${metadata.format}'`);
  }
  // Checked from the header so an oversized image is refused before its pixels are allocated.
  const pixels = metadata.width * (metadata.pageHeight ?? metadata.height);
  if (pixels > maxPixels) {
    throw new ImageDecodeError(
      `cannot decode ${source}: image is ${metadata.width}x${metadata.pageHeight ?? metadata.height} ` +
        `(${formatMegapixels(pixels)}), over the ${formatMegapixels(maxPixels)} limit`,
    );
  }

  try {
    const { data, info } = await sharp(bytes, sharpOptions)
      .autoOrient()
      .flatten({ background: FLATTEN_BACKGROUND })
      // Greyscale, CMYK and 16-bit inputs all come out as 8-bit sRGB.
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoder produced ${info.channels} channels instead of 3`);
    return { width: info.width, height: info.height, data: asPlainBytes(data) };
  } catch (err) {
    throw new ImageDecodeError(`cannot decode ${source}: ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * Kernel 'linear': no overshoot or ringing around high-contrast edges (eyes, glasses, hairline),
 * which the detectors and embedders were not trained on — their inputs were bilinear-resized —
 * and cheaper than 'cubic'. libvips widens the kernel when shrinking, so downscaling is still
 * anti-aliased.
 */
export async function resizeImage(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  assertRgbImage(img);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resize target must be positive integers, got ${width}x${height}`);
  }
  if (width === img.width && height === img.height) {
    return { width, height, data: img.data.slice() };
  }
  const { data, info } = await rawInput(img)
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: asPlainBytes(data) };
}

/**
 * The image scaled so that its longer side is `longSide` (the image itself when it already is), and
 * the factors that bring the scaled image's coordinates back to the original's. Detectors scale
 * their levels with it, and the decoder its photos for them: the same size, the same pixels.
 */
export async function scaleToLongSide(img: RgbImage, longSide: number): Promise<{ image: RgbImage; sx: number; sy: number }> {
  const factor = longSide / Math.max(img.width, img.height);
  const width = Math.max(1, Math.round(img.width * factor));
  const height = Math.max(1, Math.round(img.height * factor));
  const image = width === img.width && height === img.height ? img : await resizeImage(img, width, height);
  return { image, sx: img.width / width, sy: img.height / height };
}

export async function encodeJpeg(img: RgbImage, quality = 90): Promise<Buffer> {
  assertRgbImage(img);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`JPEG quality must be an integer in 1..100, got ${quality}`);
  }
  return rawInput(img).jpeg({ quality }).toBuffer();
}

export async function encodePng(img: RgbImage): Promise<Buffer> {
  assertRgbImage(img);
  return rawInput(img).png().toBuffer();
}

/**
 * The region is widened to whole pixels (floor of the start, ceiling of the end) so that a
 * fractional face box is never cut short, then clamped to the image; a region entirely outside
 * the image gives a 0-pixel image rather than an error.
 */
export function cropImage(img: RgbImage, x: number, y: number, w: number, h: number): RgbImage {
  assertRgbImage(img);
  const x0 = clampInt(Math.floor(x), 0, img.width);
  const y0 = clampInt(Math.floor(y), 0, img.height);
  const x1 = clampInt(Math.ceil(x + w), x0, img.width);
  const y1 = clampInt(Math.ceil(y + h), y0, img.height);
  const width = x1 - x0;
  const height = y1 - y0;
  const data = new Uint8Array(width * height * 3);
  const rowBytes = width * 3;
  for (let row = 0; row < height; row++) {
    const start = ((y0 + row) * img.width + x0) * 3;
    data.set(img.data.subarray(start, start + rowBytes), row * rowBytes);
  }
  return { width, height, data };
}

function clampInt(v: number, lo: number, hi: number): number {
  if (Number.isNaN(v)) return lo;
  return Math.min(hi, Math.max(lo, v));
}

function assertRgbImage(img: RgbImage): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 0 || img.height < 0) {
    throw new RangeError(`invalid image size ${img.width}x${img.height}`);
  }
  if (img.data.length !== img.width * img.height * 3) {
    throw new RangeError(`image data holds ${img.data.length} bytes, expected ${img.width}x${img.height}x3`);
  }
}

function rawInput(img: RgbImage): Sharp {
  if (img.width === 0 || img.height === 0) throw new RangeError('cannot process a 0-pixel image');
  const view = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return sharp(view, { raw: { width: img.width, height: img.height, channels: 3 } });
}

/** Buffer's slice() shares memory, unlike Uint8Array's: hand out a plain Uint8Array view so callers get the usual semantics. */
function asPlainBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

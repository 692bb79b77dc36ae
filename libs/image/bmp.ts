// BMP decoder: the prebuilt libvips inside sharp has no BMP loader, and BMPs still arrive from
// Windows tools and old scanners. Covers what such tools write: uncompressed 1/4/8-bit palettised,
// 16/24/32-bit BI_RGB and 16/32-bit BI_BITFIELDS, bottom-up or top-down. RLE is rejected.
import type { RgbImage } from './image.js';

/** Background that alpha is flattened onto; kept equal to the one decodeImage uses for other formats. */
const FLATTEN_GREY = 128;

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

export function isBmp(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x42 && buf[1] === 0x4d; // "BM"
}

/** Bit position and width of a channel mask, so a masked value can be rescaled to 0..255. */
function maskShape(mask: number): { shift: number; bits: number } {
  if (mask === 0) return { shift: 0, bits: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (shift + bits < 32 && ((mask >>> (shift + bits)) & 1) === 1) bits++;
  return { shift, bits };
}

/**
 * Throws a plain Error on malformed input; decodeImage wraps it in ImageDecodeError.
 * `maxPixels` is checked from the header before any pixel buffer is allocated.
 */
export function decodeBmp(buf: Uint8Array, maxPixels: number): RgbImage {
  if (!isBmp(buf)) throw new Error('not a BMP file (missing "BM" signature)');
  if (buf.length < 26) throw new Error('BMP file is truncated inside its header');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const pixelOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (14 + headerSize > buf.length) throw new Error('BMP file is truncated inside its header');

  let width: number;
  let rawHeight: number;
  let bitsPerPixel: number;
  let compression = BI_RGB;
  let paletteSize = 0;
  let paletteEntryBytes = 4;
  let masks: [number, number, number, number] | null = null;

  if (headerSize === 12) {
    // OS/2 BITMAPCOREHEADER: 16-bit dimensions, 3-byte palette entries.
    width = view.getUint16(18, true);
    rawHeight = view.getInt16(20, true);
    bitsPerPixel = view.getUint16(24, true);
    paletteEntryBytes = 3;
  } else if (headerSize >= 40) {
    width = view.getInt32(18, true);
    rawHeight = view.getInt32(22, true);
    bitsPerPixel = view.getUint16(28, true);
    compression = view.getUint32(30, true);
    paletteSize = view.getUint32(46, true);
    if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
      // Masks sit inside V2+ headers, or directly after a 40-byte header.
      const at = 54;
      const count = compression === BI_ALPHABITFIELDS || headerSize >= 56 ? 4 : 3;
      if (at + count * 4 > buf.length) throw new Error('BMP file is truncated inside its colour masks');
      masks = [
        view.getUint32(at, true),
        view.getUint32(at + 4, true),
        view.getUint32(at + 8, true),
        count === 4 ? view.getUint32(at + 12, true) : 0,
      ];
    } else if (compression === BI_RGB && headerSize >= 56 && bitsPerPixel === 32) {
      // V3+ headers may carry an alpha mask even for BI_RGB; honour it only when set.
      const alphaMask = view.getUint32(66, true);
      if (alphaMask !== 0) masks = [0x00ff0000, 0x0000ff00, 0x000000ff, alphaMask];
    }
  } else {
    throw new Error(`unsupported BMP header size ${headerSize}`);
  }

  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw new Error(`unsupported BMP compression ${compression} (only uncompressed BMPs are read)`);
  }
  if (masks === null && compression === BI_RGB && bitsPerPixel === 16) {
    masks = [0x7c00, 0x03e0, 0x001f, 0]; // default 5-5-5
  }
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) throw new Error(`unsupported BMP bit depth ${bitsPerPixel}`);
  if (masks !== null && bitsPerPixel !== 16 && bitsPerPixel !== 32) {
    throw new Error(`BMP colour masks with ${bitsPerPixel} bits per pixel are not supported`);
  }
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height <= 0) throw new Error(`BMP has invalid dimensions ${width}x${rawHeight}`);
  if (width * height > maxPixels) {
    throw new Error(`image is ${width}x${height} (${formatMegapixels(width * height)}), over the ${formatMegapixels(maxPixels)} limit`);
  }

  let palette: Uint8Array | null = null;
  if (bitsPerPixel <= 8) {
    const entries = paletteSize > 0 ? paletteSize : 1 << bitsPerPixel;
    const at = 14 + headerSize;
    if (at + entries * paletteEntryBytes > buf.length) throw new Error('BMP file is truncated inside its palette');
    palette = new Uint8Array(256 * 3); // indices past the palette read black rather than throwing
    for (let i = 0; i < Math.min(entries, 256); i++) {
      const p = at + i * paletteEntryBytes;
      palette[i * 3] = buf[p + 2]!;
      palette[i * 3 + 1] = buf[p + 1]!;
      palette[i * 3 + 2] = buf[p]!;
    }
  }

  const stride = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  // The last row only needs its pixels, not its padding: some writers drop the final pad bytes.
  const needed = pixelOffset + stride * (height - 1) + Math.ceil((bitsPerPixel * width) / 8);
  if (needed > buf.length) throw new Error(`BMP pixel data is truncated (${buf.length} of ${needed} bytes)`);

  const out = new Uint8Array(width * height * 3);
  const shapes = masks?.map(maskShape);
  // Many writers leave the alpha byte at 0 even though the pixels are opaque: only trust alpha
  // when at least one pixel has a non-zero value in it.
  const alpha: Uint8Array | null = shapes !== undefined && shapes[3]!.bits > 0 ? new Uint8Array(width * height) : null;
  let anyAlpha = false;

  for (let row = 0; row < height; row++) {
    const src = pixelOffset + (topDown ? row : height - 1 - row) * stride;
    let o = row * width * 3;
    if (palette !== null) {
      const perByte = 8 / bitsPerPixel;
      const valueMask = (1 << bitsPerPixel) - 1;
      for (let x = 0; x < width; x++, o += 3) {
        const byte = buf[src + Math.floor(x / perByte)]!;
        const shift = 8 - bitsPerPixel * ((x % perByte) + 1);
        const index = ((byte >> shift) & valueMask) * 3;
        out[o] = palette[index]!;
        out[o + 1] = palette[index + 1]!;
        out[o + 2] = palette[index + 2]!;
      }
    } else if (shapes !== undefined && masks !== null) {
      const bytes = bitsPerPixel / 8;
      for (let x = 0; x < width; x++, o += 3) {
        const p = src + x * bytes;
        const v = bytes === 2 ? view.getUint16(p, true) : view.getUint32(p, true);
        for (let c = 0; c < 3; c++) out[o + c] = scaleMasked(v, masks[c]!, shapes[c]!);
        if (alpha !== null) {
          const a = scaleMasked(v, masks[3], shapes[3]!);
          alpha[row * width + x] = a;
          if (a !== 0) anyAlpha = true;
        }
      }
    } else {
      // 24-bit, and 32-bit BI_RGB whose fourth byte is padding: BGR(X) order.
      const bytes = bitsPerPixel / 8;
      for (let x = 0; x < width; x++, o += 3) {
        const p = src + x * bytes;
        out[o] = buf[p + 2]!;
        out[o + 1] = buf[p + 1]!;
        out[o + 2] = buf[p]!;
      }
    }
  }

  if (alpha !== null && anyAlpha) {
    for (let i = 0, o = 0; i < alpha.length; i++, o += 3) {
      const a = alpha[i]! / 255;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(out[o + c]! * a + FLATTEN_GREY * (1 - a));
    }
  }
  return { width, height, data: out };
}

function scaleMasked(value: number, mask: number, shape: { shift: number; bits: number }): number {
  if (shape.bits === 0) return 0;
  const v = (value & mask) >>> shape.shift;
  const max = 2 ** shape.bits - 1;
  return shape.bits === 8 ? v : Math.round((v * 255) / max);
}

export function formatMegapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(1)} MP`;
}

// The pixels cut around a detected face, from the full-resolution frame: the aligned chip the
// embedder takes, and the small JPEG thumbnail results carry. The detector cuts them when asked
// (photos and gallery images: every face needs both); the decoder cuts them itself for video,
// where only the faces chosen for embedding need a chip and only a track's better faces a thumbnail.
import type { AlignableFace, ChipAlignment } from '../engine/alignment.js';
import type { DetectedFace__Output } from '../grpc/generated/facerec/v1/DetectedFace.js';
import { clipBox, type Box } from '../geometry/box.js';
import { warpToChip } from '../geometry/warp.js';
import { cropImage, encodeJpeg, resizeImage, scaleToLongSide, type RgbImage } from '../image/image.js';
import type { Box__Output } from '../grpc/generated/facerec/v1/Box.js';

/** Thumbnails show the face with some context around it. */
const THUMBNAIL_CONTEXT = 1.5;

/** The embedder's chip as 8-bit RGB (rounding the warp's bilinear samples). */
export function alignedChip(img: RgbImage, face: AlignableFace, alignment: ChipAlignment): Buffer {
  const size = alignment.size;
  const chip = new Float32Array(size * size * 3);
  warpToChip(img, alignment.transform(face), size, size, chip, 0);
  const bytes = Buffer.allocUnsafe(chip.length);
  for (let i = 0; i < chip.length; i++) bytes[i] = Math.min(255, Math.max(0, Math.round(chip[i]!)));
  return bytes;
}

/** A square JPEG around the face, at most `maxSize` px per side. */
export async function faceThumbnail(img: RgbImage, box: Box, maxSize: number): Promise<Buffer> {
  const side = Math.max(box.w, box.h) * THUMBNAIL_CONTEXT;
  const region = clipBox({ x: box.x + box.w / 2 - side / 2, y: box.y + box.h / 2 - side / 2, w: side, h: side }, img.width, img.height);
  let crop = cropImage(img, region.x, region.y, Math.max(1, region.w), Math.max(1, region.h));
  const { width: w, height: h } = crop;
  const s = Math.min(1, maxSize / Math.max(w, h));
  if (s < 1) crop = await resizeImage(crop, Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s)));
  return encodeJpeg(crop, 85);
}

/** What aligning a face needs, from the detector's reply (dlib's points when the landmark model ran). */
export function alignable(face: Pick<DetectedFace__Output, 'landmarks' | 'dlibPoints'>): AlignableFace {
  return {
    landmarks: face.landmarks.map((p) => [p.x, p.y]),
    dlibPoints: face.dlibPoints.length > 0 ? face.dlibPoints.map((p) => [p.x, p.y]) : undefined,
  };
}

/**
 * The image the detector needs for `scale` (its longer side at most `scale`, as the detector would
 * scale it itself), and the factors that bring its coordinates back to the full image. A photo
 * then crosses to the detector at the size it is analysed at, not at full resolution.
 */
export async function detectionImage(img: RgbImage, scale: number): Promise<{ image: RgbImage; sx: number; sy: number }> {
  if (Math.max(img.width, img.height) <= scale) return { image: img, sx: 1, sy: 1 };
  return scaleToLongSide(img, scale);
}

/** A detected face's box and points in the full image's pixels (see detectionImage). */
export function inFullImage<F extends { box: Box__Output | null; landmarks: { x: number; y: number }[]; dlibPoints: { x: number; y: number }[] }>(face: F, sx: number, sy: number): F {
  if (sx === 1 && sy === 1) return face;
  const b = face.box!;
  const point = (p: { x: number; y: number }) => ({ x: p.x * sx, y: p.y * sy });
  return { ...face, box: { x: b.x * sx, y: b.y * sy, w: b.w * sx, h: b.h * sy }, landmarks: face.landmarks.map(point), dlibPoints: face.dlibPoints.map(point) };
}

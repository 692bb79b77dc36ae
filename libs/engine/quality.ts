// How usable a face is for recognition, from its five points and its pixels: frontality (a face
// turned away puts the nose tip beside the eyes' midline) times sharpness (blur and upscaled tiny
// faces have little fine detail). Size is judged separately (libs/tracking qualityOf), so that
// the detector's, the tracker's and the thumbnail choice's notions of "a good face" agree.
import { estimateSimilarity, type Point } from '../geometry/similarity.js';
import { warpToChip } from '../geometry/warp.js';
import type { RgbImage } from '../image/image.js';
import { ARCFACE_CHIP_SIZE, ARCFACE_TEMPLATE } from './alignment.js';

/** Side of the grey patch sharpness is measured on (the aligned face at half the recogniser's chip). */
const PATCH = 56;
/** Laplacian variance at and above which a face counts as fully sharp (measured on in-focus faces at 56 px). */
const SHARP_VARIANCE = 120;

export interface LandmarkQuality {
  /** 1 frontal, 0 in full profile. */
  frontality: number;
  /** 0..1, saturating at SHARP_VARIANCE. */
  sharpness: number;
}

/**
 * 0.5..1: half of it frontality × sharpness. A turned or soft face ranks below a frontal, sharp
 * one when a track's faces are chosen for embedding, but is not excluded: a three-quarter face in
 * an audience shot (nose beside the near eye, frontality 0) is often all a clip shows of a person.
 */
export function landmarkQuality(img: RgbImage, landmarks: readonly Point[]): number {
  const q = qualityParts(img, landmarks);
  return 0.5 + 0.5 * q.frontality * q.sharpness;
}

export function qualityParts(img: RgbImage, landmarks: readonly Point[]): LandmarkQuality {
  return { frontality: frontality(landmarks), sharpness: sharpness(img, landmarks) };
}

/**
 * Where the nose tip sits between the eyes, in the eyes' own frame: 0.5 for a frontal face, toward
 * 0 or 1 as the head turns. Mapped so that 0.5 → 1 and the eyes' positions → 0.
 */
export function frontality(landmarks: readonly Point[]): number {
  const [a, b, nose, ma, mb] = landmarks as [Point, Point, Point, Point, Point];
  const ex = b[0] - a[0];
  const ey = b[1] - a[1];
  const len2 = ex * ex + ey * ey;
  if (!(len2 > 0)) return 0;
  const along = (p: Point) => ((p[0] - a[0]) * ex + (p[1] - a[1]) * ey) / len2;
  // Nose and mouth centre both: a rolled or pitched face keeps them near the midline, a turned one does not.
  const mouth: Point = [(ma[0] + mb[0]) / 2, (ma[1] + mb[1]) / 2];
  const off = Math.max(Math.abs(along(nose) - 0.5), Math.abs(along(mouth) - 0.5) * 0.5);
  return clamp01(1 - 2 * off);
}

/** Variance of the 4-neighbour Laplacian over the aligned grey face, scaled to 0..1. */
export function sharpness(img: RgbImage, landmarks: readonly Point[]): number {
  const k = PATCH / ARCFACE_CHIP_SIZE;
  const t = estimateSimilarity(landmarks, ARCFACE_TEMPLATE.map(([x, y]) => [x * k, y * k] as Point));
  const rgb = warpToChip(img, t, PATCH, PATCH);
  const grey = new Float32Array(PATCH * PATCH);
  for (let i = 0; i < grey.length; i++) grey[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  // The inner face only (eyes to mouth), away from hair and background.
  for (let y = 12; y < PATCH - 8; y++)
    for (let x = 10; x < PATCH - 10; x++) {
      const i = y * PATCH + x;
      const lap = grey[i - 1]! + grey[i + 1]! + grey[i - PATCH]! + grey[i + PATCH]! - 4 * grey[i]!;
      sum += lap;
      sum2 += lap * lap;
      n++;
    }
  const variance = sum2 / n - (sum / n) ** 2;
  return clamp01(variance / SHARP_VARIANCE);
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}

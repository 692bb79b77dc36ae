// Where each network expects a face: landmark templates and the similarity that puts a face there.
import { estimateSimilarity, type Point, type Similarity } from '../geometry/similarity.js';

/**
 * dlib's 5-point chip template (dlib/image_transforms/interpolation.h, get_face_chip_details):
 * outer and inner corner of the subject's left eye, outer and inner corner of the right eye,
 * bottom of the nose; unit square before padding.
 */
const DLIB_FIVE_POINTS: readonly Point[] = [
  [0.8595674595992, 0.2134981538014],
  [0.6460604764104, 0.2289674387677],
  [0.1205750620789, 0.2137274526848],
  [0.3340850613712, 0.2290642403242],
  [0.4901123135679, 0.6277975316475],
];

/** The chip dlib's face recognition ResNet was trained on: 150 px, padding 0.25. */
export const DLIB_CHIP = { size: 150, padding: 0.25 } as const;

/** Template points in chip pixels for a chip of `size` with dlib's `padding`. */
export function dlibTemplate(size: number = DLIB_CHIP.size, padding: number = DLIB_CHIP.padding): Point[] {
  return DLIB_FIVE_POINTS.map(([x, y]) => [((padding + x) / (2 * padding + 1)) * size, ((padding + y) / (2 * padding + 1)) * size]);
}

/** FaceMesh indices that play dlib's five points (≈ 68-point indices 45, 42, 36, 39, 33). */
export const FACEMESH_DLIB_POINTS = [263, 362, 33, 133, 2] as const;

/** Similarity mapping a face's five dlib-ordered points onto the dlib chip. */
export function dlibChipTransform(fivePoints: readonly Point[], size: number = DLIB_CHIP.size, padding: number = DLIB_CHIP.padding): Similarity {
  return estimateSimilarity(fivePoints, dlibTemplate(size, padding));
}

/**
 * A square, upright crop around a centre: maps the image so that `centre` lands in the middle of
 * a `chipSize` chip, a `side`-pixel square fills it, and a face rolled by `angle` (radians,
 * image coordinates) comes out upright.
 */
export function squareCropTransform(centre: Point, side: number, angle: number, chipSize: number): Similarity {
  const k = chipSize / side;
  const a = k * Math.cos(-angle);
  const b = k * Math.sin(-angle);
  const mid = (chipSize - 1) / 2;
  return { a, b, tx: mid - (a * centre[0] - b * centre[1]), ty: mid - (b * centre[0] + a * centre[1]) };
}

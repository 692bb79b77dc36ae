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

/**
 * The ArcFace 5-point template at 112 px (insightface's arcface_dst): eye on the image's left,
 * the other eye, nose tip, mouth corner on the image's left, the other mouth corner.
 */
export const ARCFACE_TEMPLATE: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];
export const ARCFACE_CHIP_SIZE = 112;

/** What aligning a face needs: its five points in ArcFace order, and dlib's five when FaceMesh found them. */
export interface AlignableFace {
  /** ArcFace order (see ARCFACE_TEMPLATE), image pixels. */
  landmarks: readonly Point[];
  /** dlib's five points (FaceMesh's eye corners and nose), when the landmark model ran. */
  dlibPoints?: readonly Point[];
}

/** Where a recogniser wants a face: its chip size and the similarity that puts a face there. */
export interface ChipAlignment {
  size: number;
  transform(face: AlignableFace): Similarity;
}

const ARCFACE_ALIGNMENT: ChipAlignment = {
  size: ARCFACE_CHIP_SIZE,
  transform: (face) => estimateSimilarity(face.landmarks, ARCFACE_TEMPLATE),
};

/**
 * dlib's chip. With FaceMesh's points, dlib's own 5-point template; with a detector's ArcFace
 * points only (eye centres, nose tip, mouth), the two eye centres onto the template's eye centres
 * — dlib's nose point (below the nose) is not the nose tip, and its template has no mouth.
 */
const DLIB_ALIGNMENT: ChipAlignment = {
  size: DLIB_CHIP.size,
  transform: (face) => {
    if (face.dlibPoints) return dlibChipTransform(face.dlibPoints);
    const t = dlibTemplate();
    const leftInImage: Point = [(t[2]![0] + t[3]![0]) / 2, (t[2]![1] + t[3]![1]) / 2];
    const rightInImage: Point = [(t[0]![0] + t[1]![0]) / 2, (t[0]![1] + t[1]![1]) / 2];
    return estimateSimilarity([face.landmarks[0]!, face.landmarks[1]!], [leftInImage, rightInImage]);
  },
};

export function alignmentFor(embedder: string): ChipAlignment {
  if (embedder === 'dlib-resnet') return DLIB_ALIGNMENT;
  if (embedder === 'faceplugin-fr512' || embedder === 'faceplugin-fr512-int8') return ARCFACE_ALIGNMENT;
  throw new Error(`no chip alignment for embedder '${embedder}'`);
}

/** FaceMesh indices of the ArcFace points: eye centres (corner pairs), nose tip, mouth corners. */
export const FACEMESH_EYE_CORNERS = [
  [33, 133],
  [263, 362],
] as const;
export const FACEMESH_NOSE_TIP = 1;
export const FACEMESH_MOUTH_CORNERS = [61, 291] as const;

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

// What every detector takes: the scale a frame is analysed at (SPEC `face_detection_scale`), the
// least score kept and the NMS overlap. Kept apart from the networks so that request validation
// can use the limits without loading ONNX Runtime.

export interface DetectOptions {
  /** Longer side, in px, the image is scaled to before detection (SPEC: 100–2000, default 600). */
  scale?: number;
  /** Minimum face probability kept (0..1). */
  minScore?: number;
  /** Overlap above which detections are merged. */
  iouThreshold?: number;
}

export const DEFAULT_DETECTION_SCALE = 600;
export const MIN_DETECTION_SCALE = 100;
export const MAX_DETECTION_SCALE = 2000;

export function checkScale(scale: number): number {
  if (!Number.isInteger(scale) || scale < MIN_DETECTION_SCALE || scale > MAX_DETECTION_SCALE) {
    throw new RangeError(`face_detection_scale must be an integer from ${MIN_DETECTION_SCALE} to ${MAX_DETECTION_SCALE}, got ${scale}`);
  }
  return scale;
}

// Which networks an installation runs (catalog names), read from the environment. Kept apart from
// the engine so that configuration can name them without loading ONNX Runtime.
export const DETECTORS = ['yunet', 'yunet-int8', 'yunet-n', 'blazeface'] as const;
export type DetectorName = (typeof DETECTORS)[number];
export const DEFAULT_DETECTOR: DetectorName = 'yunet';

/**
 * Whether a detector's landmarks are found at the detection scale (YuNet's own five points), so a
 * photo may be sent to it already scaled; BlazeFace's are refined by FaceMesh on crops of the full
 * image (2–3 px further off, at full resolution, from a scaled photo), so it gets the whole image.
 */
export const LANDMARKS_AT_DETECTION_SCALE: Record<DetectorName, boolean> = { yunet: true, 'yunet-int8': true, 'yunet-n': true, blazeface: false };

/** faceplugin-fr512-int8: the same network quantised to int8 by the model build (models/README.md, "int8"). */
export const EMBEDDERS = ['faceplugin-fr512', 'faceplugin-fr512-int8', 'dlib-resnet'] as const;
export type EmbedderName = (typeof EMBEDDERS)[number];
export const DEFAULT_EMBEDDER: EmbedderName = 'faceplugin-fr512';

/** FACEREC_DETECTOR, or the default. */
export function detectorFromEnv(env: NodeJS.ProcessEnv = process.env): DetectorName {
  const name = env.FACEREC_DETECTOR ?? DEFAULT_DETECTOR;
  if (!(DETECTORS as readonly string[]).includes(name)) throw new Error(`unknown detector '${name}' (${DETECTORS.join(', ')})`);
  return name as DetectorName;
}

/** FACEREC_EMBEDDER, or the default. */
export function embedderFromEnv(env: NodeJS.ProcessEnv = process.env): EmbedderName {
  const name = env.FACEREC_EMBEDDER ?? DEFAULT_EMBEDDER;
  if (!(EMBEDDERS as readonly string[]).includes(name)) throw new Error(`unknown embedder '${name}' (${EMBEDDERS.join(', ')})`);
  return name as EmbedderName;
}

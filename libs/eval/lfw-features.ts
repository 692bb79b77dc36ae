// Per-image features for LFW verification: the engine's pipeline and its candidate variants
// measured in one pass, so the choice of the default (test-time augmentation, preprocessing)
// rests on numbers.
import type { FaceEngine } from '../engine/engine.js';
import { centreFaceOf } from './photo-embeddings.js';
import { meanOfViews, type EmbedOptions } from '../engine/embedder.js';

/**
 * The variants measured: the default (the chip and its mirror image averaged), the chip alone —
 * both from the same two network runs — and, with `extra`, preprocessing candidates that need
 * runs of their own.
 */
export const DEFAULT_VARIANT = 'default pipeline';
export const NO_MIRROR = 'no mirror';
const EXTRA_VARIANTS: Record<string, Record<string, EmbedOptions>> = {
  'faceplugin-fr512': { 'mirror, (x - 127) / 128 as the vendor code': { flip: true, inputMean: 127 } },
};

/** Variant name → embedding of the face nearest the image centre. */
export type ImageFeatures = Record<string, Float32Array>;

export function variantNames(engine: FaceEngine, extra: boolean): string[] {
  return [DEFAULT_VARIANT, NO_MIRROR, ...(extra ? Object.keys(EXTRA_VARIANTS[engine.embedder.model] ?? {}) : [])];
}

/** Features of the face nearest the image centre, or null when no face is found. */
export async function extractLfwFeatures(engine: FaceEngine, path: string, scale: number, extra: boolean): Promise<ImageFeatures | null> {
  const found = await centreFaceOf(engine, path, scale);
  if (!found) return null;
  const { img, face } = found;
  const chip = engine.embedder.alignChips(img, [face]);
  const [views] = (await engine.embedder.embedChipViews(chip, 1, { flip: true })) as [Float32Array[]];
  const features: ImageFeatures = { [DEFAULT_VARIANT]: meanOfViews(views, engine.embedder.unitVectors), [NO_MIRROR]: views[0]! };
  if (extra) for (const [name, options] of Object.entries(EXTRA_VARIANTS[engine.embedder.model] ?? {})) [features[name]] = (await engine.embedder.embedChips(chip, 1, options)) as [Float32Array];
  return features;
}

import type { Box } from '../geometry/box.js';
// `facerec eval wider`: detection AP on a WIDER FACE subset, overall and by face height.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, type RgbImage } from '../image/image.js';
import { Progress } from './progress.js';
import { averagePrecision, parseWiderGroundTruth, type Detection, type WiderImage } from './wider.js';

export const HEIGHT_BANDS = [
  { name: '<16', min: 0, max: 16 },
  { name: '16-32', min: 16, max: 32 },
  { name: '32-64', min: 32, max: 64 },
  { name: '>=64', min: 64, max: Infinity },
] as const;

export interface WiderScaleResult {
  scale: number;
  ap: number;
  ap_min32: number;
  ap_by_height: Record<string, number>;
  positives_by_height: Record<string, number>;
  ms_per_image: number;
}

/** Lowest detector score kept: low enough to trace the whole precision/recall curve. */
const EVAL_MIN_SCORE = 0.3;

export function readWider(gtFile: string): WiderImage[] {
  return parseWiderGroundTruth(readFileSync(gtFile, 'utf8'));
}

/** Anything that finds faces at a scale: the engine's locator (detector + landmarks), or a bare detector. */
export interface ScaledFaceFinder {
  locate(img: RgbImage, opts: { scale: number; minScore: number }): Promise<{ box: Box; score: number }[]>;
}

export async function evaluateWider(detector: ScaledFaceFinder, images: WiderImage[], imagesDir: string, scale: number): Promise<WiderScaleResult> {
  const progress = new Progress(`wider @${scale}`, images.length);
  const scored: { gt: WiderImage['faces']; detections: Detection[] }[] = [];
  let detectMs = 0;
  for (const image of images) {
    const img = await decodeImage(join(imagesDir, image.file));
    const started = performance.now();
    const faces = await detector.locate(img, { scale, minScore: EVAL_MIN_SCORE });
    detectMs += performance.now() - started;
    scored.push({ gt: image.faces, detections: faces.map((f) => ({ box: f.box, score: f.score })) });
    progress.tick();
  }
  progress.done();
  const byHeight: Record<string, number> = {};
  const positives: Record<string, number> = {};
  for (const band of HEIGHT_BANDS) {
    const r = averagePrecision(scored, { minHeight: band.min, maxHeight: band.max });
    byHeight[band.name] = r.ap;
    positives[band.name] = r.positives;
  }
  return {
    scale,
    ap: averagePrecision(scored, {}).ap,
    ap_min32: averagePrecision(scored, { minHeight: 32 }).ap,
    ap_by_height: byHeight,
    positives_by_height: positives,
    ms_per_image: detectMs / images.length,
  };
}

export function widerTable(results: WiderScaleResult[]): string[] {
  const lines = [
    `| scale | AP all | AP ≥32 px | ${HEIGHT_BANDS.map((b) => `AP ${b.name}`).join(' | ')} | ms / image |`,
    `|---|---|---|${HEIGHT_BANDS.map(() => '---').join('|')}|---|`,
  ];
  for (const r of results) {
    lines.push(`| ${r.scale} | ${r.ap.toFixed(3)} | ${r.ap_min32.toFixed(3)} | ${HEIGHT_BANDS.map((b) => r.ap_by_height[b.name]!.toFixed(3)).join(' | ')} | ${r.ms_per_image.toFixed(0)} |`);
  }
  const first = results[0];
  if (first) lines.push(`faces per band: ${HEIGHT_BANDS.map((b) => `${b.name}: ${first.positives_by_height[b.name]}`).join(', ')}`);
  return lines;
}

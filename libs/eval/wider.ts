// WIDER FACE ground truth and detection average precision.
import { iou, type Box } from '../geometry/box.js';

export interface WiderFace {
  box: Box;
  /** 0 clear, 1 normal, 2 heavy. */
  blur: number;
  /** 0 none, 1 partial, 2 heavy. */
  occlusion: number;
  /** 0 typical, 1 atypical. */
  pose: number;
  /** Box the annotators marked as not to be scored. */
  invalid: boolean;
}

export interface WiderImage {
  file: string;
  faces: WiderFace[];
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Text layout: a line with the image path, a line with the face count, then one line per face.
 * Two face-line layouts are accepted, told apart by their field count:
 * - 8 fields, as in the development subset: x y w h blur occlusion pose invalid;
 * - 10 fields, as in the official wider_face_*_bbx_gt.txt:
 *   x y w h blur expression illumination invalid occlusion pose.
 * A face line of all zeros is a placeholder, not a face: the official files write one after a
 * count of 0, and some copies write it under a count of 1. Either way the image gets no faces.
 */
export function parseWiderGroundTruth(text: string): WiderImage[] {
  const lines: { number: number; text: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed !== '') lines.push({ number: i + 1, text: trimmed });
  });
  const images: WiderImage[] = [];
  let i = 0;
  while (i < lines.length) {
    const pathLine = lines[i++]!;
    if (pathLine.text.split(/\s+/).every((f) => NUMBER.test(f))) {
      throw new Error(`WIDER ground truth line ${pathLine.number}: expected an image path, got "${pathLine.text}"`);
    }
    const countLine = lines[i++];
    if (countLine === undefined || !/^\d+$/.test(countLine.text)) {
      const got = countLine === undefined ? 'end of file' : `"${countLine.text}"`;
      throw new Error(`WIDER ground truth line ${countLine?.number ?? pathLine.number + 1}: expected a face count, got ${got}`);
    }
    const count = Number(countLine.text);
    const faces: WiderFace[] = [];
    if (count === 0) {
      const next = lines[i];
      if (next !== undefined && isPlaceholder(next.text.split(/\s+/))) i++;
    }
    for (let k = 0; k < count; k++) {
      const line = lines[i++];
      if (line === undefined) {
        throw new Error(`WIDER ground truth: file ends inside the faces of ${pathLine.text} (expected ${count}, line ${countLine.number})`);
      }
      const face = parseFaceLine(line);
      if (face !== null) faces.push(face);
    }
    images.push({ file: pathLine.text, faces });
  }
  return images;
}

function isPlaceholder(fields: string[]): boolean {
  return fields.length >= 4 && fields.every((f) => NUMBER.test(f) && Number(f) === 0);
}

function parseFaceLine(line: { number: number; text: string }): WiderFace | null {
  const fields = line.text.split(/\s+/);
  if (!fields.every((f) => NUMBER.test(f)) || (fields.length !== 8 && fields.length !== 10)) {
    throw new Error(`WIDER ground truth line ${line.number}: expected 8 or 10 numbers per face, got "${line.text}"`);
  }
  if (isPlaceholder(fields)) return null;
  const v = fields.map(Number);
  const box = { x: v[0]!, y: v[1]!, w: v[2]!, h: v[3]! };
  if (v.length === 8) {
    return { box, blur: v[4]!, occlusion: v[5]!, pose: v[6]!, invalid: v[7] === 1 };
  }
  return { box, blur: v[4]!, occlusion: v[8]!, pose: v[9]!, invalid: v[7] === 1 };
}

export interface Detection {
  box: Box;
  score: number;
}

/**
 * Average precision over a set of images, VOC-style all-point interpolation (area under the
 * precision envelope), with a detection counted correct at IoU >= `iou` (default 0.5).
 *
 * Ignored ground truth: faces marked invalid, faces with zero width or height (unmatchable
 * annotation slips), and faces whose height lies outside [minHeight, maxHeight). A detection that
 * matches an ignored face is neither a true nor a false positive, and ignored faces do not count
 * in `positives`.
 *
 * Matching: within an image, detections in descending score order each take the unmatched
 * ground-truth face of highest IoU, preferring faces that are scored over ignored ones (as COCO
 * does), so an ignored face overlapping a scored one cannot steal its true positive.
 *
 * Size bands: a detection that matches nothing and whose own height is far outside the band
 * (< minHeight/2 or >= maxHeight*2) is ignored rather than counted as a false positive. WIDER
 * leaves many faces unlabelled, and a per-size evaluation would otherwise punish a detector for
 * finding faces that belong to another band — the same reason per-size evaluations (WIDER's
 * easy/medium/hard, COCO's area ranges) drop out-of-range detections. The factor of 2 keeps
 * detections near the band, whose size estimate may simply be off, counted.
 *
 * `ap` is NaN when there are no scored faces (nothing to recall).
 */
export function averagePrecision(
  images: { gt: WiderFace[]; detections: Detection[] }[],
  opts: { iou?: number; minHeight?: number; maxHeight?: number },
): { ap: number; positives: number } {
  const iouThreshold = opts.iou ?? 0.5;
  const minHeight = opts.minHeight ?? 0;
  const maxHeight = opts.maxHeight ?? Infinity;

  let positives = 0;
  const counted: { score: number; truePositive: boolean }[] = [];

  for (const image of images) {
    const ignored = image.gt.map(
      (f) => f.invalid || !(f.box.w > 0) || !(f.box.h > 0) || f.box.h < minHeight || f.box.h >= maxHeight,
    );
    for (const ig of ignored) if (!ig) positives++;
    const taken = new Array<boolean>(image.gt.length).fill(false);
    const detections = [...image.detections].sort((p, q) => q.score - p.score);

    for (const det of detections) {
      const scoredMatch = bestMatch(image.gt, det.box, iouThreshold, (g) => !taken[g] && !ignored[g]);
      if (scoredMatch >= 0) {
        taken[scoredMatch] = true;
        counted.push({ score: det.score, truePositive: true });
        continue;
      }
      const ignoredMatch = bestMatch(image.gt, det.box, iouThreshold, (g) => !taken[g] && ignored[g] === true);
      if (ignoredMatch >= 0) {
        taken[ignoredMatch] = true;
        continue;
      }
      if (det.box.h < minHeight / 2 || det.box.h >= maxHeight * 2) continue;
      counted.push({ score: det.score, truePositive: false });
    }
  }

  if (positives === 0) return { ap: NaN, positives };
  counted.sort((p, q) => q.score - p.score);
  return { ap: interpolatedAp(counted, positives), positives };
}

/** Index of the eligible face with the highest IoU >= threshold, or -1. */
function bestMatch(gt: WiderFace[], box: Box, threshold: number, eligible: (g: number) => boolean): number {
  let best = -1;
  let bestIou = threshold;
  for (let g = 0; g < gt.length; g++) {
    if (!eligible(g)) continue;
    const overlap = iou(box, gt[g]!.box);
    if (overlap >= bestIou && (best < 0 || overlap > bestIou)) {
      best = g;
      bestIou = overlap;
    }
  }
  return best;
}

/** VOC 2010+ AP: area under the precision envelope (max precision at any recall >= r), all points. */
function interpolatedAp(sorted: { truePositive: boolean }[], positives: number): number {
  const recall: number[] = [0];
  const precision: number[] = [0];
  let tp = 0;
  for (let k = 0; k < sorted.length; k++) {
    if (sorted[k]!.truePositive) tp++;
    recall.push(tp / positives);
    precision.push(tp / (k + 1));
  }
  recall.push(1);
  precision.push(0);
  for (let k = precision.length - 2; k >= 0; k--) precision[k] = Math.max(precision[k]!, precision[k + 1]!);
  let ap = 0;
  for (let k = 1; k < recall.length; k++) ap += (recall[k]! - recall[k - 1]!) * precision[k]!;
  return ap;
}

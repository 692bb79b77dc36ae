// Axis-aligned boxes. Every function is unit-agnostic: the same code serves pixel boxes and
// boxes normalised to 0..1.

/** Top-left corner plus size. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Negative sizes count as empty rather than negative, so a malformed box can never add area. */
export function area(b: Box): number {
  return Math.max(0, b.w) * Math.max(0, b.h);
}

export function iou(a: Box, b: Box): number {
  const iw = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const ih = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (iw <= 0 || ih <= 0) return 0;
  const intersection = iw * ih;
  const union = area(a) + area(b) - intersection;
  return union > 0 ? intersection / union : 0;
}

/** Indices by descending score; Array.prototype.sort is stable, so equal scores keep input order. */
function byScoreDescending(items: readonly { score: number }[]): number[] {
  return items.map((_, i) => i).sort((i, j) => items[j]!.score - items[i]!.score);
}

/**
 * Greedy non-maximum suppression: keeps the best-scoring box, drops every remaining box whose
 * IoU with it exceeds `iouThreshold`, and repeats. Equal scores keep their input order, so the
 * result does not depend on the sort implementation. The input array is not modified.
 */
export function nms<T extends { box: Box; score: number }>(items: T[], iouThreshold: number, limit = Infinity): T[] {
  const kept: T[] = [];
  for (const i of byScoreDescending(items)) {
    if (kept.length >= limit) break;
    const candidate = items[i]!;
    if (kept.every((k) => iou(k.box, candidate.box) <= iouThreshold)) kept.push(candidate);
  }
  return kept;
}

/**
 * BlazeFace/MediaPipe-style weighted NMS: the best-scoring box and every remaining box whose IoU
 * with it exceeds `iouThreshold` form a cluster; the cluster is replaced by one box, the
 * score-weighted average of its members. Averaging steadies the jittery boxes of anchor-based
 * detectors, which fire several anchors per face. The output item is the top item with only its
 * box replaced (score and other fields, e.g. landmarks, are the top item's).
 */
export function weightedNms<T extends { box: Box; score: number }>(items: T[], iouThreshold: number): T[] {
  const remaining = byScoreDescending(items);
  const result: T[] = [];
  while (remaining.length > 0) {
    const topIndex = remaining[0]!;
    const top = items[topIndex]!;
    const cluster: T[] = [];
    const rest: number[] = [];
    for (const i of remaining) {
      const item = items[i]!;
      if (i === topIndex || iou(top.box, item.box) > iouThreshold) cluster.push(item);
      else rest.push(i);
    }
    let weight = 0;
    let x = 0;
    let y = 0;
    let w = 0;
    let h = 0;
    for (const m of cluster) {
      weight += m.score;
      x += m.box.x * m.score;
      y += m.box.y * m.score;
      w += m.box.w * m.score;
      h += m.box.h * m.score;
    }
    // Zero or negative total weight (all scores 0, or logits) cannot weight anything: keep the top box.
    const box = cluster.length > 1 && weight > 0 ? { x: x / weight, y: y / weight, w: w / weight, h: h / weight } : { ...top.box };
    result.push({ ...top, box });
    remaining.length = 0;
    remaining.push(...rest);
  }
  return result;
}

/** Intersection with the image rectangle; a box fully outside collapses to zero size at the nearest edge. */
export function clipBox(b: Box, width: number, height: number): Box {
  const x0 = Math.min(Math.max(b.x, 0), width);
  const y0 = Math.min(Math.max(b.y, 0), height);
  const x1 = Math.min(Math.max(b.x + b.w, x0), width);
  const y1 = Math.min(Math.max(b.y + b.h, y0), height);
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** Scales about the origin (not the box centre): converts between pixel and normalised units, or between image scales. */
export function scaleBox(b: Box, sx: number, sy: number = sx): Box {
  return { x: b.x * sx, y: b.y * sy, w: b.w * sx, h: b.h * sy };
}

/** Smallest box holding every point. */
export function boundingBox(points: readonly (readonly [number, number])[]): Box {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/**
 * Drops items lying inside a much larger item: at least `inside` of their area within it, which is
 * at least `areaRatio` times their size. Upscaled detector levels fire on parts of a large face
 * (an eye, a nose) with confident scores; among confirmed faces, none is nested in another.
 */
export function dropNested<T extends { box: Box }>(items: T[], areaRatio = 2.5, inside = 0.7): T[] {
  return items.filter((small) => !items.some((big) => big !== small && area(big.box) >= areaRatio * area(small.box) && insideFraction(small.box, big.box) >= inside));
}

/** Fraction of `inner`'s area that lies within `outer`. */
export function insideFraction(inner: Box, outer: Box): number {
  const w = Math.min(inner.x + inner.w, outer.x + outer.w) - Math.max(inner.x, outer.x);
  const h = Math.min(inner.y + inner.h, outer.y + outer.h) - Math.max(inner.y, outer.y);
  return w > 0 && h > 0 ? (w * h) / area(inner) : 0;
}

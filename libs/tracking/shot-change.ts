// Shot changes between sampled frames. A face track must not continue across a cut: another
// person can sit where a face was one sample earlier (samples are ~0.5 s apart, so box overlap
// alone does not tell). A cut changes the colours of the whole picture at once; motion within a
// shot moves some of them around. Two cues, summed: the colour histogram distance (what colours
// the picture has) and the mean change of a coarse colour grid (where they are).
//
// Measured on short_hamilton_clip.mp4 at its default sampling (every 15th frame): the three cuts
// score 0.39, 0.47 and 0.59; steps within a shot score at most 0.32 (a performer moving fast).
// One clip is thin evidence: the threshold is a constant here so that it is easy to revisit.

/** Score (histogram distance + grid change / 100) from which a sample starts a new shot. */
export const CUT_SCORE = 0.36;
const GRID_W = 16;
const GRID_H = 9;
/** Pixels are sampled every STRIDE-th row and column: the signature is coarse on purpose. */
const STRIDE = 4;

export interface FrameSignature {
  /** 8x8x8 RGB histogram, normalised to sum 1. */
  histogram: Float32Array;
  /** Mean R, G, B of each cell of a GRID_W x GRID_H grid. */
  grid: Float32Array;
}

export function frameSignature(rgb: Uint8Array, width: number, height: number): FrameSignature {
  const histogram = new Float32Array(512);
  const grid = new Float32Array(GRID_W * GRID_H * 3);
  const counts = new Uint32Array(GRID_W * GRID_H);
  let n = 0;
  for (let y = 0; y < height; y += STRIDE) {
    const gy = Math.min(GRID_H - 1, Math.floor((y * GRID_H) / height));
    for (let x = 0; x < width; x += STRIDE) {
      const i = (y * width + x) * 3;
      const r = rgb[i]!;
      const g = rgb[i + 1]!;
      const b = rgb[i + 2]!;
      histogram[(r >> 5) * 64 + (g >> 5) * 8 + (b >> 5)]!++;
      const cell = gy * GRID_W + Math.min(GRID_W - 1, Math.floor((x * GRID_W) / width));
      grid[cell * 3]! += r;
      grid[cell * 3 + 1]! += g;
      grid[cell * 3 + 2]! += b;
      counts[cell]!++;
      n++;
    }
  }
  for (let k = 0; k < histogram.length; k++) histogram[k]! /= Math.max(1, n);
  for (let c = 0; c < counts.length; c++) for (let k = 0; k < 3; k++) grid[c * 3 + k]! /= Math.max(1, counts[c]!);
  return { histogram, grid };
}

/** How different two frames look: 0 for identical, ~0.4 and above for a cut. */
export function changeScore(a: FrameSignature, b: FrameSignature): number {
  let overlap = 0;
  for (let k = 0; k < a.histogram.length; k++) overlap += Math.min(a.histogram[k]!, b.histogram[k]!);
  let change = 0;
  for (let k = 0; k < a.grid.length; k++) change += Math.abs(a.grid[k]! - b.grid[k]!);
  return 1 - overlap + change / a.grid.length / 100;
}

/** Feeds sampled frames in order; says whether each one starts a new shot. */
export class ShotChangeDetector {
  private previous: FrameSignature | null = null;

  isCut(rgb: Uint8Array, width: number, height: number): boolean {
    const signature = frameSignature(rgb, width, height);
    const cut = this.previous !== null && changeScore(this.previous, signature) >= CUT_SCORE;
    this.previous = signature;
    return cut;
  }
}

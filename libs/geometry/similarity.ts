// 2-D similarity transforms (rotation, uniform scale, translation) for face alignment: landmarks
// found in the photo are mapped onto a template, and the chip is sampled through that transform.
//
// A similarity is the complex map z' = s*z + t with s = a + ib and t = tx + i*ty, which is why
// the formulas below (inverse, composition, least squares) are one-liners in complex arithmetic.

export type Point = [number, number];

/** x' = a*x - b*y + tx ; y' = b*x + a*y + ty (rotation+uniform scale+translation, no reflection) */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/**
 * Relative size under which a point spread counts as zero: coincident landmarks (a failed
 * detector output) would otherwise give a huge or singular transform instead of an error.
 */
const DEGENERATE_SPREAD = 1e-12;

/**
 * Least-squares similarity mapping `src` onto `dst`. This is Umeyama's solution restricted to
 * proper rotations: in complex form the optimum is s = Σ conj(p)·q / Σ |p|², with p, q the centred
 * points, and t = mean(dst) − s·mean(src). Reflections are excluded by construction, as a mirrored
 * face must not be aligned as if it were unmirrored.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Similarity {
  if (src.length !== dst.length) {
    throw new Error(`estimateSimilarity: ${src.length} source points but ${dst.length} destination points`);
  }
  const n = src.length;
  if (n < 2) throw new Error(`estimateSimilarity: needs at least 2 point pairs, got ${n}`);
  for (const [x, y] of [...src, ...dst]) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error('estimateSimilarity: points must be finite');
  }

  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]![0];
    sy += src[i]![1];
    dx += dst[i]![0];
    dy += dst[i]![1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;

  let srcSpread = 0;
  let dstSpread = 0;
  let srcMagnitude = 0;
  let dstMagnitude = 0;
  let re = 0; // Re Σ conj(p)·q
  let im = 0; // Im Σ conj(p)·q
  for (let i = 0; i < n; i++) {
    const [x0, y0] = src[i]!;
    const [x1, y1] = dst[i]!;
    const px = x0 - sx;
    const py = y0 - sy;
    const qx = x1 - dx;
    const qy = y1 - dy;
    srcSpread += px * px + py * py;
    dstSpread += qx * qx + qy * qy;
    srcMagnitude += x0 * x0 + y0 * y0;
    dstMagnitude += x1 * x1 + y1 * y1;
    re += px * qx + py * qy;
    im += px * qy - py * qx;
  }
  if (!(srcSpread > DEGENERATE_SPREAD * Math.max(srcMagnitude, 1))) {
    throw new Error('estimateSimilarity: source points are (nearly) coincident');
  }
  if (!(dstSpread > DEGENERATE_SPREAD * Math.max(dstMagnitude, 1))) {
    throw new Error('estimateSimilarity: destination points are (nearly) coincident');
  }
  const a = re / srcSpread;
  const b = im / srcSpread;
  // dst spread but no correlation (e.g. points mapped through a reflection of a symmetric set):
  // the best proper similarity collapses everything to a point, which is useless for alignment.
  if (!(a * a + b * b > DEGENERATE_SPREAD * (dstSpread / srcSpread))) {
    throw new Error('estimateSimilarity: no proper similarity relates the points (best fit has zero scale)');
  }
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

export function applySimilarity(s: Similarity, p: Point): Point {
  const [x, y] = p;
  return [s.a * x - s.b * y + s.tx, s.b * x + s.a * y + s.ty];
}

/** z = (z' − t)/s; throws for a zero-scale transform, which has no inverse. */
export function invertSimilarity(s: Similarity): Similarity {
  const norm = s.a * s.a + s.b * s.b;
  if (!(norm > 0) || !Number.isFinite(norm)) throw new Error('invertSimilarity: transform has zero or non-finite scale');
  const a = s.a / norm;
  const b = -s.b / norm;
  return { a, b, tx: -(a * s.tx - b * s.ty), ty: -(b * s.tx + a * s.ty) };
}

/** The transform that applies `first`, then `then`: z ↦ s₂(s₁z + t₁) + t₂. */
export function composeSimilarity(first: Similarity, then: Similarity): Similarity {
  return {
    a: then.a * first.a - then.b * first.b,
    b: then.a * first.b + then.b * first.a,
    tx: then.a * first.tx - then.b * first.ty + then.tx,
    ty: then.b * first.tx + then.a * first.ty + then.ty,
  };
}

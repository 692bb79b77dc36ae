// Maps an embedder's native distance onto the contract's 0..2 scale (SPEC §1: s = 1 − d²/2).
//
// dlib descriptors compare best by raw Euclidean distance r (their norm carries information),
// which is unbounded and whose natural threshold (~0.55) means nothing on the contract's scale.
// d = 2r / (r + t) is monotone, 0 at r = 0, exactly 1 at the fitted threshold t, and tends to 2 as
// r grows: so `max_distance` 1.0 is the fitted operating point, every other max_distance is a
// stricter or looser threshold on r, and ranking by r (what the vector index does) is ranking by d.

/** Contract distance (0..2) from a raw distance. */
export function calibratedDistance(raw: number, threshold: number): number {
  return raw <= 0 ? 0 : (2 * raw) / (raw + threshold);
}

/** Raw distance that a contract distance stands for (inverse of calibratedDistance; Infinity at 2). */
export function rawDistance(distance: number, threshold: number): number {
  if (distance >= 2) return Infinity;
  return (distance * threshold) / (2 - distance);
}

/** The contract's similarity for a contract distance. */
export function similarityOf(distance: number): number {
  return 1 - (distance * distance) / 2;
}

/**
 * The contract distance for an embedder's raw Euclidean distance: its catalog calibration when it
 * has one (dlib), else the raw distance itself (unit vectors already live on the 0..2 scale).
 */
export function contractDistanceFor(calibration: { threshold: number } | undefined): (raw: number) => number {
  if (!calibration) return (raw) => raw;
  const t = calibration.threshold;
  return (raw) => calibratedDistance(raw, t);
}

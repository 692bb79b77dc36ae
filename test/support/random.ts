// Deterministic test inputs.

/** A seeded 32-bit generator (mulberry32): each call gives the next unsigned integer, the same every run. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** `count` uniform pixel values 0..255 from a seeded generator: the same every run. */
export function randomPixels(count: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: count }, () => (next() / 4294967296) * 255);
}

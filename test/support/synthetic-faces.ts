// Synthetic face embeddings for the celebrities build's tests: a person is a random direction
// (128-d), a photo of them that direction plus noise (unit vectors; photos of one person ~0.6–0.9
// apart, of two people ~1.41). Seeded: the same vectors every run, in call order.

export function syntheticFaces(seed: number): { face: () => Float32Array; photo: (face: Float32Array) => Float32Array } {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const unit = (v: Float32Array) => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  return {
    face: () => unit(Float32Array.from({ length: 128 }, rand)),
    /** A photo of the person whose face is `f`: ~0.65 from another photo of them. */
    photo: (f) => unit(f.map((x) => x + rand() * 0.045)),
  };
}

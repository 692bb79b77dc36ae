// The percentile the bench commands report: of values sorted ascending, the one at rank ⌊p·n⌋
// (p in 0..1; 0.5 the median, the upper one of an even count).

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

// Face-verification metrics over scored pairs, where the score is a distance: LOWER means more
// likely the same person, and a pair is accepted as "same" iff score <= threshold.
//
// Empty inputs give NaN rather than 0 or 1, so an evaluation that silently ran on nothing shows up.

export interface ScoredPair {
  /** null = no face found in one of the images: the pair can be neither accepted nor rejected correctly. */
  score: number | null;
  same: boolean;
  fold: number;
}

type Scored = ScoredPair & { score: number };

function scored(pairs: readonly ScoredPair[]): Scored[] {
  return pairs.filter((p): p is Scored => p.score !== null);
}

/** Fraction of all pairs classified correctly; pairs without a score are always errors. */
export function accuracyAt(pairs: ScoredPair[], threshold: number): number {
  if (pairs.length === 0) return NaN;
  let correct = 0;
  for (const p of pairs) {
    if (p.score !== null && p.score <= threshold === p.same) correct++;
  }
  return correct / pairs.length;
}

/**
 * Threshold with the highest accuracy. Candidates are the midpoints between consecutive distinct
 * scores, plus one below the lowest and one above the highest score (half the neighbouring gap
 * away, or 0.5 when all scores are equal) so "reject all" and "accept all" are possible too.
 * Among equally accurate thresholds the lowest wins (the usual argmax; stricter on false accepts).
 */
export function bestThreshold(pairs: ScoredPair[]): { threshold: number; accuracy: number } {
  if (pairs.length === 0) return { threshold: NaN, accuracy: NaN };
  const sorted = scored(pairs).sort((p, q) => p.score - q.score);
  if (sorted.length === 0) return { threshold: NaN, accuracy: 0 };

  const distinct: number[] = [];
  for (const p of sorted) if (distinct.length === 0 || p.score !== distinct[distinct.length - 1]) distinct.push(p.score);
  const first = distinct[0]!;
  const last = distinct[distinct.length - 1]!;
  const lowGap = distinct.length > 1 ? distinct[1]! - first : 1;
  const highGap = distinct.length > 1 ? last - distinct[distinct.length - 2]! : 1;

  // Sweep: at a threshold between distinct[k-1] and distinct[k], every pair with score < distinct[k]
  // is accepted. correct = accepted same pairs + rejected different pairs.
  let differentTotal = 0;
  for (const p of sorted) if (!p.same) differentTotal++;
  let correct = differentTotal; // threshold below everything: all rejected
  let best = { threshold: first - lowGap / 2, correct };
  let i = 0;
  for (let k = 0; k < distinct.length; k++) {
    const value = distinct[k]!;
    while (i < sorted.length && sorted[i]!.score === value) {
      correct += sorted[i]!.same ? 1 : -1;
      i++;
    }
    const threshold = k + 1 < distinct.length ? (value + distinct[k + 1]!) / 2 : last + highGap / 2;
    if (correct > best.correct) best = { threshold, correct };
  }
  return { threshold: best.threshold, accuracy: best.correct / pairs.length };
}

/**
 * For each fold k, the threshold is chosen on the other folds and accuracy measured on fold k,
 * so no fold's accuracy is measured with a threshold tuned on itself. Folds are reported in
 * ascending fold order. `std` is the population standard deviation (as numpy's std, which the
 * published LFW numbers of most face-recognition papers use).
 */
export function crossValidate(pairs: ScoredPair[]): { perFold: number[]; thresholds: number[]; mean: number; std: number } {
  const folds = [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
  if (folds.length < 2) throw new Error(`crossValidate needs at least 2 folds, got ${folds.length}`);
  const perFold: number[] = [];
  const thresholds: number[] = [];
  for (const fold of folds) {
    const { threshold } = bestThreshold(pairs.filter((p) => p.fold !== fold));
    thresholds.push(threshold);
    perFold.push(accuracyAt(pairs.filter((p) => p.fold === fold), threshold));
  }
  return { perFold, thresholds, ...meanStd(perFold) };
}

/**
 * Probability that a random same-person pair scores lower than a random different-person pair
 * (Mann–Whitney U via average ranks), ties counted half. Pairs without a score are excluded.
 */
export function rocAuc(pairs: ScoredPair[]): number {
  const sorted = scored(pairs).sort((p, q) => p.score - q.score);
  let positives = 0;
  for (const p of sorted) if (p.same) positives++;
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  // Count, for each different pair, the same pairs strictly below it plus half those tied with it.
  let wins = 0;
  let sameBelow = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    let sameTied = 0;
    let differentTied = 0;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) {
      if (sorted[j]!.same) sameTied++;
      else differentTied++;
      j++;
    }
    wins += differentTied * (sameBelow + sameTied / 2);
    sameBelow += sameTied;
    i = j;
  }
  return wins / (positives * negatives);
}

/**
 * True-accept rate at the most permissive threshold whose false-accept rate is <= `far`. With
 * N different-person pairs at most floor(far·N) of them may be accepted, so with few pairs a
 * small `far` means 0 allowed false accepts (report the pair count next to TAR at tiny FARs).
 * Pairs without a score are excluded.
 */
export function tarAtFar(pairs: ScoredPair[], far: number): number {
  const valid = scored(pairs);
  const different = valid.filter((p) => !p.same).map((p) => p.score).sort((a, b) => a - b);
  const same = valid.filter((p) => p.same);
  if (same.length === 0 || different.length === 0) return NaN;
  // Tolerance: far·N computed in floating point can land just under an integer (0.29·100).
  const allowed = Math.floor(far * different.length + 1e-9);
  if (allowed >= different.length) return 1;
  // Accept scores strictly below the first different-pair score that must stay rejected; ties with
  // it are rejected too, since a threshold cannot split equal scores.
  const limit = different[Math.max(0, allowed)]!;
  let accepted = 0;
  for (const p of same) if (p.score < limit) accepted++;
  return accepted / same.length;
}

/** Fraction of different-person pairs accepted at `threshold`; pairs without a score are excluded, as in tarAtFar. */
export function falseAcceptRate(pairs: ScoredPair[], threshold: number): number {
  let different = 0;
  let accepted = 0;
  for (const p of pairs) {
    if (p.same || p.score === null) continue;
    different++;
    if (p.score <= threshold) accepted++;
  }
  return different === 0 ? NaN : accepted / different;
}

/** Population standard deviation (divides by n), matching numpy's default. */
export function meanStd(values: number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

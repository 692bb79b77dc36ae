// `facerec eval lfw`: verification on LFW pair lists, every candidate pipeline side by side, the
// calibration of the default one fitted on half the folds and checked on the other half.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { calibratedDistance } from '../engine/calibration.js';
import type { FaceEngine } from '../engine/engine.js';
import { lfwImagePath, parseLfwPairs, type LfwPair } from './lfw.js';
import { cosineDistance, euclidean } from '../engine/distance.js';
import { DLIB_VARIANTS, LfwFeatureExtractor, type DlibVariant, type ImageFeatures } from './lfw-features.js';
import { accuracyAt, bestThreshold, crossValidate, falseAcceptRate, meanStd, rocAuc, tarAtFar, type ScoredPair } from './metrics.js';
import { Progress } from './progress.js';

export interface LfwEvalOptions {
  pairsFile: string;
  imagesDir: string;
  /** 1-based folds to use (default all). */
  folds?: number[];
  scale: number;
  /** Also measure the FaceRes embedder and its fusion with dlib (slower). */
  fusion: boolean;
  /** JSON file caching per-image features between runs. */
  cache?: string;
  /** The default pipeline's variant and its calibration threshold (raw Euclidean distance). */
  defaultVariant: DlibVariant;
  threshold: number;
}

export interface CandidateResult {
  name: string;
  accuracy: number;
  std: number;
  auc: number;
  tarAtFar1: number;
  bestThreshold: number;
}

export interface LfwEvalResult {
  accuracy: number;
  accuracy_std: number;
  accuracy_at_1: number;
  far_at_1: number;
  auc: number;
  tar_at_far_1pct: number;
  pairs: number;
  images: number;
  no_face: number;
  per_fold: number[];
  calibration: { fitted_threshold: number; fit_folds: number[]; check_folds: number[]; check_best_accuracy: number; check_accuracy_at_1: number; check_far_at_1: number };
  candidates: CandidateResult[];
}

type Features = Map<string, ImageFeatures | null>;

export async function runLfwEval(engine: FaceEngine, opts: LfwEvalOptions, out: (line: string) => void): Promise<LfwEvalResult> {
  const folds = opts.folds ? new Set(opts.folds) : undefined;
  const pairs = parseLfwPairs(readFileSync(opts.pairsFile, 'utf8')).filter((p) => !folds || folds.has(p.fold));
  const images = [...new Set(pairs.flatMap((p) => [imageKey(p.a), imageKey(p.b)]))];
  const features = await extractAll(engine, images, opts);
  const noFace = images.filter((k) => features.get(k) === null);

  const candidates = scoreCandidates(pairs, features, opts.fusion);
  out(`LFW verification: ${pairs.length} pairs, ${images.length} images, no face found in ${noFace.length}${noFace.length ? ` (${noFace.slice(0, 5).join(', ')}${noFace.length > 5 ? ', …' : ''})` : ''}`);
  out('');
  out('| candidate | accuracy (10-fold CV) | ROC AUC | TAR @ FAR 1% | best threshold |');
  out('|---|---|---|---|---|');
  for (const c of candidates.results) {
    out(`| ${c.name} | ${pct(c.accuracy)} ± ${pct(c.std)} | ${c.auc.toFixed(4)} | ${pct(c.tarAtFar1)} | ${Number.isFinite(c.bestThreshold) ? c.bestThreshold.toFixed(3) : '—'} |`);
  }

  // The default pipeline, on the contract's distance scale.
  const raw = candidates.scores.get(`dlib ${opts.defaultVariant}, euclidean`)!;
  const calibrated = raw.map((p) => ({ ...p, score: p.score === null ? null : calibratedDistance(p.score, opts.threshold) }));
  const cv = crossValidate(calibrated);
  const foldIds = [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
  const fitFolds = foldIds.slice(0, Math.ceil(foldIds.length / 2));
  const checkFolds = foldIds.slice(fitFolds.length);
  const fitted = fitCalibrationThreshold(raw.filter((p) => fitFolds.includes(p.fold)));
  const check = raw.filter((p) => checkFolds.includes(p.fold));
  const checkCal = check.map((p) => ({ ...p, score: p.score === null ? null : calibratedDistance(p.score, fitted) }));
  const result: LfwEvalResult = {
    accuracy: cv.mean,
    accuracy_std: cv.std,
    accuracy_at_1: accuracyAt(calibrated, 1),
    far_at_1: falseAcceptRate(calibrated, 1),
    auc: rocAuc(calibrated),
    tar_at_far_1pct: tarAtFar(calibrated, 0.01),
    pairs: pairs.length,
    images: images.length,
    no_face: noFace.length,
    per_fold: cv.perFold,
    calibration: {
      fitted_threshold: fitted,
      fit_folds: fitFolds,
      check_folds: checkFolds,
      check_best_accuracy: bestThreshold(checkCal).accuracy,
      check_accuracy_at_1: accuracyAt(checkCal, 1),
      check_far_at_1: falseAcceptRate(checkCal, 1),
    },
    candidates: candidates.results,
  };
  out('');
  out(`default pipeline: dlib ${opts.defaultVariant}, raw Euclidean distance, calibrated with threshold ${opts.threshold} (catalog)`);
  out(`  per fold: ${cv.perFold.map(pct).join(' ')}`);
  out(`  accuracy ${pct(cv.mean)} ± ${pct(cv.std)}, ROC AUC ${result.auc.toFixed(4)}, TAR @ FAR 1% ${pct(result.tar_at_far_1pct)}`);
  out(`  at the default max_distance 1.0: accuracy ${pct(result.accuracy_at_1)}, false-accept rate ${pct(result.far_at_1)}`);
  out(`  pairs with a no-face image (counted as errors): ${raw.filter((p) => p.score === null).length}`);
  const c = result.calibration;
  out(`calibration fitted on folds ${fitFolds.join(',')}: threshold ${fitted.toFixed(4)}; checked on folds ${checkFolds.join(',')}:`);
  out(`  best-threshold accuracy ${pct(c.check_best_accuracy)}, accuracy at 1.0 ${pct(c.check_accuracy_at_1)} (gap ${((c.check_best_accuracy - c.check_accuracy_at_1) * 100).toFixed(2)} pp), FAR at 1.0 ${pct(c.check_far_at_1)}`);
  return result;
}

/**
 * The raw-distance threshold that distance 1.0 stands for: the most accurate one on these pairs
 * among those whose false-accept rate stays within 1 %, so that `max_distance` 1.0 never trades
 * more false accepts than a user expects of a default for a little accuracy.
 */
export function fitCalibrationThreshold(pairs: ScoredPair[], maxFar = 0.01): number {
  const scores = [...new Set(pairs.flatMap((p) => (p.score === null ? [] : [p.score])))].sort((a, b) => a - b);
  let best = { threshold: scores[0] ?? 0, accuracy: -1 };
  for (let i = 0; i + 1 < scores.length; i++) {
    const t = (scores[i]! + scores[i + 1]!) / 2;
    if (falseAcceptRate(pairs, t) > maxFar) break;
    const accuracy = accuracyAt(pairs, t);
    if (accuracy > best.accuracy) best = { threshold: t, accuracy };
  }
  return best.threshold;
}

function scoreCandidates(pairs: LfwPair[], features: Features, fusion: boolean): { results: CandidateResult[]; scores: Map<string, ScoredPair[]> } {
  const scores = new Map<string, ScoredPair[]>();
  const score = (name: string, f: (a: ImageFeatures, b: ImageFeatures) => number | null): void => {
    scores.set(
      name,
      pairs.map((p) => {
        const a = features.get(imageKey(p.a));
        const b = features.get(imageKey(p.b));
        return { score: a && b ? f(a, b) : null, same: p.same, fold: p.fold };
      }),
    );
  };
  for (const v of Object.keys(DLIB_VARIANTS) as DlibVariant[]) {
    score(`dlib ${v}, euclidean`, (a, b) => euclidean(a.dlib[v], b.dlib[v]));
    score(`dlib ${v}, cosine`, (a, b) => cosineDistance(a.dlib[v], b.dlib[v]));
  }
  if (fusion) {
    score('faceres, cosine', (a, b) => (a.faceres && b.faceres ? cosineDistance(a.faceres, b.faceres) : null));
  }
  const results: CandidateResult[] = [...scores.entries()].map(([name, s]) => {
    const cv = crossValidate(s);
    return { name, accuracy: cv.mean, std: cv.std, auc: rocAuc(s), tarAtFar1: tarAtFar(s, 0.01), bestThreshold: bestThreshold(s).threshold };
  });
  if (fusion) {
    for (const v of ['mesh3', 'mesh3+flip+3 paddings'] as const) {
      results.push(fusedCandidate(`fusion: dlib ${v} euclidean + faceres cosine`, scores.get(`dlib ${v}, euclidean`)!, scores.get('faceres, cosine')!));
    }
  }
  return { results, scores };
}

/**
 * Score fusion: both distances z-scored (statistics of all pairs, no labels), mixed with a weight.
 * Cross-validated honestly: for each held-out fold the weight and the threshold are both chosen on
 * the other folds. AUC and TAR are given for the weight most folds chose.
 */
function fusedCandidate(name: string, a: ScoredPair[], b: ScoredPair[]): CandidateResult {
  const za = zscore(a);
  const zb = zscore(b);
  const weights = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1];
  const mixes = weights.map((w) => a.map((p, i) => ({ ...p, score: za[i] === null || zb[i] === null ? null : w * za[i]! + (1 - w) * zb[i]! })));
  const folds = [...new Set(a.map((p) => p.fold))];
  const chosen: number[] = [];
  const perFold = folds.map((k) => {
    let best = { m: 0, acc: -1, threshold: 0 };
    mixes.forEach((mix, m) => {
      const fit = bestThreshold(mix.filter((q) => q.fold !== k));
      if (fit.accuracy > best.acc) best = { m, acc: fit.accuracy, threshold: fit.threshold };
    });
    chosen.push(best.m);
    return accuracyAt(mixes[best.m]!.filter((q) => q.fold === k), best.threshold);
  });
  const mode = chosen.sort((x, y) => chosen.filter((c) => c === y).length - chosen.filter((c) => c === x).length)[0]!;
  const { mean, std } = meanStd(perFold);
  return { name: `${name} (weight ${weights[mode]})`, accuracy: mean, std, auc: rocAuc(mixes[mode]!), tarAtFar1: tarAtFar(mixes[mode]!, 0.01), bestThreshold: NaN };
}

function zscore(s: ScoredPair[]): (number | null)[] {
  const v = s.flatMap((p) => (p.score === null ? [] : [p.score]));
  const mean = v.reduce((x, y) => x + y, 0) / v.length;
  const std = Math.sqrt(v.reduce((x, y) => x + (y - mean) ** 2, 0) / v.length);
  return s.map((p) => (p.score === null ? null : (p.score - mean) / std));
}

async function extractAll(engine: FaceEngine, keys: string[], opts: LfwEvalOptions): Promise<Features> {
  const cached = loadCache(opts.cache, opts.scale);
  const extractor = await LfwFeatureExtractor.create(engine, { faceres: opts.fusion });
  const progress = new Progress('lfw images', keys.length);
  const features: Features = new Map();
  for (const key of keys) {
    let f = cached.get(key);
    if (f === undefined || (opts.fusion && f && !f.faceres)) {
      const [name, index] = key.split('#') as [string, string];
      f = await extractor.extract(lfwImagePath(opts.imagesDir, name, Number(index)), opts.scale);
    }
    features.set(key, f);
    progress.tick();
  }
  progress.done();
  if (opts.cache) saveCache(opts.cache, opts.scale, features);
  return features;
}

function imageKey(img: { name: string; index: number }): string {
  return `${img.name}#${img.index}`;
}

interface CacheFile {
  /** What the features were computed with: a cache made with other settings is ignored. */
  key: string;
  images: Record<string, null | { dlib: Record<string, number[]>; faceres?: number[] }>;
}

function loadCache(path: string | undefined, scale: number): Features {
  const features: Features = new Map();
  if (!path || !existsSync(path)) return features;
  const file = JSON.parse(readFileSync(path, 'utf8')) as CacheFile;
  if (file.key !== cacheKey(scale)) return features;
  for (const [k, v] of Object.entries(file.images)) {
    features.set(
      k,
      v === null
        ? null
        : {
            dlib: Object.fromEntries(Object.entries(v.dlib).map(([n, a]) => [n, Float32Array.from(a)])) as Record<DlibVariant, Float32Array>,
            ...(v.faceres ? { faceres: Float32Array.from(v.faceres) } : {}),
          },
    );
  }
  return features;
}

function saveCache(path: string, scale: number, features: Features): void {
  const images: CacheFile['images'] = {};
  for (const [k, v] of features) {
    images[k] = v === null ? null : { dlib: Object.fromEntries(Object.entries(v.dlib).map(([n, a]) => [n, [...a]])), ...(v.faceres ? { faceres: [...v.faceres] } : {}) };
  }
  writeFileSync(path, JSON.stringify({ key: cacheKey(scale), images } satisfies CacheFile));
}

function cacheKey(scale: number): string {
  return JSON.stringify({ scale, variants: DLIB_VARIANTS });
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)} %`;
}

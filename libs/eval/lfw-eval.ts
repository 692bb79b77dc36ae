// `facerec eval lfw`: verification on LFW pair lists, the engine's candidate variants side by side,
// the default pipeline on the contract's distance scale (and, for an embedder that needs one, its
// calibration fitted on half the folds and checked on the other half).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { contractDistanceFor } from '../engine/calibration.js';
import type { FaceEngine } from '../engine/engine.js';
import { lfwImagePath, parseLfwPairs, type LfwPair } from './lfw.js';
import { cosineDistance, euclidean } from '../engine/distance.js';
import { DEFAULT_VARIANT, extractLfwFeatures, variantNames, type ImageFeatures } from './lfw-features.js';
import { accuracyAt, bestThreshold, crossValidate, falseAcceptRate, rocAuc, tarAtFar, type ScoredPair } from './metrics.js';
import { Progress } from './progress.js';

export interface LfwEvalOptions {
  pairsFile: string;
  imagesDir: string;
  /** 1-based folds to use (default all). */
  folds?: number[];
  scale: number;
  /** JSON file caching per-image features between runs (written as it goes). */
  cache?: string;
  /** Also measure the preprocessing candidates that need network runs of their own. */
  extraVariants?: boolean;
  /** The embedder's calibration (raw Euclidean → contract distance), when it has one. */
  calibration?: { threshold: number };
}

export interface CandidateResult {
  name: string;
  accuracy: number;
  std: number;
  auc: number;
  tarAtFar1: number;
  tarAtFar01: number;
  bestThreshold: number;
}

export interface LfwEvalResult {
  pipeline: { detector: string; embedder: string; scale: number };
  accuracy: number;
  accuracy_std: number;
  accuracy_at_1: number;
  far_at_1: number;
  auc: number;
  tar_at_far_1pct: number;
  tar_at_far_01pct: number;
  pairs: number;
  images: number;
  no_face: number;
  per_fold: number[];
  calibration?: { fitted_threshold: number; fit_folds: number[]; check_folds: number[]; check_best_accuracy: number; check_accuracy_at_1: number; check_far_at_1: number };
  candidates: CandidateResult[];
}

type Features = Map<string, ImageFeatures | null>;

export async function runLfwEval(engine: FaceEngine, opts: LfwEvalOptions, out: (line: string) => void): Promise<LfwEvalResult> {
  const folds = opts.folds ? new Set(opts.folds) : undefined;
  const pairs = parseLfwPairs(readFileSync(opts.pairsFile, 'utf8')).filter((p) => !folds || folds.has(p.fold));
  const images = [...new Set(pairs.flatMap((p) => [imageKey(p.a), imageKey(p.b)]))];
  const features = await extractAll(engine, images, opts);
  const noFace = images.filter((k) => features.get(k) === null);
  const pipeline = { detector: engine.locator.name, embedder: engine.embedder.model, scale: opts.scale };

  const candidates = scoreCandidates(pairs, features, variantNames(engine, opts.extraVariants ?? false));
  out(`LFW verification (${pipeline.detector} + ${pipeline.embedder}, scale ${opts.scale}): ${pairs.length} pairs, ${images.length} images, no face found in ${noFace.length}${noFace.length ? ` (${noFace.slice(0, 5).join(', ')}${noFace.length > 5 ? ', …' : ''})` : ''}`);
  out('');
  out('| candidate | accuracy (10-fold CV) | ROC AUC | TAR @ FAR 1% | TAR @ FAR 0.1% | best threshold |');
  out('|---|---|---|---|---|---|');
  for (const c of candidates.results) {
    out(`| ${c.name} | ${pct(c.accuracy)} ± ${pct(c.std)} | ${c.auc.toFixed(4)} | ${pct(c.tarAtFar1)} | ${pct(c.tarAtFar01)} | ${Number.isFinite(c.bestThreshold) ? c.bestThreshold.toFixed(3) : '—'} |`);
  }

  // The default pipeline, on the contract's distance scale.
  const raw = candidates.scores.get(`${DEFAULT_VARIANT}, euclidean`)!;
  const onContractScale = (pairs: ScoredPair[], toContract: (raw: number) => number) => pairs.map((p) => ({ ...p, score: p.score === null ? null : toContract(p.score) }));
  const contract = onContractScale(raw, contractDistanceFor(opts.calibration));
  const cv = crossValidate(contract);
  const result: LfwEvalResult = {
    pipeline,
    accuracy: cv.mean,
    accuracy_std: cv.std,
    accuracy_at_1: accuracyAt(contract, 1),
    far_at_1: falseAcceptRate(contract, 1),
    auc: rocAuc(contract),
    tar_at_far_1pct: tarAtFar(contract, 0.01),
    tar_at_far_01pct: tarAtFar(contract, 0.001),
    pairs: pairs.length,
    images: images.length,
    no_face: noFace.length,
    per_fold: cv.perFold,
    candidates: candidates.results,
  };
  out('');
  out(`default pipeline: ${opts.calibration ? `raw Euclidean distance calibrated with threshold ${opts.calibration.threshold} (catalog)` : 'Euclidean distance between unit vectors (the contract distance itself)'}`);
  out(`  per fold: ${cv.perFold.map(pct).join(' ')}`);
  out(`  accuracy ${pct(cv.mean)} ± ${pct(cv.std)}, ROC AUC ${result.auc.toFixed(4)}, TAR @ FAR 1% ${pct(result.tar_at_far_1pct)}, TAR @ FAR 0.1% ${pct(result.tar_at_far_01pct)}`);
  out(`  at the default max_distance 1.0: accuracy ${pct(result.accuracy_at_1)}, false-accept rate ${pct(result.far_at_1)}`);
  out(`  pairs with a no-face image (counted as errors): ${raw.filter((p) => p.score === null).length}`);
  if (opts.calibration) {
    const foldIds = [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
    const fitFolds = foldIds.slice(0, Math.ceil(foldIds.length / 2));
    const checkFolds = foldIds.slice(fitFolds.length);
    const fitted = fitCalibrationThreshold(raw.filter((p) => fitFolds.includes(p.fold)));
    const checkCal = onContractScale(raw.filter((p) => checkFolds.includes(p.fold)), contractDistanceFor({ threshold: fitted }));
    const c = (result.calibration = {
      fitted_threshold: fitted,
      fit_folds: fitFolds,
      check_folds: checkFolds,
      check_best_accuracy: bestThreshold(checkCal).accuracy,
      check_accuracy_at_1: accuracyAt(checkCal, 1),
      check_far_at_1: falseAcceptRate(checkCal, 1),
    });
    out(`calibration fitted on folds ${fitFolds.join(',')}: threshold ${fitted.toFixed(4)}; checked on folds ${checkFolds.join(',')}:`);
    out(`  best-threshold accuracy ${pct(c.check_best_accuracy)}, accuracy at 1.0 ${pct(c.check_accuracy_at_1)} (gap ${((c.check_best_accuracy - c.check_accuracy_at_1) * 100).toFixed(2)} pp), FAR at 1.0 ${pct(c.check_far_at_1)}`);
  }
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

function scoreCandidates(pairs: LfwPair[], features: Features, variants: string[]): { results: CandidateResult[]; scores: Map<string, ScoredPair[]> } {
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
  for (const v of variants) {
    score(`${v}, euclidean`, (a, b) => euclidean(a[v]!, b[v]!));
    score(`${v}, cosine`, (a, b) => cosineDistance(a[v]!, b[v]!));
  }
  const results: CandidateResult[] = [...scores.entries()].map(([name, s]) => {
    const cv = crossValidate(s);
    return { name, accuracy: cv.mean, std: cv.std, auc: rocAuc(s), tarAtFar1: tarAtFar(s, 0.01), tarAtFar01: tarAtFar(s, 0.001), bestThreshold: bestThreshold(s).threshold };
  });
  return { results, scores };
}

async function extractAll(engine: FaceEngine, keys: string[], opts: LfwEvalOptions): Promise<Features> {
  const extra = opts.extraVariants ?? false;
  const key = cacheKey(engine, opts.scale, extra);
  const features = loadCache(opts.cache, key);
  const progress = new Progress('lfw images', keys.length);
  let sinceSave = 0;
  for (const k of keys) {
    if (!features.has(k)) {
      const [name, index] = k.split('#') as [string, string];
      features.set(k, await extractLfwFeatures(engine, lfwImagePath(opts.imagesDir, name, Number(index)), opts.scale, extra));
      // Saved as it goes: a long run stopped half-way resumes where it was.
      if (opts.cache && ++sinceSave >= 500) [sinceSave] = [0, saveCache(opts.cache, key, features)];
    }
    progress.tick();
  }
  progress.done();
  if (opts.cache) saveCache(opts.cache, key, features);
  return new Map(keys.map((k) => [k, features.get(k)!]));
}

function imageKey(img: { name: string; index: number }): string {
  return `${img.name}#${img.index}`;
}

interface CacheFile {
  /** What the features were computed with: a cache made with other settings is ignored. */
  key: string;
  images: Record<string, null | Record<string, number[]>>;
}

function loadCache(path: string | undefined, key: string): Features {
  const features: Features = new Map();
  if (!path || !existsSync(path)) return features;
  const file = JSON.parse(readFileSync(path, 'utf8')) as CacheFile;
  if (file.key !== key) return features;
  for (const [k, v] of Object.entries(file.images)) {
    features.set(k, v === null ? null : Object.fromEntries(Object.entries(v).map(([n, a]) => [n, Float32Array.from(a)])));
  }
  return features;
}

function saveCache(path: string, key: string, features: Features): void {
  const images: CacheFile['images'] = {};
  for (const [k, v] of features) images[k] = v === null ? null : Object.fromEntries(Object.entries(v).map(([n, a]) => [n, [...a]]));
  writeFileSync(path, JSON.stringify({ key, images } satisfies CacheFile));
}

function cacheKey(engine: FaceEngine, scale: number, extra: boolean): string {
  return JSON.stringify({ scale, detector: engine.locator.name, embedder: engine.embedder.sha256, variants: variantNames(engine, extra) });
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)} %`;
}

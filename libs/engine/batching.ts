// Batching across callers, sized by the execution provider a session actually got: on a CPU,
// small batches of single-threaded inferences, several at once (one per core: a CPU gains little
// from a larger batch, measured with `facerec bench batch`); on a GPU, large batches (one inference
// over many frames or chips is what a GPU is fast at), two at once so that one is prepared while
// the other runs. Configured values win; null means "by provider".
import type { RgbImage } from '../image/image.js';
import { Batcher, type BatcherOptions } from './batcher.js';
import type { DetectOptions } from './detect-options.js';
import type { FaceLocator, LocatedFace } from './engine.js';
import type { ExecutionProvider } from './session.js';

/** Configured batching (libs/config): null batchSize or concurrency means the provider's default. */
export interface BatchSettings {
  batchSize: number | null;
  batchWaitMs: number;
  concurrency: number | null;
}

export interface ProviderDefaults {
  batchSize: number;
  concurrency: number;
}

/**
 * Frames per detector inference and inferences at once. CPU, measured with `facerec bench batch`
 * on this project's loaded 2-core host (960x540, scale 600, 1 thread each): batches of 4 gave
 * 0.63–1.43x the frames/s of one frame at a time over three runs (the load's noise is larger than
 * the effect), 16 gave 0.47–1.43x and 64 was slower in every run (0.42–0.87x). So one frame per
 * inference, three inferences at once across every stream; large batches are for GPUs.
 */
export const DETECTOR_BATCHING: Record<ExecutionProvider, ProviderDefaults> = {
  cpu: { batchSize: 1, concurrency: 3 },
  cuda: { batchSize: 32, concurrency: 2 },
};

/**
 * Chips per embedder inference (the mirror image of each chip runs in the same inference, so twice
 * as many images) and inferences at once. CPU, same runs: 4–16 chips per inference 0.62–1.19x of
 * one, 64 chips 0.69–0.81x; 8 keeps the wait for a batch short.
 */
export const EMBEDDER_BATCHING: Record<ExecutionProvider, ProviderDefaults> = {
  cpu: { batchSize: 8, concurrency: 1 },
  cuda: { batchSize: 64, concurrency: 1 },
};

export function batcherOptions(provider: string, settings: BatchSettings, defaults: Record<ExecutionProvider, ProviderDefaults>): Required<BatcherOptions> {
  const d = defaults[provider === 'cuda' ? 'cuda' : 'cpu'];
  return { maxBatch: settings.batchSize ?? d.batchSize, maxWaitMs: settings.batchWaitMs, concurrency: settings.concurrency ?? d.concurrency };
}

interface LocateItem {
  img: RgbImage;
  options: DetectOptions;
}

/**
 * A locator whose `locate` calls, from every stream of a service, are batched: frames waiting at
 * the same time go through the network together (`FaceLocator.locateBatch`), each caller gets its
 * own frame's faces.
 */
export class BatchedLocator {
  readonly batcher: Batcher<LocateItem, LocatedFace[]>;

  constructor(
    readonly locator: FaceLocator,
    readonly options: Required<BatcherOptions>,
    onBatch?: (size: number, ms: number) => void,
  ) {
    this.batcher = new Batcher((items) => this.run(items), options, onBatch);
  }

  locate(img: RgbImage, options: DetectOptions = {}): Promise<LocatedFace[]> {
    return this.batcher.submit({ img, options });
  }

  /** Items with the same options in one locateBatch call each (streams may ask for different scales). */
  private async run(items: LocateItem[]): Promise<LocatedFace[][]> {
    const groups = new Map<string, number[]>();
    items.forEach((item, i) => {
      const key = JSON.stringify([item.options.scale, item.options.minScore, item.options.iouThreshold]);
      const group = groups.get(key);
      if (group) group.push(i);
      else groups.set(key, [i]);
    });
    const out: LocatedFace[][] = new Array(items.length);
    for (const indices of groups.values()) {
      const found = await this.locator.locateBatch(
        indices.map((i) => items[i]!.img),
        items[indices[0]!]!.options,
        this.options.maxBatch,
      );
      indices.forEach((i, k) => (out[i] = found[k]!));
    }
    return out;
  }
}

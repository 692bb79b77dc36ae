// Collects work from every concurrent caller into batches: one inference over 32 chips or frames
// costs far less than 32 inferences of one on a GPU, and no more on a CPU. A batch goes when it
// is full or when its oldest item has waited `maxWaitMs`; up to `concurrency` batches run at once
// (on a CPU, one single-threaded inference per core; on a GPU, one or two so that the next batch
// is prepared while one runs), and the next ones fill meanwhile. Used by the detector (frames of
// every stream) and the embedder (chips of every caller); sized by provider in batching.ts.
export interface BatcherOptions {
  maxBatch: number;
  maxWaitMs: number;
  /** Batches running at once (default 1). */
  concurrency?: number;
}

interface Pending<I, O> {
  input: I;
  /** performance.now() at submission. */
  since: number;
  resolve(output: O): void;
  reject(err: unknown): void;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** Batches running now. */
  private running = 0;
  /** Items of the running batches. */
  private runningItems = 0;
  private closed = false;
  private readonly concurrency: number;

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions,
    private readonly onBatch?: (size: number, ms: number) => void,
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  submit(input: I): Promise<O> {
    if (this.closed) return Promise.reject(new Error('the batcher is closed'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, since: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting or running. */
  get inFlight(): number {
    return this.queue.length + this.runningItems;
  }

  /** Refuses new items; items already submitted are still answered. */
  close(): void {
    this.closed = true;
  }

  /** How long the oldest waiting item may still wait. */
  private waitLeft(): number {
    const oldest = this.queue[0];
    return oldest ? Math.max(0, this.options.maxWaitMs - (performance.now() - oldest.since)) : this.options.maxWaitMs;
  }

  /** Arranges the next flush: now when a batch is full or its wait is up, else when the wait is up. */
  private schedule(): void {
    if (this.queue.length === 0 || this.running >= this.concurrency) return; // a finishing batch schedules again
    const delayMs = this.queue.length >= this.options.maxBatch ? 0 : this.waitLeft();
    if (delayMs === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      // One pending flush at most: a stale one would send the next, partial batch before its time.
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.flush();
      });
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, delayMs);
    }
  }

  /** Starts batches while a slot is free and a batch is full or its wait is up. */
  private flush(): void {
    while (this.running < this.concurrency && this.queue.length > 0 && (this.queue.length >= this.options.maxBatch || this.waitLeft() === 0)) {
      void this.runBatch(this.queue.splice(0, this.options.maxBatch));
    }
    this.schedule();
  }

  private async runBatch(batch: Pending<I, O>[]): Promise<void> {
    this.running++;
    this.runningItems += batch.length;
    const started = performance.now();
    try {
      const outputs = await this.run(batch.map((p) => p.input));
      batch.forEach((p, i) => p.resolve(outputs[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.running--;
      this.runningItems -= batch.length;
      this.onBatch?.(batch.length, performance.now() - started);
    }
    this.schedule(); // items that came meanwhile have waited already
  }
}

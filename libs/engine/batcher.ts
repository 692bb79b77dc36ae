// Collects chips from every concurrent caller into batches: one inference over 32 chips costs far
// less than 32 inferences of one (on a GPU especially). A batch goes when it is full or when the
// oldest chip has waited `maxWaitMs`; one batch runs at a time, the next one fills meanwhile.
export interface BatcherOptions {
  maxBatch: number;
  maxWaitMs: number;
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
  private running = false;
  /** Items of the running batch. */
  private runningItems = 0;
  private closed = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions,
    private readonly onBatch?: (size: number, ms: number) => void,
  ) {}

  submit(input: I): Promise<O> {
    if (this.closed) return Promise.reject(new Error('the batcher is closed'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, since: performance.now(), resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flushSoon(0);
      else this.flushSoon(this.waitLeft());
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

  private flushSoon(delayMs: number): void {
    if (this.running) return; // the running batch flushes again when it finishes
    if (delayMs === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      // One pending flush at most: a stale one would send the next, partial batch before its time.
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        void this.flush();
      });
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, delayMs);
    }
  }

  private async flush(): Promise<void> {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.runningItems = batch.length;
    const started = performance.now();
    try {
      const outputs = await this.run(batch.map((p) => p.input));
      batch.forEach((p, i) => p.resolve(outputs[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.running = false;
      this.runningItems = 0;
      this.onBatch?.(batch.length, performance.now() - started);
    }
    if (this.queue.length >= this.options.maxBatch) this.flushSoon(0);
    else if (this.queue.length > 0) this.flushSoon(this.waitLeft()); // items that came meanwhile have waited already
  }
}

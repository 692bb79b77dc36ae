// Collects chips from every concurrent caller into batches: one inference over 32 chips costs far
// less than 32 inferences of one (on a GPU especially). A batch goes when it is full or when the
// oldest chip has waited `maxWaitMs`; one batch runs at a time, the next one fills meanwhile.
export interface BatcherOptions {
  maxBatch: number;
  maxWaitMs: number;
}

interface Pending<I, O> {
  input: I;
  resolve(output: O): void;
  reject(err: unknown): void;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private closed = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly options: BatcherOptions,
    private readonly onBatch?: (size: number, ms: number) => void,
  ) {}

  submit(input: I): Promise<O> {
    if (this.closed) return Promise.reject(new Error('the batcher is closed'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flushSoon(0);
      else this.flushSoon(this.options.maxWaitMs);
    });
  }

  /** Items waiting or running. */
  get inFlight(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  /** Refuses new items; items already submitted are still answered. */
  close(): void {
    this.closed = true;
  }

  private flushSoon(delayMs: number): void {
    if (this.running) return; // the running batch flushes again when it finishes
    if (delayMs === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      setImmediate(() => void this.flush());
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
    const started = performance.now();
    try {
      const outputs = await this.run(batch.map((p) => p.input));
      batch.forEach((p, i) => p.resolve(outputs[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.running = false;
      this.onBatch?.(batch.length, performance.now() - started);
    }
    if (this.queue.length >= this.options.maxBatch) this.flushSoon(0);
    else if (this.queue.length > 0) this.flushSoon(this.options.maxWaitMs);
  }
}

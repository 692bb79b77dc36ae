// Progress of long evaluations on stderr: a line every few seconds, so logs stay readable in CI too.
export class Progress {
  private done_ = 0;
  private readonly started = performance.now();
  private lastPrint = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly everyMs = 5000,
  ) {}

  tick(n = 1): void {
    this.done_ += n;
    const now = performance.now();
    if (now - this.lastPrint >= this.everyMs) {
      this.lastPrint = now;
      this.print();
    }
  }

  done(): void {
    this.print();
  }

  private print(): void {
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = this.done_ / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (this.total - this.done_) / rate : NaN;
    process.stderr.write(`${this.label}: ${this.done_}/${this.total} (${((100 * this.done_) / this.total).toFixed(0)} %), ${elapsed.toFixed(0)} s elapsed, ~${Number.isFinite(eta) ? eta.toFixed(0) : '?'} s left\n`);
  }
}

// Readers waiting for a job to finish (GET /api/v1/jobs/{id}/?wait=N): woken by the bus's
// job.finished / job.cancelled events instead of polling the store. Events are not persistent, so
// a reader registers before it reads the job's state once more, and a missed event costs at most
// the wait it asked for.
import type { Bus } from '../../libs/bus/bus.js';

export interface JobWait {
  /** Settles when the job finished, the wait ran out or the wait was cancelled. */
  done: Promise<void>;
  cancel(): void;
}

export class JobWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();
  private readonly subscription: { close(): void };

  constructor(bus: Pick<Bus, 'subscribe'>) {
    this.subscription = bus.subscribe((event) => {
      if (event.type === 'job.finished' || event.type === 'job.cancelled') this.wake(event.jobId);
    });
  }

  /** Readers waiting now (for the metrics and tests). */
  get size(): number {
    let n = 0;
    for (const set of this.waiting.values()) n += set.size;
    return n;
  }

  wait(jobId: string, ms: number): JobWait {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const set = this.waiting.get(jobId) ?? new Set();
    this.waiting.set(jobId, set);
    const timer = setTimeout(() => settle(), ms);
    const settle = () => {
      clearTimeout(timer);
      set.delete(settle);
      if (set.size === 0 && this.waiting.get(jobId) === set) this.waiting.delete(jobId);
      finish();
    };
    set.add(settle);
    return { done, cancel: settle };
  }

  close(): void {
    this.subscription.close();
    for (const jobId of [...this.waiting.keys()]) this.wake(jobId);
  }

  private wake(jobId: string): void {
    for (const settle of [...(this.waiting.get(jobId) ?? [])]) settle();
  }
}

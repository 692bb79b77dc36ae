// What a service needs before it takes work, each need named, and whether it is draining: the
// answer of /readyz, which Kubernetes routes traffic by and the fault campaigns wait on. A service
// declares its needs when it starts (models warmed up, store open, consumers bound, …); /readyz
// lists the ones not met, so an operator reads why a pod is not ready.
import type { ReadinessCheck } from './health-server.js';

/**
 * The matcher's need while it re-embeds the galleries of another embedder at start: it may take
 * longer than any start-up and is met by itself, so the launcher counts a service waiting only on
 * it as started (services/launch.ts).
 */
export const REEMBEDDING = 're-embedding the galleries of another embedder';

export class Readiness implements ReadinessCheck {
  private readonly needs: [string, () => boolean][] = [];
  /** For a step that failed: its name with the reason. */
  private readonly reasons = new Map<string, () => string>();
  private draining = false;

  constructor(readonly name: string) {}

  /** A condition the service needs to take work, named `what` in /readyz while it is not met. */
  need(what: string, met: () => boolean): this {
    this.needs.push([what, met]);
    return this;
  }

  /**
   * A step the service needs done once (a warm-up inference, a re-embedding): not met until
   * `step` resolves; if it fails, never met, and `what` carries the reason.
   */
  after(what: string, step: Promise<unknown>): this {
    let state: 'running' | 'done' | string = 'running';
    step.then(
      () => (state = 'done'),
      (err: unknown) => (state = `failed: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.needs.push([what, () => state === 'done']);
    // The failure's reason replaces the bare name in missing().
    this.reasons.set(what, () => (state === 'running' || state === 'done' ? what : `${what} ${state}`));
    return this;
  }

  /** From now on not ready: the service is stopping and finishes only the work it holds. */
  drain(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** What the service still waits for; empty when it is ready. */
  missing(): string[] {
    const missing = this.needs.filter(([, met]) => !safe(met)).map(([what]) => this.reasons.get(what)?.() ?? what);
    return this.draining ? ['draining', ...missing] : missing;
  }

  ready(): boolean {
    return this.missing().length === 0;
  }
}

function safe(met: () => boolean): boolean {
  try {
    return met();
  } catch {
    return false;
  }
}

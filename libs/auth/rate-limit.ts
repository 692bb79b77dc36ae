// Token buckets, one per key: `perSecond` tokens flow in, at most `burst` are held, a request
// takes one. Kept in the memory of each gateway replica (a key's limit applies per replica).

export interface BucketLimit {
  perSecond: number;
  burst: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterS: number };

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Takes a token from `key`'s bucket; refused: how many whole seconds until one is there. */
  take(key: string, limit: BucketLimit): TakeResult {
    if (limit.perSecond <= 0) return { ok: true };
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond)) };
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }
}

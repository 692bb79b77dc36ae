// Webhooks: when a job with a callback_url completes or fails, the aggregator puts it on the
// `webhook` work queue; a gateway takes it (one gateway per job, whatever the number of replicas)
// and POSTs the job document there, signed:
//   X-Facerec-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with FACEREC_WEBHOOK_SECRET>
// A non-2xx answer (or none) is retried with exponential backoff for up to 24 h; every attempt is
// recorded on the job (GET /api/v1/jobs/{id}/deliveries/). Delivery is at least once: a gateway
// that dies between the receiver's 2xx and recording it sends again; X-Facerec-Delivery (the job
// id) lets a receiver drop the repeat.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Bus, Consumer, HandlerOutcome } from '../../libs/bus/bus.js';
import { isSourceFetchError } from '../../libs/fetch/fetch-source.js';
import { postGuarded } from '../../libs/fetch/post.js';
import type { JobRecord, WebhookAttempt, WebhookStatus } from '../../libs/jobs/types.js';
import type { Logger } from '../../libs/log/logger.js';
import type { JobStore } from '../../libs/store/job-store.js';
import { jobView } from './views.js';

export const WEBHOOK_MAX_AGE_MS = 24 * 3600 * 1000;
const MAX_BACKOFF_MS = 3600 * 1000;
const WEBHOOK_STATES = ['completed', 'failed'];

export interface WebhookOptions {
  secret: string | null;
  /** Delay before the first retry; doubled each time, at most an hour. */
  retryBaseMs: number;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Host names that may resolve to private addresses (FACEREC_ALLOW_PRIVATE_HOSTS), as for URL sources. */
  allowPrivateHosts?: readonly string[];
  /** Base of the links in the job document, e.g. http://host:8080/api/v1. */
  apiBase: string;
  maxAgeMs?: number;
}

/** "t=<unix>,v1=<hex>" for `body` sent at `unixSeconds`. */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** What a receiver does: the signature is right and not older than `toleranceS`. */
export function verifyWebhook(secret: string, header: string, body: string, nowS = Math.floor(Date.now() / 1000), toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowS - t) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, body, t).split('v1=')[1]!, 'hex');
  const got = Buffer.from(parts.v1, 'hex');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export class WebhookSender {
  constructor(
    private readonly jobs: JobStore,
    private readonly log: Logger,
    private readonly opts: WebhookOptions,
  ) {}

  start(bus: Bus, concurrency = 4): Consumer {
    return bus.consume('webhook', (message) => this.handle(message.jobId), { concurrency });
  }

  /** One try at the job's webhook: ack when delivered (or nothing is due), retry while it is not. */
  async handle(jobId: string): Promise<HandlerOutcome> {
    const job = await this.jobs.get(jobId);
    if (!job?.callbackUrl || !WEBHOOK_STATES.includes(job.state)) return 'drop';
    const status: WebhookStatus = job.webhook ?? { state: 'pending', attempts: [], nextAttemptAt: null };
    if (status.state !== 'pending') return 'ack';
    const log = this.log.child({ jobId, webhook: true });
    if (!this.opts.secret) {
      log.warn('a job asks for a webhook but FACEREC_WEBHOOK_SECRET is not set: not sent');
      return 'drop';
    }
    if (status.nextAttemptAt && Date.now() < Date.parse(status.nextAttemptAt)) return 'retry';

    const attempt = await this.send(job, status.attempts.length + 1);
    const attempts = [...status.attempts, attempt];
    const finishedAt = Date.parse(job.timeCompleted ?? job.timeCreated);
    let next: WebhookStatus;
    if (attempt.ok) next = { state: 'delivered', attempts, nextAttemptAt: null };
    else if (Date.now() - finishedAt > (this.opts.maxAgeMs ?? WEBHOOK_MAX_AGE_MS)) next = { state: 'failed', attempts, nextAttemptAt: null };
    else {
      const delay = Math.min(this.opts.retryBaseMs * 2 ** (attempt.attempt - 1), MAX_BACKOFF_MS);
      next = { state: 'pending', attempts, nextAttemptAt: new Date(Date.now() + delay).toISOString() };
    }
    await this.jobs.update(jobId, { webhook: next });
    if (next.state === 'delivered') {
      log.info({ attempt: attempt.attempt, status: attempt.status }, 'webhook delivered');
      return 'ack';
    }
    if (next.state === 'failed') {
      log.warn({ attempts: attempts.length }, 'webhook not delivered within 24 h: given up');
      return 'drop';
    }
    log.info({ attempt: attempt.attempt, status: attempt.status, error: attempt.error, next: next.nextAttemptAt }, 'webhook not delivered; will retry');
    return 'retry';
  }

  private async send(job: JobRecord, n: number): Promise<WebhookAttempt> {
    const body = JSON.stringify(jobView(job, this.opts.apiBase));
    const started = Date.now();
    const t = Math.floor(started / 1000);
    try {
      const { status } = await postGuarded(
        job.callbackUrl!,
        body,
        { 'x-facerec-signature': signWebhook(this.opts.secret!, body, t), 'x-facerec-delivery': job.id, 'x-facerec-attempt': String(n) },
        { timeoutMs: this.opts.timeoutMs, allowPrivate: this.opts.allowPrivate, allowPrivateHosts: this.opts.allowPrivateHosts },
      );
      const ok = status >= 200 && status <= 299;
      return { attempt: n, time: new Date(started).toISOString(), status, ok, error: ok ? null : `HTTP ${status}`, duration_ms: Date.now() - started };
    } catch (err) {
      const message = isSourceFetchError(err) ? err.message : `delivery failed: ${(err as Error).message}`;
      return { attempt: n, time: new Date(started).toISOString(), status: null, ok: false, error: message, duration_ms: Date.now() - started };
    }
  }
}

/** Embedded: the in-process queue forgets at a restart; the finished jobs whose webhook is pending are queued again. */
export async function requeuePendingWebhooks(jobs: JobStore, bus: Bus): Promise<number> {
  let n = 0;
  for (const job of await jobs.listByState(['completed', 'failed'])) {
    if (job.callbackUrl && (job.webhook?.state ?? 'pending') === 'pending') {
      await bus.enqueue('webhook', { jobId: job.id }, job.id);
      n++;
    }
  }
  return n;
}

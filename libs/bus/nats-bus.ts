// The Bus of the distributed product, on NATS JetStream (semantics in bus.ts).
//
// - Each queue is a work-queue stream `<prefix>_queue_<name>` with one durable pull consumer
//   `<prefix>_<name>` that every process shares, so the server hands each message to one of them
//   at a time and redelivers it after ack_wait when its holder dies. A message's subject is
//   `<prefix>.queue.<name>.<key>`: a work queue holds exactly the messages not yet acknowledged,
//   so publishing only while the key's subject is empty is dedup by key while pending, however
//   long the message waits (a msgID duplicate window would forget it after 2 minutes, and would
//   also drop a legitimate re-enqueue after the ack).
// - Observations are one limits stream `<prefix>_obs`, subject `<prefix>.obs.<jobId>`.
// - Events are core NATS on `<prefix>.events`: no persistence, as the contract asks.
// Keys and job ids are base64url-encoded into their subject token, so any string is safe.
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type Consumer as JsConsumer,
  type ConsumerUpdateConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
  type StreamUpdateConfig,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { QUEUE_NAMES, type JobEvent, type ObservationChunk, type QueueMessages, type QueueName } from '../jobs/types.js';
import { moduleLogger } from '../log/logger.js';
import type { Bus, ConsumeOptions, Consumer, Delivery, HandlerOutcome } from './bus.js';

const log = moduleLogger('nats-bus');

export interface NatsBusOptions {
  /** First token of every subject, and of stream and consumer names (default 'facerec'). */
  prefix?: string;
  /** How long a delivered message may go without an ack or a progress signal (default 30000). */
  ackWaitMs?: number;
  /** Deliveries of one message before the server gives up on it (default: unlimited). */
  maxDeliver?: number;
  /** Delay before the first redelivery after 'retry' or a throw; doubles per attempt (default 1000). */
  retryDelayMs?: number;
}

const MAX_RETRY_DELAY_MS = 60_000;
/** Observations of a job that was never aggregated (its worker died for good) expire. */
const OBSERVATIONS_MAX_AGE_MS = 7 * 24 * 3600_000;
/** Pause after a failed pull before the next one (server restarting, stream being recreated). */
const PULL_ERROR_PAUSE_MS = 1000;
const PREFIX = /^[A-Za-z0-9_-]+$/;

interface Settings {
  prefix: string;
  ackWaitMs: number;
  maxDeliver: number;
  retryDelayMs: number;
}

export class NatsBus implements Bus {
  private readonly consumers = new Set<QueueConsumer>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly js: JetStreamClient;
  /** False between a disconnect and the reconnect that follows it. */
  private up = true;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly settings: Settings,
  ) {
    this.js = jsm.jetstream();
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') this.up = false;
        else if (status.type === 'reconnect') this.up = true;
      }
    })().catch((err: unknown) => log.debug({ err }, 'connection status no longer followed'));
  }

  /** Creates the streams and consumers, or updates them to these options. */
  static async open(nc: NatsConnection, opts: NatsBusOptions = {}): Promise<NatsBus> {
    const settings: Settings = {
      prefix: opts.prefix ?? 'facerec',
      ackWaitMs: opts.ackWaitMs ?? 30_000,
      maxDeliver: opts.maxDeliver ?? -1,
      retryDelayMs: opts.retryDelayMs ?? 1000,
    };
    if (!PREFIX.test(settings.prefix)) throw new Error(`invalid NATS bus prefix '${settings.prefix}' (letters, digits, _ and - only)`);
    const jsm = await jetstreamManager(nc);
    const bus = new NatsBus(nc, jsm, settings);
    for (const queue of QUEUE_NAMES) {
      await bus.ensureStream(bus.queueStream(queue), {
        subjects: [`${bus.queueSubject(queue)}.*`],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
      });
      await bus.ensureConsumer(bus.queueStream(queue), bus.queueConsumer(queue), {
        ack_wait: nanos(settings.ackWaitMs),
        max_deliver: settings.maxDeliver,
      });
    }
    await bus.ensureStream(bus.obsStream(), {
      subjects: [`${settings.prefix}.obs.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(OBSERVATIONS_MAX_AGE_MS),
    });
    return bus;
  }

  async enqueue<Q extends QueueName>(queue: Q, message: QueueMessages[Q], key: string): Promise<void> {
    try {
      await this.js.publish(`${this.queueSubject(queue)}.${token(key)}`, JSON.stringify(message), { expect: { lastSubjectSequence: 0 } });
    } catch (err) {
      // The key's message is still in the queue.
      if (isApiError(err, JetStreamApiCodes.StreamWrongLastSequence)) return;
      throw err;
    }
  }

  consume<Q extends QueueName>(
    queue: Q,
    handler: (message: QueueMessages[Q], delivery: Delivery) => Promise<HandlerOutcome>,
    options: ConsumeOptions,
  ): Consumer {
    if (!(options.concurrency >= 1)) throw new Error(`concurrency must be at least 1, got ${options.concurrency}`);
    const consumer = new QueueConsumer(this.nc, this.js, this.settings, this.queueStream(queue), this.queueConsumer(queue), handler, options.concurrency);
    this.consumers.add(consumer);
    return {
      bound: () => consumer.bound && this.connected(),
      stop: async () => {
        await consumer.stop();
        this.consumers.delete(consumer);
      },
    };
  }

  async appendObservations(jobId: string, chunk: ObservationChunk): Promise<void> {
    await this.js.publish(this.obsSubject(jobId), JSON.stringify(chunk));
  }

  async *readObservations(jobId: string): AsyncIterable<ObservationChunk> {
    const subject = this.obsSubject(jobId);
    // Read up to the last chunk appended by now; later appends are not waited for.
    const last = await this.jsm.streams.getMessage(this.obsStream(), { last_by_subj: subject });
    if (!last) return;
    const consumer = await this.js.consumers.get(this.obsStream(), { filter_subjects: subject });
    const messages = await consumer.consume();
    try {
      for await (const msg of messages) {
        yield msg.json<ObservationChunk>();
        // pending 0 also ends the read when the log was dropped meanwhile up to `last`.
        if (msg.seq >= last.seq || msg.info.pending === 0) break;
      }
    } finally {
      messages.stop();
      // Ordered consumers are ephemeral, but would linger for minutes (one per read) otherwise.
      await consumer.delete().catch((err: unknown) => log.debug({ err, jobId }, 'could not delete the observation reader'));
    }
  }

  async dropObservations(jobId: string): Promise<void> {
    await this.jsm.streams.purge(this.obsStream(), { filter: this.obsSubject(jobId) });
  }

  async publish(event: JobEvent): Promise<void> {
    this.nc.publish(this.eventSubject(), JSON.stringify(event));
  }

  subscribe(handler: (event: JobEvent) => void): { close(): void } {
    const sub = this.nc.subscribe(this.eventSubject(), {
      callback: (err, msg) => {
        if (err) {
          log.error({ err }, 'event subscription failed');
          return;
        }
        try {
          handler(msg.json<JobEvent>());
        } catch (err) {
          log.error({ err }, 'event subscriber threw');
        }
      },
    });
    this.subscriptions.add(sub);
    return {
      close: () => {
        this.subscriptions.delete(sub);
        sub.unsubscribe();
      },
    };
  }

  connected(): boolean {
    return this.up && !this.nc.isClosed();
  }

  /** Stops this bus's consumers and subscriptions; the connection stays open (it is the caller's). */
  async close(): Promise<void> {
    for (const sub of this.subscriptions) sub.unsubscribe();
    this.subscriptions.clear();
    await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
    this.consumers.clear();
  }

  private queueStream(queue: QueueName): string {
    return `${this.settings.prefix}_queue_${queue}`;
  }

  private queueSubject(queue: QueueName): string {
    return `${this.settings.prefix}.queue.${queue}`;
  }

  private queueConsumer(queue: QueueName): string {
    return `${this.settings.prefix}_${queue}`;
  }

  private obsStream(): string {
    return `${this.settings.prefix}_obs`;
  }

  private obsSubject(jobId: string): string {
    return `${this.settings.prefix}.obs.${token(jobId)}`;
  }

  private eventSubject(): string {
    return `${this.settings.prefix}.events`;
  }

  private async ensureStream(name: string, config: Pick<StreamConfig, 'retention' | 'storage'> & Partial<StreamUpdateConfig>): Promise<void> {
    const info = await this.jsm.streams.info(name).catch(ifNotFound(JetStreamApiCodes.StreamNotFound));
    if (!info) await this.jsm.streams.add({ name, ...config });
    // The server refuses a change of retention or storage, with its reason.
    else if (differs(info.config, config)) await this.jsm.streams.update(name, config);
  }

  private async ensureConsumer(stream: string, durable: string, config: Partial<ConsumerUpdateConfig>): Promise<void> {
    const info = await this.jsm.consumers.info(stream, durable).catch(ifNotFound(JetStreamApiCodes.ConsumerNotFound));
    if (!info) {
      await this.jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...config });
    } else if (differs(info.config, config)) {
      await this.jsm.consumers.update(stream, durable, config);
    }
  }
}

/** One subject token for any string: no '.', wildcard or whitespace can reach other subjects. */
function token(s: string): string {
  if (s === '') throw new Error('an empty string cannot name a subject token');
  return Buffer.from(s).toString('base64url');
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

/** A catch handler turning the API error `code` into undefined. */
function ifNotFound(code: number): (err: unknown) => undefined {
  return (err) => {
    if (isApiError(err, code)) return undefined;
    throw err;
  };
}

function differs(current: object, wanted: object): boolean {
  return Object.entries(wanted).some(([key, value]) => JSON.stringify((current as Record<string, unknown>)[key]) !== JSON.stringify(value));
}

/**
 * One consume() call: `concurrency` slots, each pulling one message at a time, so no message
 * waits in this process (its ack_wait running) while another process is idle.
 */
class QueueConsumer {
  private stopped = false;
  private readonly pulls = new Set<ConsumerMessages>();
  /** Looked up once and shared by the slots; looked up again after a failure. */
  private consumer: Promise<JsConsumer> | undefined;
  private readonly slots: Promise<void>[];
  /** Its durable consumer was found on the server, and no pull has failed since. */
  bound = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly settings: Settings,
    private readonly stream: string,
    private readonly durable: string,
    private readonly handler: (message: never, delivery: Delivery) => Promise<HandlerOutcome>,
    concurrency: number,
  ) {
    this.slots = Array.from({ length: concurrency }, () => this.runSlot());
  }

  /** Stops pulling and waits for the handlers in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.bound = false;
    for (const pull of this.pulls) pull.stop();
    await Promise.all(this.slots);
  }

  private async runSlot(): Promise<void> {
    while (!this.stopped && !this.nc.isClosed()) {
      try {
        this.consumer ??= this.js.consumers.get(this.stream, this.durable);
        const consumer = await this.consumer;
        if (!this.stopped) this.bound = true;
        const pull = await consumer.fetch({ max_messages: 1 });
        this.pulls.add(pull);
        if (this.stopped) pull.stop();
        try {
          for await (const msg of pull) await this.handle(msg);
        } finally {
          this.pulls.delete(pull);
        }
      } catch (err) {
        if (this.stopped || this.nc.isClosed()) return;
        this.consumer = undefined;
        this.bound = false;
        log.warn({ err, stream: this.stream }, 'pulling a message failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, PULL_ERROR_PAUSE_MS));
      }
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    const attempt = msg.info.deliveryCount;
    let message: unknown;
    try {
      message = msg.json();
    } catch (err) {
      log.error({ err, stream: this.stream, seq: msg.seq }, 'unreadable queue message; dropping it');
      msg.term();
      return;
    }
    // Tells the server the message is still being worked on, so a long job is not redelivered.
    const progress = setInterval(() => {
      try {
        msg.working();
      } catch (err) {
        log.debug({ err }, 'could not signal progress');
      }
    }, Math.max(1, Math.floor(this.settings.ackWaitMs / 3)));
    let outcome: HandlerOutcome;
    try {
      outcome = await this.handler(message as never, { attempt });
    } catch (err) {
      log.warn({ err, stream: this.stream, attempt }, 'handler threw; the message will be redelivered');
      outcome = 'retry';
    } finally {
      clearInterval(progress);
    }
    // Nothing can reach the server any more; it redelivers the message after ack_wait.
    if (this.nc.isClosed()) return;
    try {
      if (outcome === 'ack') {
        // Confirmed, so that a lost ack does not make another process redo a whole job.
        await msg.ackAck();
      } else if (outcome === 'drop') {
        msg.term();
      } else if (this.settings.maxDeliver > 0 && attempt >= this.settings.maxDeliver) {
        // The server will not deliver it again; terminating removes it from the work queue.
        log.error({ stream: this.stream, attempt }, 'message failed on its last allowed delivery; dropping it');
        msg.term();
      } else {
        msg.nak(Math.min(this.settings.retryDelayMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS));
      }
    } catch (err) {
      // The server redelivers after ack_wait whatever was not acknowledged.
      log.warn({ err, stream: this.stream, outcome }, 'could not settle the message');
    }
  }
}

// The galleries' change feed on PostgreSQL: LISTEN on the schema's channel, on a connection of its
// own (a pooled one would be handed to queries). The stores NOTIFY inside their write
// transactions. A lost connection is opened again, and a `resync` is heard then, since changes
// committed meanwhile were not.
import pg from 'pg';
import { changeChannel } from '../store/postgres.js';
import type { ChangeFeed, GalleryChange } from './gallery-changes.js';

const RECONNECT_MS = 1000;

export class PostgresChangeFeed implements ChangeFeed {
  private client: pg.Client | null = null;
  private closed = false;
  private listener: ((change: GalleryChange) => void) | null = null;

  constructor(private readonly url: string, private readonly onError: (err: Error) => void = () => undefined) {}

  async subscribe(listener: (change: GalleryChange) => void): Promise<void> {
    this.listener = listener;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (message) => {
      const change = parse(message.payload);
      if (change) this.listener?.(change);
    });
    await client.connect();
    const channel = await changeChannel(client);
    await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    this.client = client;
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    this.onError(err);
    void client.end().catch(() => undefined);
    const retry = () => {
      if (this.closed) return;
      this.connect().then(
        () => this.listener?.({ kind: 'resync' }),
        (e: unknown) => {
          this.onError(e as Error);
          setTimeout(retry, RECONNECT_MS).unref();
        },
      );
    };
    setTimeout(retry, RECONNECT_MS).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

function parse(payload: string | undefined): GalleryChange | null {
  try {
    const change = JSON.parse(payload ?? '') as GalleryChange;
    return ['identity', 'model', 'index-identity', 'resync'].includes(change?.kind) ? change : null;
  } catch {
    return null;
  }
}

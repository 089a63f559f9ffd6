import { Client } from 'pg';

export interface NotificationListener {
  /** a notification's payload as sent */
  message(payload: string): void;
  /** (re)connected and listening: notifications sent while disconnected were missed */
  connected(): void;
  /** the connection failed or ended; it is retried after `retryMs` */
  disconnected(err: Error, retryMs: number): void;
}

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;

/**
 * A dedicated PostgreSQL connection that LISTENs on one channel (a pooled connection cannot:
 * LISTEN belongs to a session), reconnecting with backoff when it drops. Sending goes through
 * any connection (`SELECT pg_notify(...)`), so it is not here.
 */
export class PgNotifications {
  private client?: Client;
  private timer?: NodeJS.Timeout;
  private retryMs = RETRY_MIN_MS;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly listener: NotificationListener,
  ) {}

  start(): void {
    void this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.url, keepAlive: true, application_name: 'llmos-listen' });
    this.client = client;
    let failed = false;
    const fail = (err: Error) => {
      if (failed || this.closed) return;
      failed = true;
      void client.end().catch(() => undefined);
      if (this.client === client) this.client = undefined;
      const wait = this.retryMs;
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
      this.listener.disconnected(err, wait);
      this.timer = setTimeout(() => void this.connect(), wait);
      this.timer.unref();
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('connection ended')));
    client.on('notification', (n) => {
      if (n.channel === this.channel && n.payload !== undefined) this.listener.message(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (err) {
      fail(err as Error);
      return;
    }
    if (this.closed) return void client.end().catch(() => undefined);
    this.retryMs = RETRY_MIN_MS;
    this.listener.connected();
  }
}

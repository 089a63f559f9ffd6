import { MinuteWindow, WindowAnswer } from './minute-window';
import { MINUTE_MS } from './usage-metrics';

/** Counts a project's requests in the current UTC minute: in this process, or in a store the replicas share. */
export interface RequestWindow {
  hit(project: string, limit: number, now: number): Promise<WindowAnswer>;
}

export class LocalRequestWindow implements RequestWindow {
  private readonly window = new MinuteWindow();

  async hit(project: string, limit: number, now: number): Promise<WindowAnswer> {
    return this.window.hit(project, limit, now);
  }
}

/** The two Redis commands a shared window needs, in one MULTI (ioredis provides them). */
export interface CounterPipeline {
  incr(key: string): CounterPipeline;
  pexpire(key: string, ms: number): CounterPipeline;
  exec(): Promise<[Error | null, unknown][] | null>;
}

export interface CounterStore {
  multi(): CounterPipeline;
}

/**
 * One counter per project and UTC minute in Redis: INCR then PEXPIRE in one transaction, so
 * every replica sees the same count. The n-th request of the minute is admitted when n <= limit;
 * concurrent requests on several replicas get distinct n, so exactly `limit` pass.
 */
export class SharedRequestWindow implements RequestWindow {
  constructor(private readonly store: CounterStore, private readonly prefix = 'llmos:quota:rpm') {}

  async hit(project: string, limit: number, now: number): Promise<WindowAnswer> {
    const minute = Math.floor(now / MINUTE_MS);
    const key = `${this.prefix}:${project}:${minute}`;
    const replies = await this.store.multi().incr(key).pexpire(key, 2 * MINUTE_MS).exec();
    const [err, count] = replies?.[0] ?? [new Error('no reply'), 0];
    if (err) throw err;
    if (Number(count) <= limit) return { admitted: true };
    return { admitted: false, retryAfterMs: (minute + 1) * MINUTE_MS - now };
  }
}

import { hourBucket } from './usage-metrics';

/** One counter to add to the database: a project's metric in one UTC hour. */
export interface CounterDelta {
  project: string;
  /** start of the UTC hour, ms since the epoch */
  bucket: number;
  metric: string;
  value: number;
}

/**
 * Counts not yet written, summed per (project, hour, metric), so a flush writes one row
 * per counter however many events there were. `take` empties it for a flush; `restore`
 * puts a failed flush's counts back, merged with what arrived meanwhile.
 */
export class PendingCounters {
  private readonly counters = new Map<string, CounterDelta>();

  /** Adds `n` to the metric of the project in the hour of `at` (ms). */
  add(project: string, metric: string, n: number, at: number): void {
    this.merge({ project, bucket: hourBucket(at), metric, value: n });
  }

  get size(): number {
    return this.counters.size;
  }

  /** All counters, removed from here. */
  take(): CounterDelta[] {
    const all = [...this.counters.values()];
    this.counters.clear();
    return all;
  }

  restore(deltas: readonly CounterDelta[]): void {
    for (const d of deltas) this.merge({ ...d });
  }

  /** The pending total of a project's metric in buckets starting at or after `since` (ms). */
  sum(project: string, metric: string, since: number): number {
    let total = 0;
    for (const c of this.counters.values()) if (c.project === project && c.metric === metric && c.bucket >= since) total += c.value;
    return total;
  }

  private merge(d: CounterDelta): void {
    const key = `${d.project}\u0000${d.bucket}\u0000${d.metric}`;
    const c = this.counters.get(key);
    if (c) c.value += d.value;
    else this.counters.set(key, d);
  }
}

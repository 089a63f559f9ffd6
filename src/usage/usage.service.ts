import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { BadInputError } from '../common/errors';
import { AppConfig, settingNumber } from '../config/app-config';
import { PendingCounters } from './core/pending-counters';
import { Granularity } from './core/usage-metrics';
import { resolveRange, UsageRangeError } from './core/usage-range';
import { UsageCountersRepository } from './usage-counters.repository';

export interface UsageReport {
  project: string;
  granularity: Granularity;
  from: string;
  to: string;
  buckets: { start: string; metrics: Record<string, number> }[];
  totals: Record<string, number>;
}

/**
 * Per-project usage counters (docs/usage.md). `add` only sums in memory; a timer
 * (USAGE_FLUSH_MS) adds everything pending to usage_counters in one statement. A failed
 * flush puts its counts back for the next one; shutdown flushes last. Flushes and reads
 * that combine stored and pending counts run one at a time, so nothing is counted twice
 * or missed while a flush is under way.
 */
@Injectable()
export class UsageService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Usage');
  private readonly pending = new PendingCounters();
  private timer?: NodeJS.Timeout;
  private serial: Promise<unknown> = Promise.resolve();
  private failures = 0;

  constructor(
    private readonly counters: UsageCountersRepository,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), settingNumber(this.config, 'USAGE_FLUSH_MS'));
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.flush();
    } catch (err) {
      this.logger.error(`Usage counters of ${this.pending.size} (project, hour, metric) pairs were not stored at shutdown: ${(err as Error).message}`);
    }
  }

  /** Counts `n` of `metric` for the project, in the UTC hour of `at` (now by default). */
  add(projectId: string, metric: string, n = 1, at = Date.now()): void {
    if (!Number.isFinite(n) || n <= 0) return;
    this.pending.add(projectId, metric, n, at);
  }

  /** Writes every pending counter (one statement); resolves with how many rows it wrote. */
  flush(): Promise<number> {
    return this.exclusive(() => this.flushNow());
  }

  /** Stored plus pending total of a project's metric since `since` (ms), e.g. tokens generated today. */
  total(projectId: string, metric: string, since: number): Promise<number> {
    return this.exclusive(async () => (await this.counters.total(projectId, metric, since)) + this.pending.sum(projectId, metric, since));
  }

  /** The project's counters per bucket over a range, after flushing this process's pending counts. */
  async report(projectId: string, query: { from?: string; to?: string; granularity?: Granularity }, now = Date.now()): Promise<UsageReport> {
    let range;
    try {
      range = resolveRange(query, now);
    } catch (err) {
      if (err instanceof UsageRangeError) throw new BadInputError(err.message, [{ field: err.field, messages: [err.message] }]);
      throw err;
    }
    const { from, to, granularity } = range;
    const rows = await this.exclusive(async () => {
      await this.flushNow();
      return this.counters.series(projectId, from, to, granularity);
    });
    const buckets = new Map<number, Record<string, number>>();
    const totals: Record<string, number> = {};
    for (const r of rows) {
      const metrics = buckets.get(r.start) ?? {};
      metrics[r.metric] = r.value;
      buckets.set(r.start, metrics);
      totals[r.metric] = (totals[r.metric] ?? 0) + r.value;
    }
    return {
      project: projectId,
      granularity,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      buckets: [...buckets].map(([start, metrics]) => ({ start: new Date(start).toISOString(), metrics })),
      totals,
    };
  }

  private async flushNow(): Promise<number> {
    const deltas = this.pending.take();
    if (!deltas.length) return 0;
    try {
      await this.counters.add(deltas);
    } catch (err) {
      this.pending.restore(deltas);
      if (this.failures++ === 0) this.logger.warn(`Storing usage counters failed (kept in memory, retried every flush): ${(err as Error).message}`);
      throw err;
    }
    if (this.failures) this.logger.log(`Usage counters stored again after ${this.failures} failed flush(es)`);
    this.failures = 0;
    return deltas.length;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn);
    this.serial = run.catch(() => undefined);
    return run;
  }
}
